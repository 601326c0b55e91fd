"""Admin workbench of 好差评: the dashboard (figures, charts, trends), the 差评整改 cases with one
form per allowed step, the review of flagged ratings, and the windows with their QR codes.
Every step is handed to ``ratings.services``; every listing is scoped to the user's
organisations (core.permissions)."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import params
from core.permissions import organisation_scope, scope_to_user
from hotline import charts
from ratings import metrics, services
from ratings.forms import EventForm
from ratings.models import (
    BadRatingCase,
    Rating,
    Reason,
    ServiceEvent,
    ServiceItem,
    ServiceWindow,
)

view_required = permission_required("ratings.view_rating", raise_exception=True)


def _scoped_ratings(user):
    return scope_to_user(Rating.objects.all(), user, "organisation_id")


def _year_month(request):
    today = timezone.localdate()
    year = params.parameter(request.GET, "year", params.year_field(), default=today.year)
    year = min(max(year, 2000), today.year)
    month = params.parameter(request.GET, "month", params.integer_field(0, 12), default=0)
    return year, month


@view_required
def dashboard(request):
    year, month = _year_month(request)
    scoped = _scoped_ratings(request.user)
    scope = organisation_scope(request.user)
    year_start, _end = metrics.month_range(year, 1)
    _start, year_end = metrics.month_range(year, 12)
    start, end = metrics.month_range(year, month) if month else (year_start, year_end)
    axis = charts.month_axis(year_start, year_end)  # up to this month, 截至今日
    monthly = axis.mark(metrics.table(year_start, year_end, by=("month",),
                                      organisations=scope))
    partial = {"partial": axis.partial, "partial_label": axis.partial_label}
    summary = metrics.summary(start, end, organisations=scope)
    reasons = dict(metrics.counted(start, end, scoped).filter(is_default=False, level__lte=2)
                   .order_by().values_list("reason").annotate(n=Count("pk")))
    reason_labels = [label for value, label in Reason.choices if reasons.get(value)]
    reason_values = [reasons[value] for value, _label in Reason.choices if reasons.get(value)]
    context = {
        "page_title": _("好差评统计"), "header_icon": "table",
        "year": year, "month": month, "months": range(1, 13),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "summary": summary, "figures": metrics.FIGURES,
        "cards": [{"label": f.label, "key": f.key, "value": summary[f.key],
                   "formula": f.formula} for f in metrics.FIGURES],
        "monthly": monthly,
        "departments": metrics.table(start, end, ("department",), scope),
        "items": sorted(metrics.table(start, end, ("item",), scope),
                        key=lambda r: -r["total"])[:20],
        "channels": metrics.table(start, end, ("channel",), scope),
        "channel_labels": dict(Rating._meta.get_field("channel").choices),
        "partial_label": axis.partial_label if (
            not month or axis.partial is not None and axis.months[axis.partial].month == month
        ) else "",
        "trend_chart": charts.line_chart(
            axis.labels, [(str(f.label), axis.values(monthly, f.key))
                          for f in metrics.FIGURES[:4]],
            _("%(year)d年各月评价指标") % {"year": year}, **partial) if monthly else "",
        "volume_chart": charts.bar_chart(axis.labels, axis.values(monthly, "total", 0),
                                         _("各月评价数"), unit=_("条"),
                                         **partial) if monthly else "",
        "reason_chart": charts.bar_chart(reason_labels, reason_values, _("差评原因"),
                                         unit=_("条")) if reason_values else "",
        "open_cases": services.visible_cases(request.user).filter(
            stage__in=[BadRatingCase.Stage.CALLBACK, BadRatingCase.Stage.RECTIFYING]).count(),
        "overdue_cases": services.overdue_cases(request.user).count(),
    }
    return TemplateResponse(request, "ratings/admin/dashboard.html", context)


def _cases_required(request):
    if not (request.user.has_perm("ratings.view_badratingcase")
            or request.user.has_perm("ratings.handle_case")):
        raise PermissionDenied


def filtered_cases(user, params):
    """The cases the list shows for its filters ``stage``, ``overdue`` (只看超期), ``appeal``
    (待裁定申诉) and ``escalated`` (再次差评, second round or later); the home page counts
    through here too, so its numbers are the list's rows."""
    cases = (services.overdue_cases(user) if params.get("overdue")
             else services.visible_cases(user))
    stage = params.get("stage", "")
    if stage in BadRatingCase.Stage.values:
        cases = cases.filter(stage=stage)
    if params.get("appeal"):
        cases = cases.filter(appeal__status="pending")
    if params.get("escalated"):
        cases = cases.filter(round__gt=1)
    return cases


