"""Small server-side SVG charts (no JavaScript): bars for counts, lines for rates."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#1d5fbf", "#d9822b", "#2e8b57", "#b23b3b", "#6b4fbb"]


def bar_chart(labels, values, title, unit="", width=640, height=260):
    pad_l, pad_b, pad_t = 48, 40, 24
    inner_w, inner_h = width - pad_l - 12, height - pad_b - pad_t
    top = max(values or [0]) or 1
    step = inner_w / max(len(values), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i in range(5):
        y = pad_t + inner_h * i / 4
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - 12}" y2="{y:.1f}" '
                     f'stroke="#e3e6ea"/><text x="{pad_l - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11" fill="#555">'
                     f"{round(top * (4 - i) / 4)}</text>")
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        h = inner_h * value / top
        x = pad_l + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{pad_t + inner_h - h:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}：'
                     f"{value}{escape(unit)}</title></rect>")
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{pad_t + inner_h - h - 4:.1f}" '
                     f'text-anchor="middle" font-size="11" fill="#222">{value}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - pad_b + 16}" '
                     f'text-anchor="middle" font-size="11" fill="#555">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(labels, series, title, width=640, height=260):
    """``series``: list of (name, values in percent or None)."""
    pad_l, pad_b, pad_t, pad_r = 48, 56, 24, 36
    inner_w, inner_h = width - pad_l - pad_r, height - pad_b - pad_t
    step = inner_w / max(len(labels) - 1, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i in range(5):
        y = pad_t + inner_h * i / 4
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - 12}" y2="{y:.1f}" '
                     f'stroke="#e3e6ea"/><text x="{pad_l - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11" fill="#555">{100 - 25 * i}%</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{pad_l + i * step:.1f}" y="{pad_t + inner_h + 16}" '
                     f'text-anchor="middle" font-size="11" fill="#555">{escape(label)}</text>')
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(pad_l + i * step, pad_t + inner_h * (1 - v / 100))
                  for i, v in enumerate(values) if v is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
                      for x, y in points]
        lx = pad_l + s * 110
        parts.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{lx + 16}" y="{height - 8}" font-size="12" '
                     f'fill="#222">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
