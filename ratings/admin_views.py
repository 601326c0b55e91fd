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
    monthly = metrics.table(year_start, year_end, by=("month",), organisations=scope)
    labels = [f"{r['month']:%m}月" for r in monthly]
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
        "trend_chart": charts.line_chart(
            labels, [(str(f.label), [r[f.key] for r in monthly]) for f in metrics.FIGURES[:4]],
            _("%(year)d年各月评价指标") % {"year": year}) if monthly else "",
        "volume_chart": charts.bar_chart(labels, [r["total"] for r in monthly],
                                         _("各月评价数"), unit=_("条")) if monthly else "",
        "reason_chart": charts.bar_chart(reason_labels, reason_values, _("差评原因"),
                                         unit=_("条")) if reason_values else "",
        "open_cases": services.visible_cases(request.user).filter(
            stage__in=[BadRatingCase.Stage.CALLBACK, BadRatingCase.Stage.RECTIFYING]).count(),
        "overdue_cases": services.visible_cases(request.user).filter(overdue=True).exclude(
            stage__in=[BadRatingCase.Stage.CLOSED, BadRatingCase.Stage.APPEAL_UPHELD]).count(),
    }
    return TemplateResponse(request, "ratings/admin/dashboard.html", context)


def _cases_required(request):
    if not (request.user.has_perm("ratings.view_badratingcase")
            or request.user.has_perm("ratings.handle_case")):
        raise PermissionDenied


def case_list(request):
    _cases_required(request)
    cases = services.visible_cases(request.user).select_related("appeal")
    stage = request.GET.get("stage", "")
    if stage in BadRatingCase.Stage.values:
        cases = cases.filter(stage=stage)
    if request.GET.get("overdue"):
        cases = cases.filter(overdue=True)
    if request.GET.get("appeal"):
        cases = cases.filter(appeal__status="pending")
    return TemplateResponse(request, "ratings/admin/case_list.html", {
        "page_title": _("差评整改"), "header_icon": "warning", "cases": cases[:200],
        "stages": BadRatingCase.Stage.choices, "stage": stage, "now": timezone.now()})


def case_detail(request, pk):
    _cases_required(request)
    case = get_object_or_404(services.visible_cases(request.user).select_related(
        "rating__event__window", "rating__ticket", "callback_by", "rectified_by"), pk=pk)
    appeal = getattr(case, "appeal", None) if hasattr(case, "appeal") else None
    return TemplateResponse(request, "ratings/admin/case_detail.html", {
        "page_title": _("差评整改详情"), "header_icon": "warning", "case": case,
        "rating": case.rating, "appeal": appeal,
        "actions": services.allowed_case_actions(case, request.user),
        "action_labels": services.CASE_ACTIONS, "now": timezone.now()})


@require_POST
def case_act(request, pk, action):
    _cases_required(request)
    case = get_object_or_404(services.visible_cases(request.user), pk=pk)
    try:
        services.act_on_case(case, action, request.user, note=request.POST.get("note", ""),
                             reason=request.POST.get("reason", ""),
                             decision=request.POST.get("decision", ""))
    except services.RatingError as exc:
        messages.error(request, str(exc))
    else:
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
