"""Workbench views in the Wagtail admin: intake, the ticket page (details, stage deadlines,
timeline, repeat candidates, 会办) with one form per allowed action, the analysis page and the
policy picker's lookup. Every action is handed to ``hotline.workflows.perform``."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import idempotency, params
from core.models import Organisation
from hotline import charts, metrics, policy_picker, services
from hotline.forms import IntakeForm, LinkPolicyForm
from hotline.models import (
    DispatchObjection,
    JointHandling,
    JointMinute,
    Satisfaction,
    Status,
)
from hotline.workflows import TRANSITIONS, TransitionError, allowed_actions, perform

view_required = permission_required("hotline.view_ticket", raise_exception=True)


def _ticket_for(request, pk):
    ticket = get_object_or_404(services.visible_tickets(request.user).select_related(
        "category", "division", "lead_org", "suggested_lead", "merged_into", "repeat_root",
        "repeat_of", "policy"), pk=pk)
    return ticket


def _stage_rows(ticket):
    now = timezone.now()
    rows = []
    for label, deadline, done in [
        (_("签收"), ticket.sign_deadline, ticket.signed_at),
        (_("办理"), ticket.handle_deadline, ticket.replied_at),
        (_("回访"), ticket.callback_deadline,
         ticket.closed_at if ticket.status == Status.CLOSED else None),
    ]:
        if deadline is None:
            state = ""
        elif done:
            state = _("按时") if done <= deadline else _("超时")
        else:
            state = _("已超期") if deadline < now else _("进行中")
        rows.append({"label": label, "deadline": deadline, "done": done, "state": state})
    return rows


@view_required
def ticket_detail(request, pk):
    ticket = _ticket_for(request, pk)
    actions = allowed_actions(ticket, request.user)
    matter = ticket.matter
    joint = JointHandling.objects.filter(matter=matter).first()
    context = {
        "ticket": ticket,
        "page_title": _("工单 %(number)s") % {"number": ticket.number},
        "header_icon": "clipboard-list",
        "actions": actions,
        "events": ticket.events.select_related("actor", "organisation"),
        "stages": _stage_rows(ticket),
        "assisting": [a.organisation for a in ticket.assignments.filter(
            active=True, role="assist").select_related("organisation")],
        "objections": ticket.objections.select_related("organisation", "suggested"),
        "pending_objection": ticket.objections.filter(
            status=DispatchObjection.Status.PENDING).first(),
        "merged": ticket.merged_tickets.all(),
        "candidates": services.candidates_for(ticket) if ticket.status in (
            Status.PENDING_DISPATCH,) else [],
        "matter": matter, "matter_size": services.matter_size(matter),
        "joint": joint,
        "organisations": Organisation.objects.filter(is_active=True).exclude(
            kind=Organisation.Kind.HOTLINE).order_by("kind", "name"),
        "satisfaction_choices": [c for c in Satisfaction.choices if c[0] != "unsatisfied"],
        "suggested_assisting": services.suggest_dispatch(ticket.category, ticket.division)[1],
        "default_deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "attachments": ticket.attachments.all(),
        "link_policy_form": LinkPolicyForm(auto_id="link_%s"),
    }
    return TemplateResponse(request, "hotline/admin/ticket_detail.html", context)


def _action_data(post, action):
    data = {key: post.get(key) for key in ("lead", "note", "reply", "reason", "days", "approve",
                                           "decision", "satisfaction", "resolved", "target",
                                           "suggested")}
    data["assisting"] = [v for v in post.getlist("assisting") if v]
    if post.get("deadline"):
        try:
            data["deadline"] = datetime.strptime(post["deadline"], "%Y-%m-%d").date()
        except ValueError as exc:
            raise TransitionError(_("期限日期格式不正确。")) from exc
    if action == "link_policy":
        form = LinkPolicyForm(post)
        if not form.is_valid():
            raise TransitionError(form.errors["policy"][0])
        data["policy"] = form.cleaned_data["policy"]
    return {k: v for k, v in data.items() if v not in (None, "")}


@view_required
@require_POST
def ticket_act(request, pk, action):
    ticket = _ticket_for(request, pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    try:
        ticket = perform(ticket, action, request.user, **_action_data(request.POST, action))
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s：工单 %(number)s 现为「%(status)s」。") % {
            "action": TRANSITIONS[action].label, "number": ticket.number,
            "status": ticket.get_status_display()})
    return redirect("hotline_ticket_detail", pk=ticket.pk)


@permission_required("hotline.add_ticket", raise_exception=True)
def intake(request):
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # One ticket per form: a second submit of it (double click, retry) opens the first.
            filed = idempotency.submit_once(
                f"hotline.intake:{request.user.pk}", form.submission_key,
                lambda: form.file(request.user), reference=lambda ticket: ticket.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            if filed.repeated:
                messages.info(request, _("该表单已提交过，未重复受理；以下是已受理的工单。"))
            else:
                messages.success(request, _("已受理，工单编号 %(number)s。") % {
                    "number": filed.result.number})
            return redirect("hotline_ticket_detail", pk=filed.reference)
    return TemplateResponse(request, "hotline/admin/intake.html", {
        "form": form, "page_title": _("受理工单"), "header_icon": "plus"})


@view_required
@require_POST
def joint_minute(request, pk):
    joint = get_object_or_404(JointHandling, pk=pk)
    _ticket_for(request, joint.matter_id)  # only people who see the matter may record
    if not (request.user.has_perm("hotline.change_jointhandling") or
            joint.responsible_user_id == request.user.pk):
        raise PermissionDenied
    content = (request.POST.get("content") or "").strip()
    attendees = (request.POST.get("attendees") or "").strip()
    if not content or not attendees:
        messages.error(request, _("请填写参会人员和纪要内容。"))
    else:
        JointMinute.objects.create(joint=joint, held_at=timezone.now(), attendees=attendees,
                                   content=content, recorded_by=request.user)
        messages.success(request, _("会办纪要已保存。"))
    return redirect("hotline_ticket_detail", pk=joint.matter_id)


@require_GET
def policy_lookup(request):
    """The policy picker's list: up to ten live policies matching ``q`` by title or 发文字号, as
    JSON ``[{id, title, doc_number, published_on}]``; bad input → 400 with a Chinese message.
    Staff only: Wagtail's admin URLs require ``wagtailadmin.access_admin``."""
    try:
        query = policy_picker.clean_query(request.GET.get("q"))
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse([policy_picker.as_json(p) for p in policy_picker.find_policies(query)],
                        safe=False, json_dumps_params={"ensure_ascii": False})


