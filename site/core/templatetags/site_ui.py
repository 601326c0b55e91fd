"""Building blocks of the public site's pages that every app uses the same way.

``{% load site_ui %}``

- ``field|error_anchor``: the id of the element a link to ``field`` should land on (the error
  summary links to it): the input itself, or the first choice of a group of radios or boxes.
- ``field|summary_label``: the field's label to put before its message in the error summary
  (without the full stop a sentence-long label such as a consent box's ends with).
- ``{% scroll_region label %}…{% end_scroll_region %}``: a box that scrolls sideways on a narrow
  screen (a wide table), reachable and scrollable by keyboard and named for screen readers.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def error_anchor(field):
    if field.is_hidden:
        return ""
    if field.field.widget.use_fieldset:
        for choice in field.subwidgets:
            return choice.id_for_label
    return field.id_for_label or field.auto_id


@register.filter
def summary_label(field):
    return str(field.label or "").rstrip("。.：: ")


@register.tag
def scroll_region(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: its label")
    label = parser.compile_filter(bits[1])
    nodelist = parser.parse(("end_scroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode(label, nodelist)


class ScrollRegionNode(template.Node):
    def __init__(self, label, nodelist):
        self.label, self.nodelist = label, nodelist

    def render(self, context):
        # tabindex="0": a keyboard user scrolls it with the arrow keys (WCAG 2.1.1); role and
        # name say what the stop is.
        return format_html('<div class="table-wrap" tabindex="0" role="region" aria-label="{}">'
                           "{}</div>", self.label.resolve(context), self.nodelist.render(context))
