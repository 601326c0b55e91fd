"""Workbench listings in the Wagtail admin: tickets (queues, filters, CSV export), the dispatch
catalogue, time limits, the holiday calendar, the category tree and 会办."""

import django_filters
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup

from core.models import Division
from core.privacy import mask_name, mask_phone
from core.viewsets import ModelViewSet
from hotline import calendar, services
from hotline.models import (
    OPEN_STATUSES,
    Alert,
    CalendarDay,
    Category,
    DispatchObjection,
    DispatchRule,
    JointHandling,
    Status,
    Ticket,
    TicketEvent,
    TimeLimit,
)
from hotline.templatetags.hotline_deadlines import alert_badge_html, deadline_html

QUEUES = [
    ("dispatch", _("待派单")),
    ("sign", _("待签收")),
    ("handling", _("办理中")),
    ("review", _("待审核答复")),
    ("callback", _("待回访")),
    ("due_soon", _("临期")),
    ("overdue", _("超期")),
    ("objection", _("派单异议")),
    ("supervised", _("督办中")),
    ("extension", _("延期申请")),
    ("repeat", _("重复诉求")),
    ("joint", _("会办")),
]
ACTIVE = [Status.PENDING_SIGN, Status.IN_PROGRESS, Status.REPLIED, Status.PENDING_CALLBACK]


def queue_filter(name):
    pending_objection = DispatchObjection.objects.filter(
        ticket=OuterRef("pk"), status=DispatchObjection.Status.PENDING)
    joint = JointHandling.objects.filter(matter=OuterRef("repeat_root"))
    supervised = TicketEvent.objects.filter(ticket=OuterRef("pk"), action="supervise")
    return {
        "dispatch": Q(status=Status.PENDING_DISPATCH),
        "sign": Q(status=Status.PENDING_SIGN),
        "handling": Q(status=Status.IN_PROGRESS),
        "review": Q(status=Status.REPLIED),
        "callback": Q(status=Status.PENDING_CALLBACK),
        "due_soon": Q(alert=Alert.DUE_SOON, status__in=ACTIVE),
        "overdue": Q(alert=Alert.OVERDUE, status__in=ACTIVE),
        "objection": Exists(pending_objection),
        # 督办中: a supervisor set a new deadline and the department has not answered yet.
        "supervised": Exists(supervised) & Q(status__in=[Status.PENDING_SIGN,
                                                         Status.IN_PROGRESS]),
        "extension": Q(pending_extension_days__isnull=False, status=Status.IN_PROGRESS),
        "repeat": Q(repeat_root__isnull=False) | Q(repeats__isnull=False),
        "joint": Q(joint_handling__isnull=False) | Exists(joint),
    }[name]


class TicketFilterSet(WagtailFilterSet):
    queue = django_filters.ChoiceFilter(label=_("队列"), choices=QUEUES, method="filter_queue",
                                        empty_label=_("全部"))
    received_at = django_filters.DateFromToRangeFilter(label=_("受理日期"),
                                                       widget=DateRangePickerWidget)
    division = django_filters.ModelChoiceFilter(
        label=_("区划（含下级）"), method="filter_division",
        queryset=Division.objects.filter(level__lte=Division.Level.TOWNSHIP))
    category = django_filters.ModelChoiceFilter(label=_("分类（含下级）"),
                                                method="filter_category",
                                                queryset=Category.objects.all())

    class Meta:
        model = Ticket
        fields = ["queue", "status", "alert", "channel", "urgency", "category", "division",
                  "lead_org", "received_at"]

    def filter_division(self, queryset, name, value):
        return queryset.filter(division__code__startswith=value.prefix) if value else queryset

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        ids, frontier = {value.pk}, [value.pk]
        while frontier:
            frontier = [pk for pk in Category.objects.filter(parent_id__in=frontier)
                        .values_list("pk", flat=True) if pk not in ids]
            ids.update(frontier)
        return queryset.filter(category_id__in=ids)

    def filter_queue(self, queryset, name, value):
        return queryset.filter(queue_filter(value)).distinct() if value else queryset


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def caller(ticket):
    return f"{mask_name(ticket.caller_name)} {mask_phone(ticket.caller_phone)}"


def detail_url(ticket):
    return reverse("hotline_ticket_detail", args=[ticket.pk])


class TicketNumberColumn(TitleColumn):
    """The ticket number, linking to its page, with the 临期/超期 badge right under it: the
    first thing in the row, so a phone shows it without scrolling sideways."""

    cell_template_name = "hotline/admin/_ticket_title_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["badge"] = alert_badge_html(instance.alert)
        # On a phone the number breaks only after its hyphens, never inside a part.
        context["value"] = format_html(
            '<span style="word-break:normal;overflow-wrap:normal">{}</span>', instance.number)
        return context


class TicketIndexView(generic.IndexView):
    """Tickets are added through intake and changed only through actions on their page."""

    def get_add_url(self):
        return reverse("hotline_intake")

    def get_edit_url(self, instance):
        return detail_url(instance)

    def get_inspect_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_base_queryset(self):
        qs = super().get_base_queryset().select_related("category", "division", "lead_org")
        return services.visible_tickets(self.request.user, qs)

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for key in ("status", "channel", "alert", "urgency"):
            if key in row:
                row[key] = getattr(item, f"get_{key}_display")()
        return row


