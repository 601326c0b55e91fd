"""Headless Chromium opens the public home page and the admin login in Chinese."""

import pytest

from tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def home_page_renders_in_chinese_and_care_mode_toggles(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "临江市政策通"
    assert page.get_by_role("link", name="政策文件").first.is_visible()
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    toggle = page.get_by_role("button", name="关怀模式")
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('care-mode')")
    assert page.get_by_role("button", name="退出关怀模式").get_attribute("aria-pressed") == "true"
    larger = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert float(larger[:-2]) > float(font_size[:-2])
    page.reload()
    assert page.evaluate("document.documentElement.classList.contains('care-mode')")
    # The header stays legible on its black background: white links, not the blue of the page.
    nav_link = page.get_by_role("navigation", name="主导航").get_by_role("link", name="政策文件")
    assert nav_link.evaluate("a => getComputedStyle(a).color") == "rgb(255, 255, 255)"
    screenshot(page, "home-care-mode")
    assert page.problems == []


def home_page_fits_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = context.new_page()
    tab.goto(live_server.url + "/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(tab, "home-phone")
    context.close()


def admin_login_is_in_chinese(live_server, page):
    page.goto(live_server.url + "/admin/login/")
    assert "登录" in page.title()
    log_in(page, "admin", "Demo@2026", then=live_server.url + "/admin/")
    screenshot(page, "admin-dashboard")
    assert "控制面板" in page.title()
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "政策通使用指南" in page.content()  # the help menu leads to the project's own guide
    assert page.problems == []


def test_home_page_and_admin_login(live_server, demo_site, page, browser):
    """One journey on the demo city (a browser test commits, so the demo is built once for it):
    the home page in Chinese with 关怀模式, the same page on a phone, the admin login."""
    home_page_renders_in_chinese_and_care_mode_toggles(live_server, page)
    home_page_fits_a_phone(live_server, browser)
    admin_login_is_in_chinese(live_server, page)
