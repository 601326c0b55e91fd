"""Reading a chart as a person sees it: the size its text is drawn at, and whether any two
of its texts overlap (shared by the hotline and ratings chart tests)."""

import re

# For every chart on the page: the smallest text in px as drawn, and the pairs of texts whose
# boxes overlap.
CHART_TEXT_JS = """() => Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = Array.from(svg.querySelectorAll('text'));
  const sizes = texts.map(t => parseFloat(t.getAttribute('font-size')) * scale);
  const boxes = texts.map(t => t.getBoundingClientRect());
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
        a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      overlaps.push([texts[i].textContent, texts[j].textContent]);
  }
  return {title: svg.querySelector('title').textContent, smallest: Math.min(...sizes),
          overlaps};
})"""


def effective_font_sizes(svg):
    """The smallest text size (px) of a chart drawn at its narrowest (its min-width)."""
    view_width = float(svg["viewbox"].split()[2])
    narrowest = float(re.search(r"min-width:(\d+)px", svg["style"]).group(1))
    return [float(t["font-size"]) * narrowest / view_width for t in svg.select("text")]
