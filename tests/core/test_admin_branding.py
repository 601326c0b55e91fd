"""The admin is 政策通's (issue 14): its mark and name on the login page, in the sidebar, on the
dashboard (whose counts read in Chinese) and the admin's 404 page, its favicon, no Wagtail bird
or name; the 帮助 menu and the dashboard link to the project's own guide instead of Wagtail's
English one."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from core import roles
from tests.conftest import log_in, screenshot

GUIDE = "/admin/guide/"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def visible_text(soup):
    for element in soup(["script", "style", "template", "noscript"]):
        element.decompose()
    return soup.get_text(" ", strip=True)


def assert_branded(soup):
    title = soup.title.get_text(strip=True)
    assert title.endswith("政策通") and "Wagtail" not in title
    assert soup.select_one(".zct-brand .zct-brand__mark") is not None
    assert not soup.select(".icon-wagtail"), "Wagtail's bird is shown"
    icons = [link["href"] for link in soup.select("link[rel~=icon]")]
    assert icons == ["/static/favicon.svg"]
    assert "Wagtail" not in visible_text(soup)


def menu_items(soup):
    """Every item of the admin's sidebar menus, as (name, label, url)."""
    props = json.loads(soup.select_one("#wagtail-sidebar-props").string)
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "name" in node and "label" in node:
                found.append((node["name"], node["label"], node.get("url")))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(props)
    return found


@pytest.fixture
def editor(make_user, city):
    return make_user(roles.EDITOR, city["orgs"]["hrss"], username="editor1",
                     last_name="林", first_name="晓")


@pytest.mark.django_db
def test_login_page_is_the_products(client):
    soup = soup_of(client.get(reverse("wagtailadmin_login")))
    assert soup.h1.get_text(strip=True) == "登录政策通管理后台"
    assert soup.select_one(".login-logo .zct-brand__name").get_text(strip=True) == "政策通"
    assert_branded(soup)


@pytest.mark.django_db
def test_dashboard_sidebar_and_help_menu_are_the_products(client, editor):
    client.force_login(editor)
    soup = soup_of(client.get(reverse("wagtailadmin_home")))
    assert soup.h1.get_text(strip=True) == "欢迎使用政策通管理后台"
    sidebar_logo = soup.select_one("template[data-wagtail-sidebar-branding-logo]")
    assert "zct-brand__mark" in sidebar_logo.decode_contents()
    items = menu_items(soup)
    assert ("editor-guide", "政策通使用指南", GUIDE) in items
    assert not [i for i in items if "wagtail" in (i[2] or "") or "whats-new" in i[0]]
    links = {a.get_text(strip=True): a["href"] for a in soup.select("a[href]")}
    assert links["政策通使用指南"] == GUIDE
    assert not [href for href in links.values() if "guide.wagtail.org" in href]
    assert_branded(soup)


@pytest.mark.django_db
def test_dashboard_counts_read_in_chinese(client, make_user):
    client.force_login(make_user(is_superuser=True, username="root"))
    soup = soup_of(client.get(reverse("wagtailadmin_home")))
    summary = soup.select_one(".w-summary__list").get_text(" ", strip=True)
    assert "张图片" in summary and "个文档" in summary
    assert not re.search(r"[A-Za-z]", summary)


@pytest.mark.django_db
def test_admin_404_is_the_products(client, editor):
    client.force_login(editor)
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.h1.get_text(strip=True) == "页面不存在"
    assert soup.select_one(".request-id code").get_text() == response["X-Request-ID"]
    assert_branded(soup)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_branding_and_help_menu_in_the_browser(live_server, browser, editor):
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width,
                                                                "height": height})
        tab = context.new_page()
        tab.goto(live_server.url + "/admin/login/")
        assert tab.get_by_role("heading", level=1).inner_text() == "登录政策通管理后台"
        screenshot(tab, f"admin-login-{width}")
        log_in(tab, "editor1", then=live_server.url + "/admin/")
        assert tab.get_by_role("heading", level=1).inner_text() == "欢迎使用政策通管理后台"
        screenshot(tab, f"admin-home-{width}")
        if width < 800:  # the sidebar is behind its toggle on a phone
            tab.get_by_role("button", name="切换侧边栏").click()
        assert tab.locator("#wagtail-sidebar .zct-brand__mark").is_visible()
        assert tab.locator("#wagtail-sidebar .icon-wagtail").count() == 0
        tab.get_by_role("button", name="帮助").click()
        tab.locator("#wagtail-sidebar").get_by_role("link", name="政策通使用指南").click()
        tab.wait_for_url(live_server.url + GUIDE)
        assert tab.get_by_role("heading", level=1).inner_text() == "政策通使用指南"
        screenshot(tab, f"admin-guide-{width}")
        context.close()
