"""In Chromium, at desktop (1280) and phone (390) width: the 临期/超期/待核定 badges of the ticket
lists and the tracking page are text badges a phone user can read, and the figures page's charts
keep their text at 11 px or more with no two labels overlapping; the current month says
截至今日. Screenshots in var/screenshots/."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hotline import calendar
from hotline.models import Status, Ticket
from hotline.tasks import mark_deadlines
from tests.accessibility import axe_results, failing_violations
from tests.conftest import admin_tab, screenshot
from tests.hotline.chart_checks import CHART_TEXT_JS
from tests.hotline.home_panels import whole_page_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = ((1280, "desktop"), (390, "phone"))

BADGE_JS = """(el) => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
  return {size: parseFloat(s.fontSize), background: s.backgroundColor, colour: s.color,
          left: r.left, right: r.right, width: r.width, height: r.height}; }"""


@pytest.fixture
def due(hl, new_ticket, drive):
    tickets = {name: drive(new_ticket(caller_phone=f"1390000200{i}"), Status.IN_PROGRESS)
               for i, name in enumerate(("soon", "late", "next_year"))}
    now = timezone.now()
    Ticket.objects.filter(pk=tickets["soon"].pk).update(
        handle_deadline=calendar.add_working_hours(now, 3))
    Ticket.objects.filter(pk=tickets["late"].pk).update(handle_deadline=now - timedelta(hours=2))
    Ticket.objects.filter(pk=tickets["next_year"].pk).update(
        handle_deadline=timezone.make_aware(datetime(2031, 1, 15, 18)))  # a year not entered
    mark_deadlines(notify=False)
    return {name: Ticket.objects.get(pk=t.pk) for name, t in tickets.items()}


def check_badge(tab, selector, text, background):
    badge = tab.locator(selector).first
    badge.scroll_into_view_if_needed()
    assert badge.is_visible() and badge.inner_text().strip() == text
    box = badge.evaluate(BADGE_JS)
    assert box["size"] >= 12, box  # readable on a phone
    assert box["background"] == background, box
    assert box["height"] < 2.2 * box["size"], box  # one line: the text is not broken up


def test_ticket_list_and_tracking_page_badges_desktop_and_phone(live_server, browser, page, due,
                                                                settings):
    settings.PLATFORM = {**settings.PLATFORM, "CALENDAR_WARNING_FROM": (1, 1)}
    context, tab = admin_tab(browser, live_server.url, "dispatcher")
    for width, label in WIDTHS:
        # The home page asks for next year's holidays (the package does not know it).
        tab.set_viewport_size({"width": width, "height": 844})
        tab.goto(live_server.url + "/admin/")
        banner = tab.locator("#calendar-missing")
        assert banner.is_visible() and "节假日安排尚未录入" in banner.inner_text()
        assert banner.evaluate("e => e.getBoundingClientRect().right") <= width
        whole_page_screenshot(tab, f"hotline-calendar-banner-{label}")

        tab.set_viewport_size({"width": width, "height": 844})
        tab.goto(live_server.url + "/admin/hotline_tickets/")
        whole_page_screenshot(tab, f"hotline-list-badges-{label}")
        check_badge(tab, "table.listing [data-deadline-badge=overdue]", "超期",
                    "rgb(179, 38, 30)")
        check_badge(tab, "table.listing [data-deadline-badge=due_soon]", "临期",
                    "rgb(255, 244, 206)")
        check_badge(tab, "table.listing [data-deadline-badge=provisional]", "待核定",
                    "rgb(255, 255, 255)")
        results = axe_results(tab, context={"include": [["[data-deadline-badge]"]]})
        assert failing_violations(results) == [], results["violations"]
    context.close()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/hotline/track/")
    page.get_by_label("工单编号").fill(due["late"].number)
    page.get_by_label("手机号码").fill(due["late"].caller_phone)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    check_badge(page, ".ticket-progress [data-deadline-badge=overdue]", "超期",
                "rgb(179, 38, 30)")
    box = page.locator(".ticket-progress [data-deadline-badge=overdue]").evaluate(BADGE_JS)
    assert box["right"] <= 390  # on the screen, no sideways scrolling needed
    screenshot(page, "hotline-track-badge-phone")


@pytest.fixture
def months_of_tickets(hl, new_ticket, drive):
    """Requests in each of the last six months (the current one so far)."""
    now = timezone.localtime()
    first = now.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    month = first
    for back in range(6):
        for n in range(3 + 2 * back):
            received = month + timedelta(days=n % 20) if back else now - timedelta(minutes=n)
            ticket = new_ticket(received_at=received, notify=False)
            if n % 3 == 0:
                drive(ticket, Status.IN_PROGRESS)
        month = (month - timedelta(days=1)).replace(day=1)


def test_figures_charts_are_readable_on_a_phone(live_server, page, months_of_tickets):
    for width, label in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(live_server.url + "/hotline/figures/")
        charts = page.evaluate(CHART_TEXT_JS)
        assert len(charts) == 2
        for chart in charts:
            assert chart["smallest"] >= 11, chart
            assert chart["overlaps"] == [], chart
        assert page.locator("figcaption[data-partial-note]").first.is_visible()
        assert "截至今日" in page.locator("figure.chart-figure").first.inner_text()
        results = axe_results(page, context={"include": [["figure.chart-figure"]]})
        assert failing_violations(results) == [], results["violations"]
        screenshot(page, f"hotline-figures-{label}")


def test_calendar_year_page_desktop_and_phone(live_server, browser, hl, make_user):
    from django.contrib.auth.models import Permission

    from core import roles

    admin = make_user(roles.DISPATCHER, hl["orgs"]["hotline"], username="calendar_admin")
    admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="hotline", codename__endswith="calendarday"))
    year = calendar.missing_year() or 2031
    context, tab = admin_tab(browser, live_server.url, admin.username)
    for width, label in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 844})
        tab.goto(f"{live_server.url}/admin/hotline/calendar/year/?year={year}")
        tab.get_by_label("每行一条").fill(f"{year}-02-30 放假 春节")
        tab.get_by_role("button", name="保存").click()
        tab.wait_for_load_state()
        error = tab.locator("#cal-entries-error")
        assert error.is_visible() and error.inner_text() == f"第 1 行日期无效：{year}-02-30。"
        assert error.evaluate("e => e.getBoundingClientRect().right") <= width
        whole_page_screenshot(tab, f"hotline-calendar-year-error-{label}")
    tab.set_viewport_size({"width": 1280, "height": 844})
    tab.get_by_label("每行一条").fill(f"{year}-01-01 放假 元旦")
    tab.get_by_label("本年度的放假和调休日期已全部录入").check()
    tab.get_by_role("button", name="保存").click()
    tab.wait_for_load_state()
    assert "已确认全部录入" in tab.locator("[data-year-state]").inner_text()
    whole_page_screenshot(tab, "hotline-calendar-year-saved-desktop")
    context.close()
