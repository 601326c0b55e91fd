"""退出登录 for every kind of user with a session, through what the page offers (issue 13: the
enterprise portal's 退出登录 answered 500): enterprise users leave through the portal's form,
staff (every role) through the admin's account menu (Wagtail's 注销). Each ends on a Chinese
page that says so, and the session is gone. Residents have no accounts (they file, track and
rate with a number, a phone or a link) and experts read previews through signed links without
a session: there is nothing for them to log out of."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from core import roles
from tests.conftest import log_in, screenshot
from tests.forms import form_data

LOGOUT_FORM = "form[action='/accounts/logout/']"
STAFF_ROLES = [roles.EDITOR, roles.APPROVER, roles.LEGALITY_REVIEWER, roles.OFFICE_REVIEWER,
               roles.DISPATCHER, roles.HANDLER, roles.SUPERVISOR, None]  # None: superuser


@pytest.fixture
def enterprise_user(make_user, city):
    from tests.enterprises.support import build_enterprise

    company = build_enterprise(city["divisions"]["street"], 1)
    user = make_user(roles.ENTERPRISE, username="company", last_name="王", first_name="敏")
    company.users.add(user)
    return user


def messages_on(html):
    return [p.get_text(strip=True) for p in BeautifulSoup(html, "html.parser").select(
        ".messages .message, .messages li")]


def signed_out(client, session_key):
    return SESSION_KEY not in client.session and not Session.objects.filter(
        session_key=session_key).exists()


@pytest.mark.django_db
def test_enterprise_user_logs_out_from_the_portal(client, enterprise_user):
    client.force_login(enterprise_user)
    key = client.session.session_key
    page = client.get(reverse("enterprises:dashboard"))
    form, data = form_data(page.content.decode(), LOGOUT_FORM)
    assert form.get_text(strip=True) == "退出登录"
    response = client.post(form["action"], data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/", 302)]
    assert "您已安全退出登录。" in messages_on(response.content.decode())
    assert signed_out(client, key)
    assert client.cookies["sessionid"].value == ""  # the cookie went with the session
    again = client.get(reverse("enterprises:dashboard"))
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_logout_address_opened_directly_asks_first(client, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and "确定要退出登录吗" in page.content.decode()
    form, data = form_data(page.content.decode(), LOGOUT_FORM)
    response = client.post(form["action"], data, follow=True)
    assert "您已安全退出登录。" in messages_on(response.content.decode())
    # Signed out already: the address leads home.
    assert client.get("/accounts/logout/")["Location"] == "/"


def admin_logout_action(html):
    """The 注销 entry of the admin's account menu (the sidebar's props) and the CSRF token the
    sidebar's form sends with it."""
    soup = BeautifulSoup(html, "html.parser")
    props = json.loads(soup.select_one("#wagtail-sidebar-props").string)
    token = json.loads(soup.select_one("#wagtail-config").string)["CSRF_TOKEN"]

    def find(node):
        if isinstance(node, dict):
            if node.get("name") == "logout" and "action" in node:
                return node
            nodes = node.values()
        elif isinstance(node, list):
            nodes = node
        else:
            return None
        for child in nodes:
            found = find(child)
            if found:
                return found
        return None

    return find(props), token


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r or "superuser")
def test_staff_log_out_through_the_admin_account_menu(client, make_user, city, role):
    user = make_user(role, city["orgs"]["hrss"], username="staff",
                     **({} if role else {"is_superuser": True}))
    client.force_login(user)
    key = client.session.session_key
    item, token = admin_logout_action(client.get("/admin/").content.decode())
    assert item["label"] == "注销" and item["method"] == "POST"
    response = client.post(item["action"], {"csrfmiddlewaretoken": token}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_login")
    assert "注销成功" in messages_on(response.content.decode())
    assert signed_out(client, key)
    assert client.get("/admin/").status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_logging_out_in_the_browser(live_server, browser, enterprise_user, make_user, city):
    # The enterprise portal, on a phone and on a desktop.
    failures = []
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width,
                                                                "height": height})
        tab = context.new_page()
        tab.on("response", lambda r: r.status >= 500 and failures.append(r.url))
        log_in(tab, "company", at=live_server.url + "/accounts/login/",
               then=live_server.url + "/enterprise/")
        tab.get_by_role("button", name="退出登录").click()
        tab.wait_for_url(live_server.url + "/")
        assert tab.get_by_role("status").inner_text().strip() == "您已安全退出登录。"
        screenshot(tab, f"logout-enterprise-{width}")
        assert not failures
        assert not [c for c in context.cookies() if c["name"] == "sessionid"]
        context.close()

    # Staff: the admin's account menu, 注销.
    make_user(roles.DISPATCHER, city["orgs"]["hotline"], username="dispatcher1",
              last_name="赵", first_name="敏")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log_in(tab, "dispatcher1", at=live_server.url + "/admin/login/",
           then=live_server.url + "/admin/")
    tab.locator(".sidebar-footer__account").click()
    tab.get_by_role("button", name="注销").click()
    tab.wait_for_url(live_server.url + "/admin/login/**")
    assert "注销成功" in tab.locator(".messages").inner_text()
    screenshot(tab, "logout-admin-1280")
    assert not [c for c in context.cookies() if c["name"] == "sessionid"]
    context.close()
