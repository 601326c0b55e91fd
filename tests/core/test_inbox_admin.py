"""我的消息: staff read their own in-app work notices in the admin, with an unread badge."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import roles
from core.inbox_views import InboxMenuItem
from core.messaging import notify_staff
from core.models import Message
from tests.conftest import screenshot

pytestmark = pytest.mark.django_db

INBOX = "/admin/inbox/"


def sidebar_text(response):
    """The admin sidebar's menu, decoded from the JSON the page hands to the sidebar script."""
    html = response.content.decode()
    raw = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                    html, re.S).group(1)
    return json.dumps(json.loads(raw), ensure_ascii=False)


def hotline_notice(person, link="/admin/hotline/ticket/5/", subject="工单即将超期"):
    notify_staff([person], "工单 12345-0005 将于今天 17:00 到期，请尽快办理。", subject=subject,
                 link=link, kind="ticket.deadline")
    return Message.objects.filter(user=person, channel="inbox").latest("pk")


@pytest.fixture
def handler(make_user, city):
    return make_user(roles.HANDLER, city["orgs"]["hrss"], username="handler")


def test_handler_sees_a_hotline_notice_with_the_unread_count(client, handler):
    hotline_notice(handler)
    client.force_login(handler)
    home = client.get("/admin/")
    assert "我的消息（1）" in sidebar_text(home)
    assert "工单即将超期" in home.content.decode()  # the dashboard panel
    page = client.get(INBOX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "工单即将超期" in html and "将于今天 17:00 到期" in html
    assert 'class="inbox-unread"' in html and "全部标为已读" in html


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, handler):
    notice = hotline_notice(handler)
    client.force_login(handler)
    response = client.get(reverse("core_inbox_open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/admin/hotline/ticket/5/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "我的消息（" not in sidebar_text(client.get(INBOX))
    assert "没有未读消息。" in client.get(INBOX + "?show=unread").content.decode()


def test_an_external_link_is_not_followed(client, handler):
    notice = hotline_notice(handler, link="https://evil.example.com/admin/")
    client.force_login(handler)
    response = client.get(reverse("core_inbox_open", args=[notice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "不是本站地址" in html and "evil.example.com" not in html
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_without_a_link_opens_on_its_own_page(client, handler):
    notice = hotline_notice(handler, link="")
    client.force_login(handler)
    response = client.get(reverse("core_inbox_open", args=[notice.pk]))
    assert response.status_code == 200 and "将于今天 17:00 到期" in response.content.decode()
    assert "不是本站地址" not in response.content.decode()


def test_another_users_message_is_not_found(client, handler, make_user, city):
    other = make_user(roles.HANDLER, city["orgs"]["housing"], username="other")
    theirs = hotline_notice(other, subject="别人的消息")
    client.force_login(handler)
    assert client.get(reverse("core_inbox_open", args=[theirs.pk])).status_code == 404
    assert "别人的消息" not in client.get(INBOX).content.decode()
    client.post(reverse("core_inbox_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client, handler):
    for n in range(3):
        hotline_notice(handler, subject=f"提醒 {n}")
    client.force_login(handler)
    assert client.get(reverse("core_inbox_read_all")).status_code == 405  # POST only
    response = client.post(reverse("core_inbox_read_all"), follow=True)
    assert "已将 3 条消息标为已读。" in response.content.decode()
    assert not Message.objects.filter(user=handler, read_at__isnull=True).exists()
    assert "我的消息（" not in sidebar_text(response)


def test_the_list_is_newest_first_and_paginated(client, handler):
    for n in range(25):
        hotline_notice(handler, subject=f"提醒第{n:02d}条")
    client.force_login(handler)
    first = client.get(INBOX).content.decode()
    assert "提醒第24条" in first and "提醒第04条" not in first
    assert first.index("提醒第24条") < first.index("提醒第23条")
    second = client.get(INBOX + "?p=2").content.decode()
    assert "提醒第04条" in second and "提醒第24条" not in second


def test_the_badge_is_one_count_query(handler, rf):
    hotline_notice(handler)
    request = rf.get("/admin/")
    request.user = handler
    with CaptureQueriesContext(connection) as queries:
        component = InboxMenuItem().render_component(request)
    assert component.label == "我的消息（1）"
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()


def test_an_enterprise_user_has_no_admin_inbox(client, make_user):
    client.force_login(make_user(roles.ENTERPRISE, username="firm"))
    assert client.get(INBOX).status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_badge_and_list_in_the_browser(live_server, page, make_user, city):
    handler = make_user(roles.HANDLER, city["orgs"]["hrss"], username="handler")
    hotline_notice(handler, subject="工单即将超期")
    hotline_notice(handler, subject="配套材料提醒", link="/admin/")
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("handler")
    page.locator("#id_password").fill("pass-1234")
    page.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")
    menu_item = page.get_by_role("link", name="我的消息（2）")
    assert menu_item.is_visible()
    screenshot(page, "inbox-dashboard")
    menu_item.click()
    page.wait_for_url(live_server.url + INBOX)
    assert page.locator("tr.inbox-unread").count() == 2
    screenshot(page, "inbox-list")
    page.locator(".sidebar__collapse-toggle").click()  # collapsed: the icon badge shows the count
    page.wait_for_timeout(400)
    screenshot(page, "inbox-list-collapsed-sidebar")
    page.locator(".sidebar__collapse-toggle").click()
    page.get_by_role("link", name="配套材料提醒").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.get_by_role("link", name="我的消息（1）").is_visible()
    assert page.problems == []
