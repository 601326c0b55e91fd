"""Charts and tables that include the current month say 截至今日 and draw it apart from whole
months; the value axis has round ticks (1-2-5 steps); chart text stays readable when the chart
is drawn as narrow as it may be (it scrolls sideways on a phone instead of shrinking)."""

from datetime import datetime
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from hotline import charts
from tests.hotline.chart_checks import effective_font_sizes

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h))


@pytest.mark.parametrize(("top", "integer", "ticks"), [
    (37, True, [0, 10, 20, 30, 40]),
    (7, True, [0, 2, 4, 6, 8]),
    (3, True, [0, 1, 2, 3]),
    (1, True, [0, 1]),
    (0, True, [0, 1]),
    (100, False, [0, 20, 40, 60, 80, 100]),
    (1234, True, [0, 500, 1000, 1500]),
    (0.7, False, [0, 0.2, 0.4, 0.6, 0.8]),
    (48, True, [0, 10, 20, 30, 40, 50]),
])
def test_ticks_are_round_numbers(top, integer, ticks):
    assert charts.nice_ticks(top, integer=integer) == ticks


def test_ticks_step_in_ones_twos_and_fives():
    for top in range(1, 3000, 7):
        ticks = charts.nice_ticks(top, integer=True)
        step = ticks[1] - ticks[0]
        assert ticks[-1] >= top and len(ticks) <= 6
        assert int(str(step).rstrip("0") or "0") in (1, 2, 5), (top, ticks)


def test_long_labels_wrap_instead_of_overlapping():
    svg = charts.bar_chart(["告知不清楚、政策解释不明白", "多次跑腿、材料反复要求", "其他"],
                           [3, 5, 1], "差评原因")
    labels = BeautifulSoup(svg, "html.parser").select("text.label")
    assert [len(t.select("tspan")) for t in labels] == [2, 2, 1]  # wrapped, not squeezed
    spans = sorted((float(t["x"]), max(charts.text_width(line.get_text())
                                       for line in t.select("tspan"))) for t in labels)
    for (x1, w1), (x2, w2) in zip(spans, spans[1:], strict=False):
        assert x2 - x1 >= (w1 + w2) / 2 + 4  # centred labels leave a gap between them


@pytest.fixture
def figures(client, hl, new_ticket):
    """The public figures page on 15 December 2026 with 3 requests in November and 7 so far
    in December."""
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 15, 12)):
        for day in (3, 10, 20):
            new_ticket(received_at=at(2026, 11, day), notify=False)
        for day in (1, 2, 3, 5, 8, 9, 14):
            new_ticket(received_at=at(2026, 12, day), notify=False)
        return client.get(reverse("hotline:figures")).content.decode()


def test_public_figures_label_the_current_month_as_to_date(figures):
    soup = BeautifulSoup(figures, "html.parser")
    assert "起至今日受理的诉求" in soup.select_one("#figures-period").get_text()
    volume = soup.select("figure.chart-figure")[0]
    # The value axis: round steps for a top of 7 (the old axis said 0, 2, 4, 5, 7).
    ticks = [t.get_text() for t in volume.select("text.tick")]
    assert ticks == ["0", "2", "4", "6", "8"]
    # December is the partial month: labelled under its bar, drawn hatched, noted below.
    labels = [[line.get_text() for line in t.select("tspan")] for t in volume.select("text.label")]
    assert labels == [["7月", "2026年"], ["8月"], ["9月"], ["10月"], ["11月"],
                      ["12月", "截至", "今日"]]  # two short lines fit a phone's slot
    bars = volume.select("rect.bar")
    assert [b.get_text() for b in bars[-2:]] == ["11月：3件", "12月 截至今日：7件"]
    assert ["partial" in b["class"] for b in bars] == [False] * 5 + [True]
    assert bars[-1]["fill"].startswith("url(#")  # hatched
    assert volume.select_one("figcaption").get_text() == (
        "12月数据截至今日（12月15日），该月尚未结束：图中用斜线条纹标出，不与整月比较。")
    # The rate chart marks December the same way (a hollow point on a dashed line).
    rates = soup.select("figure.chart-figure")[1]
    assert "空心点和虚线" in rates.select_one("figcaption").get_text()
    assert [t.get_text() for t in rates.select("text.tick")] == [
        "0%", "20%", "40%", "60%", "80%", "100%"]
    # The table says it too, for December only.
    rows = {r.th.get_text(" ", strip=True): r for r in soup.select("table.data")[0].select("tbody tr")}
    assert set(rows) == {"2026-11", "2026-12 截至今日"}
    assert rows["2026-12 截至今日"].select("td")[0].get_text() == "7"


def test_chart_text_is_never_smaller_than_11px(figures):
    for svg in BeautifulSoup(figures, "html.parser").select("svg.chart"):
        assert min(effective_font_sizes(svg)) >= 11
        box = svg.find_parent("div", class_="chart-scroll")
        assert box["tabindex"] == "0" and "overflow-x:auto" in box["style"]


def test_a_whole_past_period_has_no_partial_label(client, hl, new_ticket):
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 15, 12)):
        new_ticket(received_at=at(2026, 11, 3), notify=False)
    axis = charts.month_axis(at(2026, 6, 1, 0), at(2026, 12, 1, 0), now=at(2026, 12, 15))
    assert axis.partial is None and axis.partial_label == ""
    assert [label.split("\n")[0] for label in axis.labels] == ["6月", "7月", "8月", "9月",
                                                               "10月", "11月"]
    svg = charts.bar_chart(axis.labels, [1, 2, 3, 4, 5, 6], "x", partial=axis.partial)
    assert "截至今日" not in svg and "figcaption" not in svg


def test_admin_analysis_marks_the_current_month(client, hl, new_ticket):
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 15, 12)):
        new_ticket(received_at=at(2026, 12, 2), notify=False)
        new_ticket(received_at=at(2026, 10, 2), notify=False)
        client.force_login(hl["users"]["supervisor"])
        html = client.get(reverse("hotline_analysis")).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert "本月数据截至今日" in soup.select_one("#analysis-period").get_text()
    assert soup.select_one("tr[data-partial] td").get_text() == "2026-12（截至今日）"
    # Six months on the axis, November with no requests counts as 0, not left out.
    volume = soup.select("figure.chart-figure")[0]
    assert [b.get_text() for b in volume.select("rect.bar")][-2:] == [
        "11月：0件", "12月 截至今日：1件"]