@view_required
def analysis(request):
    months = params.parameter(request.GET, "months", params.integer_field(1, 24), default=6)
    start, end = metrics.months_back(months)
    scoped = services.visible_tickets(request.user)
    monthly = metrics.table(start, end, by=("month",), queryset=scoped)
    labels = [f"{row['month']:%Y-%m}" for row in monthly]
    recent_start = timezone.now() - timedelta(days=30)
    context = {
        "page_title": _("工单统计分析"), "header_icon": "table",
        "months": months, "rates": metrics.RATES, "monthly": monthly,
        "departments": metrics.table(start, end, by=("department",), queryset=scoped),
        "categories": metrics.table(start, end, by=("category",), queryset=scoped),
        "clusters": metrics.recurring_clusters(recent_start, timezone.now(),
                                               queryset=scoped),
        "volume_chart": charts.bar_chart(labels, [r["received"] for r in monthly],
                                         _("每月受理量"), unit=_("件")),
        "rate_chart": charts.line_chart(
            labels, [(r.label, [row[r.key] for row in monthly]) for r in metrics.RATES],
            _("每月指标")),
    }
    return TemplateResponse(request, "hotline/admin/analysis.html", context)


@permission_required("hotline.add_calendarday", raise_exception=True)
def calendar_year(request):
    """Enter or correct a year of the holiday calendar in one go, and see the result."""
    from hotline import calendar

    year = params.parameter(request.POST if request.method == "POST" else request.GET, "year",
                            params.year_field(), default=timezone.localdate().year + 1)
    text = request.POST.get("entries", "")
    if request.method == "POST":
        try:
            saved = calendar.save_year_entries(calendar.parse_year_entries(year, text))
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存 %(n)d 天，%(year)d 年的工作日按新设置计算。") % {
                "n": saved, "year": year})
            return redirect(f"{request.path}?year={year}")
    summary = calendar.year_summary(year)
    return TemplateResponse(request, "hotline/admin/calendar_year.html", {
        "page_title": _("节假日年度设置"), "header_icon": "date", "year": year,
        "summary": summary, "entries": text,
        "known": calendar.package_knows(year)})
