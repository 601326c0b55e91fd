"""Workbench views in the Wagtail admin: intake, the ticket page (details, stage deadlines,
timeline, repeat candidates, 会办) with one form per allowed action, the analysis page and the
policy picker's lookup. Every action is handed to ``hotline.workflows.perform``."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from core import idempotency, params
from core.models import Organisation
from hotline import charts, metrics, policy_picker, services
from hotline.forms import CallbackForm, IntakeForm, LinkPolicyForm
from hotline.models import (
    DispatchObjection,
    JointHandling,
    JointMinute,
    Status,
)
from hotline.workflows import (
    CALLBACK_ATTEMPTS,
    TRANSITIONS,
    TransitionError,
    allowed_actions,
    callback_attempts,
    next_attempt_day,
    perform,
)

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


def _lead_options(organisations, suggested_id, exclude_id=None):
    """The 主办单位 choices of 派单/改派: the catalogue's suggestion (``suggested_id``) is the
    only one preselected, and it is marked 目录建议; ``exclude_id`` (the present lead, for 改派)
    is left out."""
    return [{"org": o, "suggested": o.pk == suggested_id} for o in organisations
            if o.pk != exclude_id]


def _render_detail(request, ticket, failed=None, errors=None):
    """The ticket page; after a refused action with field errors, ``failed`` names the action
    and its form shows what was submitted with each message beside its field."""
    actions = allowed_actions(ticket, request.user)
    matter = ticket.matter
    joint = JointHandling.objects.filter(matter=matter).first()
    organisations = list(Organisation.objects.filter(is_active=True).exclude(
        kind=Organisation.Kind.HOTLINE).order_by("kind", "name"))
    callback_form = CallbackForm(request.POST if failed == "callback" else None)
    if failed == "callback":
        callback_form.show_errors(errors or {})
    attempts = callback_attempts(ticket) if ticket.status == Status.PENDING_CALLBACK else []
    lead_options = {
        "dispatch": _lead_options(organisations, ticket.suggested_lead_id),
        "redispatch": _lead_options(organisations, ticket.suggested_lead_id,
                                    exclude_id=ticket.lead_org_id),
    }
    context = {
        "ticket": ticket,
        "page_title": _("工单 %(number)s") % {"number": ticket.number},
        "header_icon": "clipboard-list",
        "actions": actions,
        "failed_action": failed,
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
        "organisations": organisations,
        "lead_options": lead_options,
        "lead_suggestion": {action: next((row["org"] for row in rows if row["suggested"]), None)
                            for action, rows in lead_options.items()},
        "suggested_assisting": services.suggest_dispatch(ticket.category, ticket.division)[1],
        "callback_form": callback_form,
        "callback_attempts": attempts,
        "callback_attempts_left": CALLBACK_ATTEMPTS - len(attempts),
        "next_attempt_day": next_attempt_day(ticket, attempts),
        "default_deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "attachments": ticket.attachments.all(),
        "link_policy_form": LinkPolicyForm(auto_id="link_%s"),
    }
    return TemplateResponse(request, "hotline/admin/ticket_detail.html", context)


@view_required
def ticket_detail(request, pk):
    return _render_detail(request, _ticket_for(request, pk))


def _action_data(post, action):
    data = {key: post.get(key) for key in ("lead", "note", "reply", "reason", "days", "approve",
                                           "decision", "satisfaction", "resolved", "target",
                                           "suggested", "outcome")}
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
    """One action from the ticket page, through ``perform``; an action the ticket's state, the
    user's role or its open requests do not allow is refused there with a Chinese message,
    whether or not the page offered it. Nothing is written on a refusal."""
    ticket = _ticket_for(request, pk)
    if action not in TRANSITIONS:
        raise PermissionDenied
    try:
        ticket = perform(ticket, action, request.user, **_action_data(request.POST, action))
    except TransitionError as exc:
        messages.error(request, str(exc))
        if exc.errors:  # the form again, as submitted, with each message beside its field
            return _render_detail(request, _ticket_for(request, pk), failed=action,
                                  errors=exc.errors)
    else:
        event = ticket.events.order_by("-created_at", "-pk").first()
        if event is not None and event.action != action:  # e.g. 回访联系不上（第 1 次）
            text = _("已记录「%(label)s」：工单 %(number)s 现为「%(status)s」。")
        else:
            text = _("已%(action)s：工单 %(number)s 现为「%(status)s」。")
        messages.success(request, text % {
            "action": TRANSITIONS[action].label, "label": event.label if event else "",
            "number": ticket.number, "status": ticket.get_status_display()})
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
    axis = charts.month_axis(start, end)  # the current month is partial: 截至今日
    monthly = axis.mark(metrics.table(start, end, by=("month",), queryset=scoped))
    partial = {"partial": axis.partial, "partial_label": axis.partial_label}
    recent_start = timezone.now() - timedelta(days=30)
    context = {
        "page_title": _("工单统计分析"), "header_icon": "table",
        "months": months, "rates": metrics.RATES, "monthly": monthly,
        "departments": metrics.table(start, end, by=("department",), queryset=scoped),
        "categories": metrics.table(start, end, by=("category",), queryset=scoped),
        "clusters": metrics.recurring_clusters(recent_start, timezone.now(),
                                               queryset=scoped),
        "unreachable_formula": metrics.UNREACHABLE_FORMULA,
        "partial_label": axis.partial_label, "start": start,
        "volume_chart": charts.bar_chart(axis.labels, axis.values(monthly, "received", 0),
                                         _("每月受理量"), unit=_("件"), **partial),
        "rate_chart": charts.line_chart(
            axis.labels, [(r.label, axis.values(monthly, r.key)) for r in metrics.RATES],
            _("每月指标"), **partial),
    }
    return TemplateResponse(request, "hotline/admin/analysis.html", context)


class CalendarYearForm(forms.Form):
    """The year page's form: days to enter (one line each) and/or the confirmation that the
    year's 放假 and 调休 days are all entered. Errors are shown at their field."""

    entries = forms.CharField(
        label=_lazy("每行一条：日期（或 起~止） 放假/上班 说明"), required=False,
        widget=forms.Textarea(attrs={"rows": 10}))
    complete = forms.BooleanField(label=_lazy("本年度的放假和调休日期已全部录入"), required=False)
    basis = forms.CharField(label=_lazy("依据（选填）"), required=False, max_length=100,
                            help_text=_lazy("例如：国务院办公厅关于部分节假日安排的通知。"))

    def __init__(self, year, *args, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def clean(self):
        from hotline import calendar
        from hotline.models import CalendarDay

        data = super().clean()
        text = (data.get("entries") or "").strip()
        data["parsed"] = []
        if text:
            try:
                data["parsed"] = calendar.parse_year_entries(self.year, text)
            except ValueError as exc:
                self.add_error("entries", str(exc))
                return data
        elif not data.get("complete"):
            self.add_error("entries", _("请填写要保存的日期，或勾选“本年度的放假和调休日期已全部录入”。"))
        if data.get("complete") and not any(not workday for _d, workday, _n in data["parsed"]) \
                and not CalendarDay.objects.filter(date__year=self.year,
                                                   is_workday=False).exists():
            self.add_error("complete", _("%(year)d 年还没有录入任何放假日期，请先录入再确认。") % {
                "year": self.year})
        return data


@permission_required("hotline.add_calendarday", raise_exception=True)
def calendar_year(request):
    """Enter or correct a year of the holiday calendar in one go, confirm that the year is
    complete, and see the result. Saving recomputes the open deadlines the days move."""
    from hotline import calendar
    from hotline.models import CalendarDay

    year = params.parameter(request.POST if request.method == "POST" else request.GET, "year",
                            params.year_field(), default=timezone.localdate().year + 1)
    form = CalendarYearForm(year, request.POST or None, auto_id="cal-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            saved, moved = (calendar.save_year_entries(data["parsed"], request.user)
                            if data["parsed"] else (0, []))
            if data["complete"]:
                calendar.confirm_year(year, request.user, data["basis"])
        if saved:
            messages.success(request, _("已保存 %(n)d 天，%(year)d 年的工作日按新设置计算。") % {
                "n": saved, "year": year})
        if moved:
            messages.info(request, _("%(n)d 件在办工单的期限已按新的节假日安排重算，"
                                     "办理记录中有说明。") % {"n": len(moved)})
        if data["complete"]:
            messages.success(request, _("已确认 %(year)d 年的放假和调休日期全部录入，"
                                        "落在该年的期限不再显示“待核定”。") % {"year": year})
        return redirect(f"{request.path}?year={year}")
    return TemplateResponse(request, "hotline/admin/calendar_year.html", {
        "page_title": _("节假日年度设置"), "header_icon": "date", "year": year,
        "summary": calendar.year_summary(year), "form": form,
        "known": calendar.package_knows(year), "confirmation": calendar.confirmation(year),
        "days": CalendarDay.objects.filter(date__year=year).order_by("date"),
        "missing": calendar.missing_year()})
