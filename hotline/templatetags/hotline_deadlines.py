"""Deadline badges, the one way every page shows a ticket's deadline state: 临期 (yellow) and
超期 (red) as text badges, not colour alone, and 待核定 beside a deadline that falls in a year
whose holidays are not entered yet (``hotline.calendar.is_provisional``).

    {% load hotline_deadlines %}
    {% alert_badge ticket.alert %}            临期/超期, or nothing
    {% deadline_text ticket.current_deadline %}  "2027-01-08 18:00" (+ 待核定)
    {% ticket_deadline ticket %}              the current stage's deadline and its badges

Python callers (admin list columns) use ``alert_badge_html`` and ``deadline_html``.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from hotline import calendar
from hotline.models import Alert

register = template.Library()

BADGES = {
    Alert.DUE_SOON: (_("临期"), _("距离期限不足一个工作日")),
    Alert.OVERDUE: (_("超期"), _("已超过期限")),
    "provisional": (_("待核定"), _("该年度节假日安排尚未录入，期限暂按周一至周五计算，录入后自动重算")),
}


def badge_html(kind):
    """One badge (``due_soon``, ``overdue`` or ``provisional``), or "" for anything else."""
    if kind not in BADGES:
        return ""
    label, title = BADGES[kind]
    return mark_safe(render_to_string("hotline/_deadline_badge.html", {
        "kind": kind, "label": label, "title": title}).strip())


def alert_badge_html(alert):
    return badge_html(alert) if alert in (Alert.DUE_SOON, Alert.OVERDUE) else ""


def deadline_html(moment, alert="", fmt="%Y-%m-%d %H:%M", empty="—"):
    """The deadline as text, with 待核定 when its year is not entered and the 临期/超期 badge
    of ``alert`` when given."""
    if moment is None:
        return empty
    text = timezone.localtime(moment).strftime(fmt)
    badges = [b for b in (badge_html("provisional") if calendar.is_provisional(moment) else "",
                          alert_badge_html(alert)) if b]
    return format_html('<span class="zct-deadline">{}{}</span>', text,
                       mark_safe("".join(f" {b}" for b in badges)))


@register.simple_tag
def alert_badge(alert):
    return alert_badge_html(alert)


@register.simple_tag
def deadline_text(moment, fmt="%Y-%m-%d %H:%M"):
    return deadline_html(moment, fmt=fmt)


@register.simple_tag
def ticket_deadline(ticket):
    """The deadline of the ticket's current stage with its 临期/超期/待核定 badges."""
    return deadline_html(ticket.current_deadline, alert=ticket.alert)