class TicketViewSet(ModelViewSet):
    """The workbench list. Caller names and phones are masked in the list and in exports; the
    full details are on the ticket page for the people handling it."""

    model = Ticket
    icon = "clipboard-list"
    menu_label = _("工单")
    add_to_admin_menu = False
    index_view_class = TicketIndexView
    filterset_class = TicketFilterSet
    search_fields = ["number", "content", "address"]
    ordering = ["-received_at"]
    list_per_page = 50
    list_display = [
        TicketNumberColumn("number", label=_("工单编号"), get_url=detail_url),
        Column("status", label=_("状态"), accessor="get_status_display"),
        Column("category", label=_("分类")),
        Column("division", label=_("区划"), accessor="division.name"),
        Column("caller", label=_("诉求人"), accessor=caller),
        Column("lead_org", label=_("主办单位")),
        Column("received_at", label=_("受理时间"), accessor=lambda t: local(t.received_at)),
        Column("deadline", label=_("当前环节期限"),
               accessor=lambda t: deadline_html(t.current_deadline)),
    ]
    list_export = ["number", "status", "alert", "channel", "urgency", "category", "division",
                   "address", "masked_caller_name", "masked_caller_phone", "lead_org",
                   "received_at", "dispatched_at", "replied_at", "closed_at", "handle_deadline"]
    export_headings = {"number": _("工单编号"), "status": _("状态"), "alert": _("预警"),
                       "channel": _("渠道"), "urgency": _("紧急程度"), "category": _("分类"),
                       "division": _("区划"), "address": _("地址"),
                       "masked_caller_name": _("诉求人"), "masked_caller_phone": _("联系电话"),
                       "lead_org": _("主办单位"), "received_at": _("受理时间"),
                       "dispatched_at": _("派单时间"), "replied_at": _("答复时间"),
                       "closed_at": _("办结时间"), "handle_deadline": _("办理期限")}
    export_filename = "hotline-tickets"
    form_fields = []

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in {"index", "index_results"}]


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "list-ul"
    menu_label = _("诉求分类")
    list_display = ["full_name", "kind", "is_active", "sort_order"]
    column_labels = {"full_name": _("分类")}
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    form_fields = ["name", "parent", "kind", "sort_order", "is_active"]


class DispatchRuleViewSet(ModelViewSet):
    model = DispatchRule
    icon = "site"
    menu_label = _("派单目录")
    list_display = ["category", "division", "lead", "basis", "is_active"]
    list_empty_labels = {"division": _("全市")}
    list_filter = ["category", "lead", "is_active"]
    form_fields = ["category", "division", "lead", "assisting", "basis", "is_active"]
    list_export = ["category", "division", "lead", "basis", "is_active"]
    export_filename = "dispatch-catalogue"


class TimeLimitViewSet(ModelViewSet):
    model = TimeLimit
    icon = "time"
    menu_label = _("办理时限")
    list_display = ["category", "urgency", "sign_hours", "handle_days", "callback_days"]
    list_empty_labels = {"category": _("所有分类（默认）")}
    list_filter = ["urgency"]
    form_fields = ["category", "urgency", "sign_hours", "handle_days", "callback_days"]


class CalendarChangeMixin:
    """Adding, changing or deleting a day of the holiday calendar recomputes the open ticket
    deadlines it moves (``hotline.calendar.changing``) and says how many."""

    def post(self, request, *args, **kwargs):
        with calendar.changing(request.user) as result:
            response = super().post(request, *args, **kwargs)
        if result.tickets:
            messages.info(request, ngettext(
                "%(n)d 件在办工单的期限已按新的节假日安排重算，办理记录中有说明。",
                "%(n)d 件在办工单的期限已按新的节假日安排重算，办理记录中有说明。",
                len(result.tickets)) % {"n": len(result.tickets)})
        return response


class CalendarDayCreateView(CalendarChangeMixin, generic.CreateView):
    pass


class CalendarDayEditView(CalendarChangeMixin, generic.EditView):
    pass


class CalendarDayDeleteView(CalendarChangeMixin, generic.DeleteView):
    pass


class CalendarDayViewSet(ModelViewSet):
    model = CalendarDay
    add_view_class = CalendarDayCreateView
    edit_view_class = CalendarDayEditView
    delete_view_class = CalendarDayDeleteView
    icon = "date"
    menu_label = _("节假日与调休")
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    form_fields = ["date", "is_workday", "note"]


class JointIndexView(generic.IndexView):
    def get_add_url(self):
        return None

    def get_delete_url(self, instance):
        return None

    def get_base_queryset(self):
        qs = super().get_base_queryset().select_related("matter")
        visible = services.visible_tickets(self.request.user).values("pk")
        return qs.filter(matter__in=visible)


class JointHandlingViewSet(ModelViewSet):
    model = JointHandling
    icon = "group"
    menu_label = _("会办")
    add_to_admin_menu = False
    index_view_class = JointIndexView
    list_display = [TitleColumn("matter", label=_("诉求事项"),
                                get_url=lambda j: detail_url(j.matter)),
                    "responsible_name",
                    Column("deadline", label=_("会办期限"),
                           accessor=lambda j: deadline_html(j.deadline, fmt="%Y-%m-%d")),
                    "status", "repeat_count", "created_at"]
    list_filter = ["status"]
    form_fields = ["responsible_name", "responsible_user", "organisations", "deadline",
                   "status", "conclusion"]

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in {"index", "index_results",
                                                                    "edit"}]


class HotlineSettingsGroup(ModelViewSetGroup):
    menu_label = _("12345 设置")
    menu_icon = "cog"
    menu_order = 850
    items = (CategoryViewSet("hotline_categories"), DispatchRuleViewSet("hotline_catalogue"),
             TimeLimitViewSet("hotline_limits"), CalendarDayViewSet("hotline_calendar"))


__all__ = ["OPEN_STATUSES", "QUEUES", "HotlineSettingsGroup", "JointHandlingViewSet",
           "TicketViewSet", "queue_filter"]
