"""Chinese full-text search with jieba works on SQLite and PostgreSQL (the same test runs on
both: set DATABASE_URL for PostgreSQL)."""

import datetime

import pytest

from interpretations.models import PolicyPage
from interpretations.services import search_policies

pytestmark = pytest.mark.django_db


def test_search_finds_chinese_word_inside_longer_title(client, make_policy, section):
    target = make_policy(publish=True)  # 关于进一步加强个人所得税征管的通知
    make_policy(publish=True, title="关于做好2026年度城乡居民医疗保险参保工作的通知",
                body="<p>城乡居民医疗保险参保缴费工作即将开始。</p>")
    found = search_policies("个人所得税", PolicyPage.objects.live())
    assert [p.pk for p in found] == [target.pk]
    html = client.get(section.url + "?q=个人所得税").content.decode()
    assert "关于进一步加强个人所得税征管的通知" in html
    assert "城乡居民医疗保险" not in html


def test_search_finds_words_in_body_and_interpretation(make_policy):
    page = make_policy(publish=True, title="关于印发临江市稳岗返还实施办法的通知",
                       body="<p>对不裁员或少裁员的参保企业实行失业保险稳岗返还。</p>")
    assert [p.pk for p in search_policies("稳岗返还", PolicyPage.objects.live())] == [page.pk]
    assert [p.pk for p in search_policies("失业保险", PolicyPage.objects.live())] == [page.pk]
    assert [p.pk for p in search_policies("社保", PolicyPage.objects.live())] == [page.pk]  # Q&A
    assert list(search_policies("住房公积金", PolicyPage.objects.live())) == []


def titles_in_order(html, titles):
    """The given titles sorted by where they appear in the page."""
    return sorted(titles, key=lambda t: html.index(t))


def test_search_lists_title_hits_first_then_newest(client, make_policy, section):
    old_title_hit = make_policy(publish=True, title="关于调整住房公积金贷款政策的通知",
                                published_on=datetime.date(2024, 1, 10))
    body_hit = make_policy(publish=True, title="关于做好城乡居民医疗保险参保工作的通知",
                           body="<p>参保人员可使用住房公积金缴纳医疗保险费。</p>",
                           published_on=datetime.date(2026, 5, 1))
    new_title_hit = make_policy(publish=True, title="临江市住房公积金提取管理办法",
                                published_on=datetime.date(2025, 6, 1))
    make_policy(publish=True, title="关于农业保险保费补贴的通知", body="<p>保费补贴。</p>")
    expected = [new_title_hit, old_title_hit, body_hit]
    found = search_policies("住房公积金", PolicyPage.objects.live())
    assert [p.pk for p in found] == [p.pk for p in expected]
    html = client.get(section.url + "?q=住房公积金").content.decode()
    titles = [p.title for p in expected]
    assert titles_in_order(html, titles) == titles
    assert "关于农业保险保费补贴的通知" not in html
    # Filters still apply to the matches.
    html = client.get(section.url + "?q=住房公积金&year=2024").content.decode()
    assert "关于调整住房公积金贷款政策的通知" in html
    assert "临江市住房公积金提取管理办法" not in html and "城乡居民医疗保险" not in html


def test_search_finds_only_what_is_published(make_policy, sign_off):
    page = make_policy(publish=True)  # body: 为进一步做好个人所得税征管工作，现就有关事项通知如下
    draft = PolicyPage.objects.get(pk=page.pk)
    draft.body = "<p>农村危房改造补助标准另行公布。</p>"
    draft.save_revision()  # an unpublished change of a live policy
    assert list(search_policies("危房改造", PolicyPage.objects.live())) == []
    assert [p.pk for p in search_policies("有关事项", PolicyPage.objects.live())] == [page.pk]
    sign_off(page)
    assert [p.pk for p in search_policies("危房改造", PolicyPage.objects.live())] == [page.pk]
    assert list(search_policies("有关事项", PolicyPage.objects.live())) == []


def test_search_plan_words_and_punctuation_find_nothing(make_policy):
    make_policy(publish=True)  # its 解读方案 holds 内部口径XYZZY, 回应口径, 在线访谈
    for query in ["XYZZY", "内部口径", "回应口径", "在线访谈", "！？。", "'; --"]:
        assert list(search_policies(query, PolicyPage.objects.live())) == [], query


def test_search_mixed_latin_and_digits(make_policy):
    page = make_policy(publish=True, title="关于加快5G基站建设的实施意见",
                       body="<p>推进5G基站与Wi-Fi热点建设。</p>")
    for query in ["5G基站", "5g 基站", "wi-fi"]:
        assert [p.pk for p in search_policies(query, PolicyPage.objects.live())] == [page.pk], query