def case_list(request):
    _cases_required(request)
    cases = filtered_cases(request.user, request.GET).select_related("appeal")
    stage = request.GET.get("stage", "")
    return TemplateResponse(request, "ratings/admin/case_list.html", {
        "page_title": _("差评整改"), "header_icon": "warning", "cases": cases[:200],
        "stages": BadRatingCase.Stage.choices, "stage": stage, "now": timezone.now()})


def _case_page(request, pk, error=None):
    """The case page: facts, the current round, the history of every round, and one form per
    step ``request.user`` may take; ``error`` (from a refused step) is shown at its field with
    what was typed kept."""
    case = get_object_or_404(services.visible_cases(request.user).select_related(
        "rating__event__window", "rating__ticket", "callback_by", "rectified_by",
        "decided_by"), pk=pk)
    appeal = getattr(case, "appeal", None) if hasattr(case, "appeal") else None
    return TemplateResponse(request, "ratings/admin/case_detail.html", {
        "page_title": _("差评整改详情"), "header_icon": "warning", "case": case,
        "rating": case.rating, "appeal": appeal, "history": services.case_history(case),
        "actions": services.allowed_case_actions(case, request.user),
        "action_labels": services.CASE_ACTIONS, "now": timezone.now(), "error": error,
    })


def case_detail(request, pk):
    _cases_required(request)
    return _case_page(request, pk)


@require_POST
def case_act(request, pk, action):
    _cases_required(request)
    case = get_object_or_404(services.visible_cases(request.user), pk=pk)
    typed = {key: request.POST.get(key, "") for key in ("note", "reason", "decision")}
    try:
        services.act_on_case(case, action, request.user, **typed)
    except services.RatingError as exc:
        # nothing was changed: the page again, the message at the field, the text kept
        return _case_page(request, pk, error={
            "action": action, "field": exc.field, "message": str(exc), **typed})
    messages.success(request, _("已%(action)s。") % {"action": services.CASE_ACTIONS[action]})
    return redirect("ratings_case_detail", pk=case.pk)


@permission_required("ratings.review_rating", raise_exception=True)
def review(request):
    if request.method == "POST":
        rating = get_object_or_404(Rating, pk=params.parameter(
            request.POST, "rating", params.id_field(required=True)))
        try:
            services.review_rating(rating, request.user, request.POST.get("decision"),
                                   request.POST.get("note", ""))
        except services.RatingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("审核结果已保存。"))
        return redirect("ratings_review")
    flagged = (Rating.objects.filter(status=Rating.Status.FLAGGED)
               .select_related("organisation").order_by("-rated_at")[:200])
    return TemplateResponse(request, "ratings/admin/review.html", {
        "page_title": _("疑似刷评审核"), "header_icon": "warning", "ratings": flagged})


@permission_required("ratings.view_servicewindow", raise_exception=True)
def windows(request):
    scope = organisation_scope(request.user)
    window_qs = ServiceWindow.objects.filter(is_active=True).select_related("organisation")
    item_qs = ServiceItem.objects.select_related("organisation")
    if scope is not None:
        window_qs = window_qs.filter(organisation_id__in=scope)
        item_qs = item_qs.filter(organisation_id__in=scope)
    form = EventForm(request.POST or None, windows=window_qs, items=item_qs)
    if request.method == "POST":
        if not request.user.has_perm("ratings.add_serviceevent"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            if data["item"].organisation_id != data["window"].organisation_id:
                form.add_error("item", _("该事项不属于这个窗口的进驻部门。"))
            else:
                event = services.record_event(window=data["window"], item=data["item"],
                                              phone=data["phone"], staff=request.user)
                messages.success(request, _("已登记服务记录，办事人可扫描窗口二维码或用短信链接评价。"))
                return redirect(reverse("ratings_windows") + f"#w{event.window_id}")
    recent = ServiceEvent.objects.filter(window__in=window_qs).select_related(
        "window", "item").order_by("-served_at")[:20]
    return TemplateResponse(request, "ratings/admin/windows.html", {
        "page_title": _("服务窗口与二维码"), "header_icon": "site", "windows": window_qs,
        "form": form, "recent": recent})


@permission_required("ratings.view_servicewindow", raise_exception=True)
def window_qr(request, pk, fmt):
    window = get_object_or_404(ServiceWindow, pk=pk)
    scope = organisation_scope(request.user)
    if scope is not None and window.organisation_id not in scope:
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("ratings:window", args=[window.key]))
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2, title=str(window))
        content_type = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=12, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="window-{window.pk}.{fmt}"' if request.GET.get("download")
        else "inline")
    return response
