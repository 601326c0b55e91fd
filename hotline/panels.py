"""The staff home page (the Wagtail admin dashboard): what waits for each role.

Every app adds its own panels (``hotline.panels``, ``ratings.panels``,
``interpretations.panels``) through ``construct_homepage_panels``; each panel is shown only to
the roles it names (``WorkPanel.roles``). A panel is a list of rows: a label, the number of
items, and the filtered list where those items are; some rows show a few items too. Every
count is read through the query that list uses (here ``queue_tickets``: the workbench's
``visible_tickets`` and its queue filter), so the number on the home page is the number of
rows the link shows. Deadline states are text badges (临期/超期), not colour alone.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from core import roles
from core.permissions import scope_to_user
from hotline import metrics, services
from hotline.models import Alert, DispatchObjection, JointHandling, TicketEvent
from hotline.templatetags.hotline_deadlines import deadline_html
from hotline.viewsets import queue_filter

ITEMS = 5  # how many items a panel lists under a count
OUTCOME_DAYS = 30  # how far back a handler's 延期/异议 outcomes are shown


@dataclass
class Item:
    """One thing under a row: its text, where it is, a note, its deadline (with 待核定 when its
    year's calendar is not entered) and a 临期/超期 badge (``hotline_deadlines``)."""

    text: str
    url: str = ""
    note: str = ""
    badge: str = ""  # "" or an ``Alert`` value: due_soon / overdue
    deadline: object = None  # a datetime

    @property
    def deadline_html(self):
        return deadline_html(self.deadline) if self.deadline else ""


@dataclass
class Row:
    """One count on a panel, linking to the list that shows those items."""

    key: str
    label: str
    count: int
    url: str
    note: str = ""
    badge: str = ""  # "" or an ``Alert`` value, shown as its badge
    items: list = field(default_factory=list)


class WorkPanel(Component):
    """A panel of counts for the members of ``roles``; subclasses give ``rows(user)``."""

    template_name = "hotline/admin/panels/panel.html"
    extra_template = ""  # a template for ``extra(user)``, shown below the rows
    roles = ()
    name = ""
    heading = ""
    order = 40  # before the unread notices (50) and Wagtail's own panels (workflows 210+)

    @classmethod
    def shown_to(cls, user):
        return user.is_active and roles.has_role(user, *cls.roles)

    def rows(self, user):
        raise NotImplementedError

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        return {"panel_id": f"home-{self.name}", "heading": self.heading,
                "rows": self.rows(user), "extra": self.extra(user),
                "extra_template": self.extra_template}

    def extra(self, user):
        """Anything a panel shows below its rows (a table); ``None`` for nothing."""
        return None


def add_panels(request, panels, *classes):
    """Add the panels of ``classes`` that ``request.user`` holds the role for (the
    ``construct_homepage_panels`` hook of each app calls this)."""
    panels.extend(cls() for cls in classes if cls.shown_to(request.user))


# --- Tickets -----------------------------------------------------------------------------------


def queue_tickets(user, queue):
    """The tickets of a workbench queue that ``user`` sees: exactly the rows of
    ``hotline_tickets:index?queue=<queue>`` (``TicketIndexView`` + ``TicketFilterSet``)."""
    return services.visible_tickets(user).filter(queue_filter(queue)).distinct()


def queue_url(queue):
    return f"{reverse('hotline_tickets:index')}?queue={queue}"


def ticket_url(ticket):
    return reverse("hotline_ticket_detail", args=[ticket.pk])


def short_time(moment):
    """``12月18日 17:00``, as the notices write deadlines."""
    moment = timezone.localtime(moment)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def queue_row(user, queue, label, badge=""):
    return Row(queue, label, queue_tickets(user, queue).count(), queue_url(queue), badge=badge)


def ticket_item(ticket, deadline):
    return Item(f"{ticket.number} {ticket.category}", ticket_url(ticket), badge=ticket.alert,
                deadline=deadline)


class DispatcherPanel(WorkPanel):
    """话务员/派单员: what waits for dispatch, objections and extensions to review, and the
    city's tickets due soon or overdue."""

    name = "dispatcher"
    roles = (roles.DISPATCHER,)
    heading = gettext_lazy("派单工作")

    def rows(self, user):
        waiting = queue_tickets(user, "dispatch")
        dispatch = Row("dispatch", _("待派单"), waiting.count(), queue_url("dispatch"))
        oldest = waiting.order_by("received_at", "pk").select_related("category").first()
        if oldest is not None:
            age = timesince(oldest.received_at, timezone.now(), depth=2)
            dispatch.note = _("最早一件已等待 %(age)s") % {"age": age}
            dispatch.items = [Item(f"{oldest.number} {oldest.category}", ticket_url(oldest),
                                   note=_("受理于 %(at)s") % {"at": short_time(oldest.received_at)})]
        return [
            dispatch,
            queue_row(user, "objection", _("派单异议待审核")),
            queue_row(user, "extension", _("延期申请待审核")),
            queue_row(user, "due_soon", _("全市临期工单"), badge=Alert.DUE_SOON),
            queue_row(user, "overdue", _("全市超期工单"), badge=Alert.OVERDUE),
        ]


class HandlerPanel(WorkPanel):
    """承办人: the department's tickets to sign and to answer (nearest deadlines first), and
    the recent decisions on its extension requests and dispatch objections."""

    name = "handler"
    roles = (roles.HANDLER,)
    heading = gettext_lazy("本单位工单")

    def rows(self, user):
        answering = queue_tickets(user, "handling")
        answer = Row("handling", _("待答复（办理中）"), answering.count(), queue_url("handling"))
        answer.items = [ticket_item(t, t.handle_deadline) for t in answering.select_related(
            "category").order_by("handle_deadline", "pk")[:ITEMS]]
        outcomes = recent_outcomes(user)
        return [
            queue_row(user, "sign", _("待签收")),
            answer,
            Row("outcomes", _("近 %(days)d 天延期/异议结果") % {"days": OUTCOME_DAYS},
                len(outcomes), "", items=outcomes[:ITEMS]),
        ]


def recent_outcomes(user, now=None):
    """The decisions of the last ``OUTCOME_DAYS`` days on the extension requests and dispatch
    objections of ``user``'s organisations, newest first: each links to its ticket while the
    ticket is still theirs (an upheld objection moves it to another department)."""
    now = now or timezone.now()
    since = now - timedelta(days=OUTCOME_DAYS)
    visible = services.visible_tickets(user)
    found = []
    for event in (TicketEvent.objects.filter(action="review_extension", created_at__gte=since,
                                              ticket__in=visible.values("pk"))
                  .select_related("ticket")):
        found.append((event.created_at, Item(
            f"{event.ticket.number} {event.label}", ticket_url(event.ticket),
            note=event.note)))
    objections = scope_to_user(DispatchObjection.objects.exclude(
        status=DispatchObjection.Status.PENDING).filter(reviewed_at__gte=since),
        user).select_related("ticket").annotate(
        still_ours=Exists(visible.filter(pk=OuterRef("ticket_id"))))
    for objection in objections:
        found.append((objection.reviewed_at, Item(
            f"{objection.ticket.number} {_('派单异议')}：{objection.get_status_display()}",
            ticket_url(objection.ticket) if objection.still_ours else "",
            note=objection.review_note)))
    return [item for _at, item in sorted(found, key=lambda pair: pair[0], reverse=True)]


class SupervisorPanel(WorkPanel):
    """督办人: overdue tickets, tickets under 督办 and 会办 in progress, and this month so far
    against the same days of last month."""

    name = "supervisor"
    roles = (roles.SUPERVISOR,)
    heading = gettext_lazy("12345 督办")
    extra_template = "hotline/admin/panels/_month.html"

    def rows(self, user):
        joint = JointHandling.objects.filter(status=JointHandling.Status.OPEN, matter__in=(
            services.visible_tickets(user).values("pk")))
        return [
            queue_row(user, "overdue", _("超期工单"), badge=Alert.OVERDUE),
            queue_row(user, "supervised", _("督办中工单")),
            Row("joint", _("会办中事项"), joint.count(),
                f"{reverse('hotline_joint:index')}?status={JointHandling.Status.OPEN}"),
        ]

    def extra(self, user):
        return month_comparison(services.visible_tickets(user))


def same_days_last_month(now):
    """``(start, now)`` of this month so far and ``(start, end)`` of the same days of last
    month (the whole of last month when it is shorter), as local times."""
    now = timezone.localtime(now)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous_start = (start - timedelta(days=1)).replace(day=1)
    previous_end = min(previous_start + (now - start), start)
    return (start, now), (previous_start, previous_end)


def month_comparison(tickets, now=None):
    """This month's figures so far (截至今日) beside the same days of last month: 受理量 and
    every rate of ``hotline.metrics``, computed by ``metrics.table`` over ``tickets``."""
    (start, end), (previous_start, previous_end) = same_days_last_month(now or timezone.now())

    def figures(a, b):
        rows = metrics.table(a, b, by=("month",), queryset=tickets)
        return rows[0] if rows else {"received": 0, **{r.key: None for r in metrics.RATES}}

    current, previous = figures(start, end), figures(previous_start, previous_end)
    last_day = previous_end - timedelta(microseconds=1)
    lines = [{"label": _("受理量（件）"), "current": current["received"],
              "previous": previous["received"],
              "change": change(current["received"], previous["received"], "")}]
    for rate in metrics.RATES:
        lines.append({"label": f"{rate.label}（%）", "current": current[rate.key],
                      "previous": previous[rate.key],
                      "change": change(current[rate.key], previous[rate.key], _("个百分点"))})
    return {
        "current_label": _("本月截至今日（%(m)d月1日—%(m)d月%(d)d日）") % {
            "m": start.month, "d": end.day},
        "previous_label": _("上月同期（%(m)d月1日—%(m)d月%(d)d日）") % {
            "m": previous_start.month, "d": last_day.day},
        "lines": lines, "url": reverse("hotline_analysis"),
    }


def change(current, previous, unit):
    """上升/下降/持平 in words (never colour alone); "—" when either side has no value."""
    if current is None or previous is None:
        return "—"
    difference = round(current - previous, 1)
    if difference == 0:
        return _("持平")
    amount = f"{abs(difference):g}{unit}"
    return (_("上升 %(n)s") if difference > 0 else _("下降 %(n)s")) % {"n": amount}
