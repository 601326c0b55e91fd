"""Chinese full-text search with jieba works on SQLite and PostgreSQL (the same test runs on
both: set DATABASE_URL for PostgreSQL)."""

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
