"""专家预览: an editor makes a signed, expiring, read-only link to the draft through the admin
form; the expert opens it without an account (logged, address masked); the 解读方案 shows only
when ticked; the link dies on expiry, revocation and publish; other departments cannot make or
see links."""

import hashlib
import logging
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import roles
from interpretations import expert_views
from interpretations.models import ExpertPreviewLink, ExpertPreviewOpening, PolicyPage
from tests.conftest import admin_tab, screenshot
from tests.forms import form_data

pytestmark = pytest.mark.django_db

PLAN_MARKER = "内部口径XYZZY"
INVALID = "预览链接无效或已失效"


def links_url(page):
    return reverse("interpretations_admin:expert_links", args=[page.pk])


CREATE_FORM = "form[method=post i]:has(#id_expert_name)"


def fill_and_post(client, page, *, expert="王建国教授", days=None, show_plan=False):
    """GET the admin page, fill in the form as a person would, POST what it contains."""
    response = client.get(links_url(page))
    assert response.status_code == 200
    data = form_data(response.content.decode(), CREATE_FORM)[1]
    data["expert_name"] = expert
    if days is not None:
        data["days"] = days
    if show_plan:
        data["show_plan"] = "on"
    return data, client.post(links_url(page), data)


def shown_url(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    field = soup.select_one("#expert-link-url")
    assert field is not None, "the new link is not shown"
    assert soup.select_one("label[for=expert-link-url]") is not None
    return field["value"]


def make_link(client, page, **kwargs):
    """A link made through the form: its (relative) address."""
    _, response = fill_and_post(client, page, **kwargs)
    return urlsplit(shown_url(response)).path


def assert_refused(response):
    """Wagtail's answer to a refused admin view: back to the dashboard with its message."""
    if getattr(response, "redirect_chain", None):
        assert response.redirect_chain[0] == ("/admin/", 302)
        assert "没有权限" in response.content.decode()
    else:
        assert response.status_code in (403, 404) or (
            response.status_code == 302 and response["Location"] == "/admin/")


@pytest.fixture
def logged_in(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other_editor(make_user, city):
    return make_user(roles.EDITOR, city["orgs"]["housing"], username="editor-housing")


# --- Making a link -------------------------------------------------------------------------------


def test_editor_makes_link_shown_once_and_only_its_hash_stored(logged_in, make_policy):
    page = make_policy()
    data, response = fill_and_post(logged_in, page, days="10")
    assert response.status_code == 200
    assert "链接已生成，请现在复制" in response.content.decode()
    url = shown_url(response)
    assert url.startswith("http://testserver/review/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    assert "no-store" in response["Cache-Control"]

    link = ExpertPreviewLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(getattr(link, f.attname)) for f in ExpertPreviewLink._meta.concrete_fields)
    assert token not in stored
    assert token not in str(dict(logged_in.session.items()))
    assert link.expert_name == "王建国教授" and not link.show_plan
    assert link.revision_id == page.get_latest_revision().pk
    assert link.created_by.username == "editor1"
    expected = timezone.now() + timedelta(days=10)
    assert abs((link.expires_at - expected).total_seconds()) < 60

    # Shown once: the list shows the link, never its address again.
    again = logged_in.get(links_url(page)).content.decode()
    assert token not in again and "链接已生成" not in again
    assert "王建国教授" in again and "有效" in again


def test_approver_may_make_links_too(client, approver, make_policy):
    page = make_policy()
    client.force_login(approver)
    assert make_link(client, page).startswith("/review/")


def test_default_validity_is_seven_days(logged_in, make_policy):
    page = make_policy()
    fill_and_post(logged_in, page)
    link = ExpertPreviewLink.objects.get()
    assert abs((link.expires_at - timezone.now() - timedelta(days=7)).total_seconds()) < 60


def test_double_submit_makes_one_link(logged_in, make_policy):
    page = make_policy()
    data, first = fill_and_post(logged_in, page)
    assert first.status_code == 200
    second = logged_in.post(links_url(page), data, follow=True)
    assert ExpertPreviewLink.objects.count() == 1
    content = second.content.decode()
    assert "这份表单已经提交过" in content
    assert 'id="expert-link-url"' not in content
    # The page shown after the link carries a fresh form: a second link is a new decision.
    fresh = form_data(first.content.decode(), CREATE_FORM)[1]
    assert fresh["nonce"] != data["nonce"]
    fresh["expert_name"] = "李敏研究员"
    logged_in.post(links_url(page), fresh)
    assert ExpertPreviewLink.objects.count() == 2


@pytest.mark.parametrize(("field", "value", "message"), [
    ("days", "0", "有效天数至少为 1 天。"),
    ("days", "999", "有效天数最多为 30 天。"),
    ("days", "七天", "请填写整数天数。"),
    ("days", "", "请填写有效天数。"),
    ("expert_name", "", "请填写专家姓名。"),
    ("expert_name", "   ", "请填写专家姓名。"),
])
def test_bad_input_is_explained_next_to_the_field(logged_in, make_policy, field, value, message):
    page = make_policy()
    response = logged_in.get(links_url(page))
    data = form_data(response.content.decode(), CREATE_FORM)[1]
    data["expert_name"] = "王建国教授"
    data[field] = value
    response = logged_in.post(links_url(page), data)
    assert response.status_code == 200
    assert not ExpertPreviewLink.objects.exists()
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    wrapper = soup.select_one(f"#id_{field}").find_parent(attrs={"data-field-wrapper": True})
    assert message in wrapper.get_text()
    assert soup.select_one("[data-error-summary]") is not None
    assert soup.select_one("#expert-link-url") is None


def test_no_link_to_a_policy_without_a_draft(logged_in, make_policy):
    page = make_policy(publish=True)
    content = logged_in.get(links_url(page)).content.decode()
    assert "本文件没有未发布的草稿" in content
    assert 'id="id_expert_name"' not in content


def test_other_department_cannot_make_or_see_links(client, make_policy, editor, other_editor):
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    link = ExpertPreviewLink.objects.get()

    client.force_login(other_editor)
    listing = client.get(links_url(page), follow=True)
    assert_refused(listing)
    assert "王建国教授" not in listing.content.decode()
    assert_refused(client.post(links_url(page), {"expert_name": "某人", "days": "7",
                                                 "nonce": "x" * 22}))
    revoke = reverse("interpretations_admin:revoke_expert_link", args=[page.pk, link.pk])
    assert_refused(client.post(revoke))
    assert ExpertPreviewLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None
    client.logout()
    assert client.get(path).status_code == 200


def test_publishing_panel_links_to_the_expert_links(logged_in, make_policy):
    page = make_policy()
    response = logged_in.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    assert f'href="{links_url(page)}"' in response.content.decode()


# --- Opening a link ------------------------------------------------------------------------------


def test_opening_shows_draft_with_banner_and_logs_masked_address(client, editor, make_policy):
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()

    response = client.get(path, REMOTE_ADDR="203.0.113.45", HTTP_USER_AGENT="Mozilla/5.0 测试")
    assert response.status_code == 200
    content = response.content.decode()
    soup = BeautifulSoup(content, "html.parser")
    assert "专家预览：草稿，尚未发布，请勿转发" in soup.select_one("[data-expert-banner]").get_text()
    assert soup.h1.get_text(strip=True) == page.title
    assert "为进一步做好个人所得税征管工作" in content
    assert "在本市缴纳社保满6个月的人员" in content  # the draft's public materials
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"

    opening = ExpertPreviewOpening.objects.get()
    assert opening.client == "203.0.113.*"
    assert opening.user_agent == "Mozilla/5.0 测试"
    assert "45" not in opening.client

    client.force_login(editor)
    listing = BeautifulSoup(client.get(links_url(page)).content.decode(), "html.parser")
    row = listing.select_one(f"tr[data-link='{opening.link_id}']")
    assert "共 1 次" in row.get_text() and "203.0.113.*" in row.get_text()
    assert "203.0.113.45" not in str(listing)


@pytest.mark.parametrize(("address", "masked"), [
    ("198.51.100.7", "198.51.100.*"),
    ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::*"),
    ("::ffff:198.51.100.7", "198.51.100.*"),
    ("unknown", ""),
])
def test_address_masking(address, masked):
    assert expert_views.mask_address(address) == masked


def test_plan_hidden_without_the_tick(client, editor, make_policy):
    page = make_policy(assessment_plan="评估方案ABC：半年后抽样回访")
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    content = client.get(path).content.decode()
    assert "专家预览" in content
    for hidden in (PLAN_MARKER, "解读方案（内部）", "市融媒体中心同步推送", "政策法规科",
                   "评估方案ABC"):
        assert hidden not in content


def test_plan_shown_with_the_tick(client, editor, make_policy):
    page = make_policy(assessment_plan="评估方案ABC：半年后抽样回访")
    client.force_login(editor)
    path = make_link(client, page, show_plan=True)
    assert ExpertPreviewLink.objects.get().show_plan
    client.logout()
    soup = BeautifulSoup(client.get(path).content.decode(), "html.parser")
    plan = soup.select_one("[data-expert-plan]")
    assert plan.h2.get_text(strip=True) == "解读方案（内部）"
    for shown in (PLAN_MARKER, "市融媒体中心同步推送", "政策法规科", "评估方案ABC", "预判关切及回应口径"):
        assert shown in plan.get_text()


def test_preview_of_a_live_policy_shows_the_draft_not_the_live_version(
        client, editor, make_policy, sign_off):
    page = make_policy(publish=True)
    client.get(page.url)  # the live article is now in the fragment cache
    draft = PolicyPage.objects.get(pk=page.pk)
    draft.title = "关于进一步加强个人所得税征管的通知（修订稿）"
    draft.save_revision(user=editor)
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    soup = BeautifulSoup(client.get(path).content.decode(), "html.parser")
    assert soup.h1.get_text(strip=True) == "关于进一步加强个人所得税征管的通知（修订稿）"
    # The public page still shows the live version.
    assert "修订稿" not in client.get(page.url).content.decode()

    sign_off(PolicyPage.objects.get(pk=page.pk))
    assert INVALID in client.get(path).content.decode()


def test_unknown_token_is_refused_in_chinese_and_not_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("interpretations:expert_preview", args=["x" * 43]))
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    assert "x" * 43 not in caplog.text
    assert not ExpertPreviewOpening.objects.exists()


def test_expired_link_is_refused(client, editor, make_policy):
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    assert client.get(path).status_code == 200
    ExpertPreviewLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 404 and INVALID in response.content.decode()
    assert ExpertPreviewOpening.objects.count() == 1
    client.force_login(editor)
    assert "已过期" in client.get(links_url(page)).content.decode()


def test_link_dies_when_the_policy_is_published(client, editor, make_policy, sign_off):
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    assert client.get(path).status_code == 200
    live = sign_off(page)
    assert live.live
    response = client.get(path)
    assert response.status_code == 404 and INVALID in response.content.decode()


def test_link_made_before_an_unrecorded_publish_is_refused(client, editor, make_policy):
    """Even if a link escaped the revocation at go-live, a publish after it was made ends it."""
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    PolicyPage.objects.filter(pk=page.pk).update(last_published_at=timezone.now())
    assert client.get(path).status_code == 404


def test_revoke_through_the_listing(client, editor, make_policy):
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    listing = BeautifulSoup(client.get(links_url(page)).content.decode(), "html.parser")
    form = listing.select_one("tr[data-link] form")
    assert form.button.get_text(strip=True) == "收回"
    response = client.post(form["action"], follow=True)
    assert "已收回给 王建国教授 的预览链接" in response.content.decode()
    assert ExpertPreviewLink.objects.get().revoked_at is not None
    assert client.get(form["action"]).status_code == 405
    client.logout()
    assert client.get(path).status_code == 404


def test_openings_are_rate_limited_per_address(client, editor, make_policy, monkeypatch):
    monkeypatch.setattr(expert_views, "PREVIEW_PER_HOUR", 3)
    cache.clear()
    page = make_policy()
    client.force_login(editor)
    path = make_link(client, page)
    client.logout()
    for _ in range(3):
        assert client.get(path, REMOTE_ADDR="192.0.2.10").status_code == 200
    refused = client.get(path, REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 429 and "打开过于频繁" in refused.content.decode()
    assert client.get(path, REMOTE_ADDR="192.0.2.11").status_code == 200
    assert ExpertPreviewOpening.objects.count() == 4


# --- In a browser --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_shares_draft_and_expert_reads_it(live_server, browser, make_policy, editor,
                                                 settings):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    page = make_policy()
    base = live_server.url
    context, tab = admin_tab(browser, base, editor.username)
    tab.goto(f"{base}/admin/pages/{page.pk}/edit/")
    tab.get_by_role("link", name="专家预览链接").click()
    tab.wait_for_url(f"**{links_url(page)}")
    tab.get_by_label("专家姓名").fill("王建国教授")
    tab.get_by_label("有效天数").fill("5")
    tab.get_by_role("button", name="生成链接").click()
    field = tab.get_by_label("专家预览链接")
    field.wait_for()
    url = field.input_value()
    assert "/review/" in url
    screenshot(tab, "expert-links-admin")
    tab.set_viewport_size({"width": 390, "height": 844})
    field.scroll_into_view_if_needed()
    screenshot(tab, "expert-links-admin-phone")

    anonymous = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    reader = anonymous.new_page()
    reader.goto(url)
    banner = reader.locator("[data-expert-banner]")
    assert "专家预览：草稿，尚未发布，请勿转发" in banner.inner_text()
    assert reader.get_by_role("heading", level=1).inner_text() == page.title
    assert reader.locator("#feedback").is_hidden()
    assert PLAN_MARKER not in reader.content()
    screenshot(reader, "expert-preview")
    reader.set_viewport_size({"width": 390, "height": 844})
    assert banner.is_visible()
    screenshot(reader, "expert-preview-phone")
    anonymous.close()

    # The editor sees the opening, with the address masked.
    tab.goto(f"{base}{links_url(page)}")
    row = tab.locator("[data-expert-links] tbody tr").first
    assert "王建国教授" in row.inner_text() and "共 1 次" in row.inner_text()
    assert "127.0.0.*" in row.inner_text()
    assert tab.get_by_label("专家预览链接").count() == 0
    row.scroll_into_view_if_needed()
    screenshot(tab, "expert-links-admin-list-phone")
    tab.set_viewport_size({"width": 1280, "height": 900})
    row.scroll_into_view_if_needed()
    screenshot(tab, "expert-links-admin-list")
    context.close()
    assert ExpertPreviewOpening.objects.filter(link__page_id=page.pk).count() == 1
