"""线下帮办 in the admin: the list (overdue follow-ups highlighted), and one page per enterprise
request where a helper is named, visits are recorded, the follow-up date is set and the
assistance is closed. Every change goes through ``enterprises.services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from enterprises import services
from enterprises.forms import AssignHelperForm, FollowUpForm, VisitForm
from enterprises.models import Assistance

FILTERS = [("open", gettext_lazy("帮办中")), ("overdue", gettext_lazy("跟进逾期")),
           ("closed", gettext_lazy("已完成")), ("all", gettext_lazy("全部"))]


def _may_use(user):
    return user.has_perm("hotline.view_ticket") or Assistance.objects.filter(helper=user).exists()


def _ticket_for(request, pk):
    """The enterprise request ``pk`` if the user may see it: through the workbench's ticket
    scope, or as the named helper."""
    from hotline import services as hotline_services
    from hotline.models import Ticket

    base = Ticket.objects.select_related("category", "division", "lead_org")
    ticket = hotline_services.visible_tickets(request.user, base).filter(pk=pk).first() \
        if request.user.has_perm("hotline.view_ticket") else None
    if ticket is None:
        ticket = base.filter(pk=pk, assistance__helper=request.user).first()
    if ticket is None or not services.is_enterprise_request(ticket):
        raise Http404
    return ticket


def assistance_index(request):
    if not _may_use(request.user):
        raise PermissionDenied
    from hotline import services as hotline_services
    from hotline.models import OPEN_STATUSES, Channel

    today = timezone.localdate()
    shown = request.GET.get("status") or "open"
    if shown not in dict(FILTERS):
        shown = "open"
    qs = services.visible_assistances(request.user).select_related(
        "ticket", "helper__organisation", "ticket__lead_org").annotate(visit_count=Count("visits"))
    qs = {"open": qs.filter(status=Assistance.Status.OPEN),
          "overdue": qs.filter(status=Assistance.Status.OPEN, follow_up_on__lt=today),
          "closed": qs.filter(status=Assistance.Status.CLOSED),
          "all": qs}[shown].order_by("status", "follow_up_on", "-created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    waiting = []
    if request.user.has_perm("hotline.view_ticket"):
        waiting = (hotline_services.visible_tickets(request.user)
                   .filter(Q(channel=Channel.ENTERPRISE) | ~Q(enterprise_credit_code=""),
                           status__in=OPEN_STATUSES, assistance__isnull=True)
                   .select_related("lead_org").order_by("-received_at")[:20])
        waiting = [t for t in waiting if services.can_assign(request.user, t)]
    counts = services.visible_assistances(request.user).filter(
        status=Assistance.Status.OPEN).aggregate(
        overdue=Count("pk", filter=Q(follow_up_on__lt=today)),
        today=Count("pk", filter=Q(follow_up_on=today)))
    return TemplateResponse(request, "enterprises/admin/assistance/index.html", {
        "page_title": _("线下帮办"), "header_icon": "group", "page": page, "today": today,
        "filters": FILTERS, "shown": shown, "waiting": waiting, "counts": counts,
    })


def assistance_detail(request, pk):
    ticket = _ticket_for(request, pk)
    assistance = Assistance.objects.filter(ticket=ticket).select_related(
        "helper__organisation", "created_by").first()
    may_assign = services.can_assign(request.user, ticket)
    may_record = assistance is not None and assistance.status == Assistance.Status.OPEN and \
        services.can_record(request.user, assistance)
    context = {
        "page_title": _("线下帮办 · %(number)s") % {"number": ticket.number},
        "header_icon": "group", "ticket": ticket, "assistance": assistance,
        "visits": assistance.visits.select_related("recorded_by") if assistance else [],
        "today": timezone.localdate(),
        "may_assign": may_assign and (assistance is None or
                                      assistance.status == Assistance.Status.OPEN),
        "may_record": may_record,
        "may_view_ticket": request.user.has_perm("hotline.view_ticket"),
        "assign_form": AssignHelperForm(user=request.user, initial={
            "helper": assistance.helper_id if assistance else None,
            "follow_up_on": assistance.follow_up_on if assistance else None}),
        "visit_form": VisitForm(initial={"visited_on": timezone.localdate()}),
        "follow_up_form": FollowUpForm(initial={
            "follow_up_on": assistance.follow_up_on if assistance else None}),
    }
    return TemplateResponse(request, "enterprises/admin/assistance/detail.html", context)


def _form_error(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
def assistance_act(request, pk, action):
    ticket = _ticket_for(request, pk)
    assistance = Assistance.objects.filter(ticket=ticket).select_related("ticket").first()
    if action != "assign" and assistance is None:
        messages.error(request, _("请先指派帮办人。"))
        return redirect("enterprises_assistance_detail", pk=ticket.pk)
    try:
        if action == "assign":
            form = AssignHelperForm(request.POST, user=request.user)
            if not form.is_valid():
                return _invalid(request, form, ticket)
            helper = form.cleaned_data["helper"]
            services.assign_helper(ticket, helper, request.user,
                                   follow_up_on=form.cleaned_data["follow_up_on"])
            messages.success(request, _("已指派帮办人：%(name)s。") % {"name": helper.display_name})
        elif action == "visit":
            form = VisitForm(request.POST)
            if not form.is_valid():
                return _invalid(request, form, ticket)
            services.record_visit(assistance, request.user, **form.cleaned_data)
            messages.success(request, _("走访记录已保存。"))
        elif action == "follow_up":
            form = FollowUpForm(request.POST)
            if not form.is_valid():
                return _invalid(request, form, ticket)
            services.set_follow_up(assistance, request.user, form.cleaned_data["follow_up_on"])
            messages.success(request, _("跟进日期已更新。"))
        elif action == "close":
            services.close_assistance(assistance, request.user)
            messages.success(request, _("线下帮办已完成。"))
        else:
            raise Http404
    except services.AssistanceError as exc:
        messages.error(request, str(exc))
    return redirect("enterprises_assistance_detail", pk=ticket.pk)


def _invalid(request, form, ticket):
    _form_error(request, form)
    return redirect("enterprises_assistance_detail", pk=ticket.pk)


def urls():
    return [
        path("enterprises/assistance/", assistance_index, name="enterprises_assistance"),
        path("enterprises/assistance/<int:pk>/", assistance_detail,
             name="enterprises_assistance_detail"),
        path("enterprises/assistance/<int:pk>/<slug:action>/", assistance_act,
             name="enterprises_assistance_act"),
    ]


class AssistanceMenuItem(MenuItem):
    def __init__(self):
        super().__init__(gettext_lazy("线下帮办"), "#", icon_name="group", order=300,
                         name="enterprises-assistance")

    def is_shown(self, request):
        return _may_use(request.user)

    def render_component(self, request):
        self.url = reverse("enterprises_assistance")
        return super().render_component(request)
