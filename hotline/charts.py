"""Small server-side SVG charts (no JavaScript): bars for counts, lines for rates.

Readable on every screen:
- text is ``FONT`` px in the chart's own units and the chart is never drawn narrower than
  ``MIN_SCALE`` of its natural width (its box scrolls sideways on a phone instead), so no text
  ends up below about 11 px; the natural width grows with the number of categories;
- category labels wrap (Chinese wraps anywhere) within their slot, so they never overlap;
- the value axis has round ticks in 1-2-5 steps (``nice_ticks``);
- series differ by marker shape as well as colour.

A partial period — the month that has not ended yet (``month_axis``) — is drawn apart (a hatched
bar; a hollow point reached by a dashed line), labelled 截至今日, and the note under the chart
says it is not compared with whole months.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

PALETTE = ["#1d5fbf", "#b35c00", "#2e7d4f", "#b23b3b", "#6b4fbb"]
MARKERS = ["circle", "square", "diamond", "triangle", "cross"]
FONT = 13  # px in chart units
LINE_HEIGHT = 16
MIN_SCALE = 0.85  # 13 px × 0.85 ≈ 11 px at the narrowest
MAX_SCALE = 1.4
MIN_STEP = 52  # the narrowest slot of one category
MIN_WIDTH = 360
TEXT = "#222"
MUTED = "#4d4d4d"
GRID = "#e3e6ea"


# --- Axis ticks and text measures ------------------------------------------------------------


def nice_ticks(top, intervals=5, integer=False):
    """Ticks from 0 to at least ``top`` in round steps (1, 2 or 5 × 10ⁿ), at most ``intervals``
    steps: ``nice_ticks(37) == [0, 10, 20, 30, 40]``. Counts (``integer``) never step below 1."""
    if not top or top <= 0:
        return [0, 1]
    raw = top / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, round(step))
    count = math.ceil(top / step - 1e-9)
    ticks = [round(i * step, 10) for i in range(count + 1)]
    return [int(t) if float(t).is_integer() else t for t in ticks]


def _tick_label(value, suffix=""):
    return f"{value:g}{suffix}"


def text_width(text, size=FONT):
    """Rough width of ``text`` in px: Chinese characters a full em, others about 0.6 em."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def wrap(text, width, size=FONT):
    """``text`` broken into lines no wider than ``width``: Chinese anywhere, other words whole."""
    lines = []
    for paragraph in str(text).split("\n"):
        line, tokens = "", []
        for ch in paragraph:  # keep runs of Latin letters/digits together
            if tokens and ord(ch) < 0x2E80 and ord(tokens[-1][-1]) < 0x2E80 and ch != " ":
                tokens[-1] += ch
            else:
                tokens.append(ch)
        for token in tokens:
            if line and text_width(line + token, size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line)
    return lines


# --- Months ---------------------------------------------------------------------------------------


