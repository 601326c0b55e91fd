"""A visitor finds 政策计算器 and 企业服务 from the home page, on a desktop and on a phone."""

import pytest

from tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visitor_reaches_the_calculator_from_the_main_navigation(live_server, page):
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="主导航")
    for name in ["政策计算器", "企业服务"]:
        assert nav.get_by_role("link", name=name).is_visible()
    screenshot(page, "home-desktop")
    nav.get_by_role("link", name="政策计算器").click()
    page.wait_for_url(live_server.url + "/policies/calculator/")
    assert page.get_by_role("heading", level=1).inner_text() == "政策计算器"
    # 企业服务 asks for a login first, then lands in the enterprise portal.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="企业服务").click()
    page.wait_for_url("**/accounts/login/?next=/enterprise/")
    log_in(page, "enterprise", "Demo@2026", then=live_server.url + "/enterprise/")
    screenshot(page, "enterprise-portal-desktop")
    assert page.problems == []


def on_a_phone_the_calculator_is_one_tap_from_the_home_page(live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(live_server.url + "/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    nav = tab.get_by_role("navigation", name="主导航")
    # The navigation is one row, no taller than one tap target, that scrolls sideways.
    links = nav.get_by_role("link")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all())}
    assert links.count() > 1 and len(tops) == 1
    assert 44 <= nav.bounding_box()["height"] < 60
    screenshot(tab, "home-phone-nav")
    for name in ["政策计算器", "企业服务"]:
        link = nav.get_by_role("link", name=name)
        link.scroll_into_view_if_needed()  # the visitor swipes the row
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 44
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(tab, "home-phone-nav-swiped")
    entries = tab.get_by_role("region", name="服务入口")
    entries.get_by_role("link", name="政策计算器").tap()
    tab.wait_for_url(live_server.url + "/policies/calculator/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    # The current section is marked, and brought into view although it sits far along the row.
    current = nav.locator('[aria-current="page"]')
    assert current.inner_text() == "政策计算器"
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot(tab, "calculator-phone")
    context.close()


def test_calculator_and_enterprise_services_from_the_home_page(live_server, demo_site, page,
                                                               browser):
    """On the demo city (built once: a browser test commits): on a desktop, then on a phone."""
    visitor_reaches_the_calculator_from_the_main_navigation(live_server, page)
    on_a_phone_the_calculator_is_one_tap_from_the_home_page(live_server, browser)
