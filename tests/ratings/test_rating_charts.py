"""The rating charts: the current month is labelled 截至今日 (in the chart, the note under it,
the summary and the monthly table), the value axes have round ticks, and the text is readable
on a phone — in Chromium at 390 px no chart text is under 11 px and no two labels overlap (the
12-month chart scrolls sideways in its own box instead of shrinking)."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from ratings import services
from ratings.models import Channel
from tests.conftest import admin_tab, screenshot
from tests.hotline.chart_checks import CHART_TEXT_JS, effective_font_sizes
from tests.hotline.home_panels import whole_page_screenshot

NOW = timezone.make_aware(datetime(2026, 12, 15, 12))


def rate_months(rt, now, months=12):
    """Ratings in each of the last ``months`` months, a 差评 now and then."""
    served = now
    for back in range(months):
        for n in range(2 + back % 3):
            event = services.record_event(window=rt["window"], item=rt["item"],
                                          served_at=served - timedelta(days=n), send=False)
            level = 2 if n == 1 and back % 2 else 5 - n % 2
            services.submit_rating(event=event, level=level, channel=Channel.QR,
                                   reason="slow" if level <= 2 else "", now=served)
        served = (served.replace(day=1) - timedelta(days=1)).replace(day=15)


@pytest.mark.django_db
def test_public_rating_figures_say_to_date_and_stay_readable(rt, client):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        rate_months(rt, NOW)
        current = client.get("/ratings/figures/").content.decode()
        past = client.get("/ratings/figures/?month=2026-11").content.decode()
    soup = BeautifulSoup(current, "html.parser")
    assert soup.select_one("#summary-title").get_text(strip=True) == "2026-12 总体情况（截至今日）"
    assert "12月数据截至今日（12月15日）" in soup.select_one("[data-partial-note]").get_text()
    svg = soup.select_one("svg.chart")
    labels = ["".join(s.get_text() for s in t.select("tspan")) for t in svg.select("text.label")]
    assert len(labels) == 12 and labels[0] == "1月2026年" and labels[-1] == "12月截至今日"
    assert [t.get_text() for t in svg.select("text.tick")] == [
        "0%", "20%", "40%", "60%", "80%", "100%"]
    assert min(effective_font_sizes(svg)) >= 11
    # A whole month chosen: no 截至今日 anywhere.
    assert "截至今日" not in past


@pytest.mark.django_db
def test_dashboard_marks_the_current_month_and_rounds_its_axis(rt, client):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        rate_months(rt, NOW)
        client.force_login(rt["users"]["supervisor"])
        html = client.get("/admin/ratings/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert "12月数据截至今日（12月15日）" in soup.select_one("p[data-partial-note]").get_text()
    assert soup.select_one("tr[data-partial] td").get_text() == "2026-12（截至今日）"
    volume = soup.select("svg.chart")[1]
    ticks = [int(t.get_text()) for t in volume.select("text.tick")]
    assert ticks[0] == 0 and len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1
    assert str(ticks[1] - ticks[0]).rstrip("0") in ("1", "2", "5")
    for svg in soup.select("svg.chart"):
        assert min(effective_font_sizes(svg)) >= 11


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rating_charts_on_a_phone(live_server, browser, page, rt):
    rate_months(rt, timezone.now())
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(live_server.url + "/ratings/figures/")
        for chart in page.evaluate(CHART_TEXT_JS):
            assert chart["smallest"] >= 11 and chart["overlaps"] == [], chart
        assert "截至今日" in page.locator("#summary-title").inner_text()
        screenshot(page, f"ratings-figures-{label}")
    context, tab = admin_tab(browser, live_server.url, "supervisor")
    for width, label in ((1280, "desktop"), (390, "phone")):
        tab.set_viewport_size({"width": width, "height": 844})
        tab.goto(live_server.url + "/admin/ratings/")
        charts = tab.evaluate(CHART_TEXT_JS)
        assert len(charts) == 3
        for chart in charts:
            assert chart["smallest"] >= 11 and chart["overlaps"] == [], chart
        whole_page_screenshot(tab, f"ratings-dashboard-charts-{label}")
    context.close()