def _month_key(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.year, value.month


@dataclass
class MonthAxis:
    """The months of a period up to today: ``months`` (first days), ``partial`` (the index of
    the month that has not ended, or None) and their chart labels."""

    months: list
    partial: int | None
    today: date

    @property
    def labels(self):
        result = []
        for i, month in enumerate(self.months):
            lines = [_("%(m)d月") % {"m": month.month}]
            if i == 0 or month.month == 1:
                lines.append(_("%(y)d年") % {"y": month.year})
            if i == self.partial:
                lines.append(_("截至今日"))
            result.append("\n".join(lines))
        return result

    @property
    def partial_label(self):
        """``12月（截至12月4日）`` for the notes and tables, or ""."""
        if self.partial is None:
            return ""
        return _("%(m)d月数据截至今日（%(m)d月%(d)d日）") % {"m": self.today.month,
                                                      "d": self.today.day}

    def values(self, rows, key, empty=None):
        """``rows[key]`` for each month (rows carry ``month``); ``empty`` for a month with
        no row."""
        by_month = {_month_key(row["month"]): row.get(key) for row in rows}
        return [by_month.get((m.year, m.month), empty) for m in self.months]

    def mark(self, rows):
        """Set ``row["partial"]`` on each row: True for the month that has not ended."""
        partial = (None if self.partial is None else
                   (self.months[self.partial].year, self.months[self.partial].month))
        for row in rows:
            row["partial"] = _month_key(row["month"]) == partial
        return rows


def month_axis(start, end, now=None):
    """The months from ``start`` up to ``end`` (exclusive) that have begun by ``now``; the one
    containing ``now`` is partial (截至今日) unless ``end`` cuts it first."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    first, (last_y, last_m) = date(*_month_key(start), 1), _month_key(end)
    months, month = [], first
    while (month.year, month.month) < (last_y, last_m) and month <= today:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end_day = end.date() if isinstance(end, datetime) else end
    partial = next((i for i, m in enumerate(months)
                    if (m.year, m.month) == (today.year, today.month) and end_day > today), None)
    return MonthAxis(months, partial, today)


# --- Drawing ----------------------------------------------------------------------------------------


def _uid(*parts):
    return "c" + hashlib.sha1(repr(parts).encode()).hexdigest()[:8]


def _balanced(line):
    """The width a label line needs: its own when short (three characters or so), else about
    half of it, for two lines."""
    need = text_width(line)
    if need > 3 * FONT:
        return max(text_width(part) for part in wrap(line, need / 2 + FONT / 2)), True
    return need, False


def _label_layout(labels, plot_min):
    """(slot width, lines per label): every slot as wide as the widest label needs, a long
    line wrapped onto two lines only when the slot is narrower than it."""
    step = max([MIN_STEP] + [_balanced(line)[0] + 8 for label in labels
                             for line in str(label).split("\n")])
    step = max(step, plot_min / max(len(labels), 1))
    lines = []
    for label in labels:
        wrapped = []
        for line in str(label).split("\n"):
            if text_width(line) <= step - 6:
                wrapped.append(line)
            else:
                wrapped += wrap(line, text_width(line) / 2 + FONT / 2)
        lines.append(wrapped)
    return step, lines


def _frame(uid, title, width, height, body, note):
    svg = (f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
           f'height="{height:.0f}" role="img" aria-labelledby="{uid}-t" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" '
           f'style="display:block;width:100%;height:auto;'
           f'min-width:{width * MIN_SCALE:.0f}px;max-width:{width * MAX_SCALE:.0f}px">'
           f'<title id="{uid}-t">{escape(title)}</title>{"".join(body)}</svg>')
    caption = format_html('<figcaption class="chart-note" data-partial-note style="font-size:.875rem;'
                          'margin:.4rem 0 0">{}</figcaption>', note) if note else ""
    return mark_safe(
        f'<figure class="chart-figure" style="margin:0 0 1rem">'
        f'<div class="chart-scroll" tabindex="0" role="region" aria-label="{escape(title)}" '
        f'style="overflow-x:auto;max-width:100%">{svg}</div>{caption}</figure>')


def _text(x, y, lines, anchor="middle", size=FONT, fill=MUTED, weight="", kind=""):
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines))
    bold = f' font-weight="{weight}"' if weight else ""
    css = f' class="{kind}"' if kind else ""
    return (f'<text{css} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{bold}>{spans}</text>')


def _value_axis(ticks, top, pad_l, pad_t, inner_h, right, suffix=""):
    parts = []
    for value in ticks:
        y = pad_t + inner_h * (1 - value / top)
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(_text(pad_l - 6, y + FONT * 0.35, [_tick_label(value, suffix)], "end",
                           kind="tick"))
    return parts


def _marker(kind, x, y, colour, hollow=False):
    fill = "#fff" if hollow else colour
    style = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {style}/>'
    if kind == "diamond":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
                f'{x - 5:.1f},{y:.1f}" {style}/>')
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} '
                f'{x - 5:.1f},{y + 4:.1f}" {style}/>')
    if kind == "cross":
        return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},'
                f'{y + 4:.1f}L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2.5"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {style}/>'


def _partial_note(kind, partial_label):
    if not partial_label:
        return ""
    how = _("斜线条纹") if kind == "bar" else _("空心点和虚线")
    return _("%(label)s，该月尚未结束：图中用%(how)s标出，不与整月比较。") % {
        "label": partial_label, "how": how}


def bar_chart(labels, values, title, unit="", partial=None, partial_label="", width=None,
              height=260):
    """Bars for counts. ``partial``: the index of a period still running (drawn hatched and
    labelled 截至今日 by its label); ``partial_label`` the note under the chart."""
    uid = _uid("bar", title, tuple(labels), tuple(values))
    values = [v or 0 for v in values]
    ticks = nice_ticks(max(values or [0]), integer=all(float(v).is_integer() for v in values))
    top = ticks[-1]
    pad_l = max(text_width(_tick_label(t)) for t in ticks) + 14
    pad_t, pad_r = 22, 12
    step, lines = _label_layout(labels, (width or MIN_WIDTH) - pad_l - pad_r)
    width = pad_l + step * len(labels) + pad_r
    label_h = max((len(ls) for ls in lines), default=1) * LINE_HEIGHT
    inner_h = height - pad_t - label_h - 14
    height = pad_t + inner_h + label_h + 14
    base = pad_t + inner_h
    parts = [f'<defs><pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#d6e2f5"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" stroke="{PALETTE[0]}" stroke-width="2.5"/>'
             f'</pattern></defs>']
    parts += _value_axis(ticks, top, pad_l, pad_t, inner_h, width - pad_r)
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        h = inner_h * value / top
        x = pad_l + i * step + step * 0.18
        bar_w = step * 0.64
        is_partial = i == partial
        fill = f"url(#{uid}-hatch)" if is_partial else PALETTE[0]
        edge = f' stroke="{PALETTE[0]}" stroke-dasharray="4 2"' if is_partial else ""
        tip = str(label).replace("\n", " ")
        parts.append(f'<rect class="bar{" partial" if is_partial else ""}" x="{x:.1f}" '
                     f'y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                     f'fill="{fill}"{edge}><title>{escape(tip)}：'
                     f"{value:g}{escape(unit)}</title></rect>")
        parts.append(_text(x + bar_w / 2, base - h - 5, [f"{value:g}"], fill=TEXT,
                           kind="value"))
        parts.append(_text(x + bar_w / 2, base + FONT + 4, lines[i],
                           weight="700" if is_partial else "", kind="label"))
    parts.append(f'<line x1="{pad_l}" y1="{base:.1f}" x2="{width - pad_r:.1f}" y2="{base:.1f}" '
                 f'stroke="#888"/>')
    note = _partial_note("bar", partial_label) if partial is not None else ""
    return _frame(uid, title, width, height, parts, note)


def line_chart(labels, series, title, partial=None, partial_label="", width=None, height=260):
    """Lines for rates in percent. ``series``: list of (name, values, None for no value).
    ``partial``: the index of a period still running (hollow point on a dashed segment)."""
    uid = _uid("line", title, tuple(labels), tuple((str(n), tuple(v)) for n, v in series))
    ticks = nice_ticks(100)
    top = ticks[-1]
    pad_l = max(text_width(_tick_label(t, "%")) for t in ticks) + 14
    pad_t, pad_r = 14, 12
    step, lines = _label_layout(labels, (width or MIN_WIDTH) - pad_l - pad_r)
    width = pad_l + step * len(labels) + pad_r
    label_h = max((len(ls) for ls in lines), default=1) * LINE_HEIGHT
    # The legend flows in rows under the labels.
    legend, x, row = [], pad_l, 0
    for s, (name, _values) in enumerate(series):
        item_w = 22 + text_width(str(name)) + 18
        if x + item_w > width - pad_r and x > pad_l:
            x, row = pad_l, row + 1
        legend.append((s, name, x, row))
        x += item_w
    legend_h = (row + 1) * (LINE_HEIGHT + 6)
    inner_h = height - pad_t - label_h - 16 - legend_h
    base = pad_t + inner_h
    height = base + label_h + 16 + legend_h
    parts = _value_axis(ticks, top, pad_l, pad_t, inner_h, width - pad_r, "%")
    for i in range(len(labels)):
        parts.append(_text(pad_l + (i + 0.5) * step, base + FONT + 6, lines[i],
                           weight="700" if i == partial else "", kind="label"))
    for s, (_name, values) in enumerate(series):
        colour, marker = PALETTE[s % len(PALETTE)], MARKERS[s % len(MARKERS)]
        points = [(i, pad_l + (i + 0.5) * step, pad_t + inner_h * (1 - v / top))
                  for i, v in enumerate(values) if v is not None]
        for (i, x1, y1), (j, x2, y2) in zip(points, points[1:], strict=False):
            dashed = ' stroke-dasharray="5 4"' if partial in (i, j) else ""
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                         f'stroke="{colour}" stroke-width="2"{dashed}/>')
        for i, x1, y1 in points:
            parts.append(_marker(marker, x1, y1, colour, hollow=i == partial))
    for s, name, x, row in legend:
        colour, marker = PALETTE[s % len(PALETTE)], MARKERS[s % len(MARKERS)]
        y = base + label_h + 16 + row * (LINE_HEIGHT + 6) + LINE_HEIGHT / 2
        parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 18:.1f}" y2="{y:.1f}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts.append(_marker(marker, x + 9, y, colour))
        parts.append(_text(x + 24, y + FONT * 0.35, [str(name)], "start", fill=TEXT,
                           kind="legend"))
    note = _partial_note("line", partial_label) if partial is not None else ""
    return _frame(uid, title, width, height, parts, note)
