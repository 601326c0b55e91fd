"""Public pages: the rating page behind an SMS link, the window QR page, the SMS reply webhook
and the monthly figures. Every rating goes through ``ratings.services.submit_rating``."""

import hmac
import json
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import params, ratelimit
from hotline import charts
from ratings import metrics, services
from ratings.forms import RatingForm, RectificationForm, WindowRatingForm
from ratings.models import Channel, RatingInvitation, ServiceEvent, ServiceWindow

DEVICE_COOKIE = "rating_device"


def _client(request):
    return services.Client(ip=ratelimit.client_address(request),
                           device=request.COOKIES.get(DEVICE_COOKIE, ""))


def _with_device(request, response):
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def _refused(request, message, status):
    return render(request, "ratings/refused.html", {"message": message}, status=status)


def _apply_errors(form, exc):
    """The service's message next to the field it is about (else above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token):
    if services.is_staff_user(request.user):
        return _refused(request, _("工作人员不能代替群众评价。请由办事群众本人使用手机评价。"), 403)
    try:
        invitation = services.resolve_token(token)
    except services.RatingError as exc:
        return _refused(request, str(exc), 410)
    rectification = invitation.kind == RatingInvitation.Kind.RECTIFICATION
    form_class = RectificationForm if rectification else RatingForm
    form = form_class(request.POST or None)
    if request.method == "POST":
        client = _client(request)
        if services.over_limit(client.ip, "submit", count=False):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_rating(
                    invitation, level=data["level"], reason=data.get("reason", ""),
                    comment=data.get("comment", ""), channel=Channel.SMS_LINK, client=client,
                    user=request.user)
            except services.RatingError as exc:
                _apply_errors(form, exc)
            else:
                services.over_limit(client.ip, "submit")
                return redirect("ratings:done")
    context = {"form": form, "service": services.describe(invitation),
               "rectification": rectification}
    return _with_device(request, render(request, "ratings/rate.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def rate_window(request, key):
    window = get_object_or_404(ServiceWindow, key=key, is_active=True)
    if services.is_staff_user(request.user):
        return _refused(request, _("工作人员不能代替群众评价。请由办事群众本人使用手机评价。"), 403)
    now = timezone.now()
    event = services.window_event_for_qr(window, now)
    if request.method == "POST":
        posted_id = params.parameter(request.POST, "event", params.id_field())
        posted = ServiceEvent.objects.filter(pk=posted_id, window=window).select_related(
            "item").first() if posted_id else None
        if posted is not None and posted.pk != getattr(event, "pk", None):
            # The page was opened for an earlier service: still fine while it is recent.
            since = now - timedelta(minutes=settings.PLATFORM["RATINGS_QR_MINUTES"])
            event = posted if posted.served_at >= since else None
    form = WindowRatingForm(request.POST or None)
    if event is None:
        return _with_device(request, render(request, "ratings/window.html", {
            "window": window, "event": None, "form": None}))
    if request.method == "POST":
        client = _client(request)
        if services.over_limit(client.ip, "submit", count=False):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        elif services.qr_attempts_exceeded(event):
            form.add_error(None, _("手机号码后四位错误次数过多，请到窗口咨询。"))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_rating(
                    event=event, level=data["level"], reason=data.get("reason", ""),
                    comment=data.get("comment", ""), channel=Channel.QR, client=client,
                    user=request.user, phone_check=data.get("phone_check", ""))
            except services.PhoneCheckError as exc:
                if data.get("phone_check"):  # a wrong guess counts; an empty box does not
                    services.qr_attempts_exceeded(event, failed=True)
                _apply_errors(form, exc)
            except services.RatingError as exc:
                _apply_errors(form, exc)
            else:
                services.over_limit(client.ip, "submit")
                return redirect("ratings:done")
    return _with_device(request, render(request, "ratings/window.html", {
        "window": window, "event": event, "form": form}))


def done(request):
    return render(request, "ratings/done.html")


@csrf_exempt
@require_POST
def sms_reply(request):
    """The SMS gateway posts replies here: ``phone`` and ``text`` (form or JSON), with the shared
    secret in the ``X-Webhook-Secret`` header. Answers with the text to send back."""
    secret = settings.PLATFORM["RATINGS_SMS_WEBHOOK_SECRET"]
    given = request.headers.get("X-Webhook-Secret", "")
    if not secret or not hmac.compare_digest(secret, given):
        return JsonResponse({"ok": False, "reply": _("未授权。")}, status=403)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"ok": False, "reply": _("请求格式错误。")}, status=400)
    else:
        payload = request.POST
    phone, text = payload.get("phone", ""), payload.get("text", "")
    if not phone:
        return JsonResponse({"ok": False, "reply": _("缺少手机号码。")}, status=400)
    result = services.handle_sms_reply(phone, text)
    return JsonResponse({"ok": result.ok, "reply": result.message})


def _month_param(value):
    today = timezone.localdate()
    try:
        chosen = datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        chosen = today
    if (chosen.year, chosen.month) > (today.year, today.month) or chosen.year < 2000:
        chosen = today
    return chosen.year, chosen.month


def figures(request):
    """Monthly figures and the department ranking: counts and rates only, no personal data."""
    year, month = _month_param(request.GET.get("month"))
    start, end = metrics.month_range(year, month)
    trend_start, _trend_end = metrics.months_back(12, date(year, month, 1))
    monthly = metrics.table(trend_start, end, by=("month",))
    axis = charts.month_axis(trend_start, end)  # the current month is partial: 截至今日
    chart = charts.line_chart(
        axis.labels, [(str(f.label), axis.values(monthly, f.key)) for f in metrics.FIGURES[:3]],
        _("近12个月评价指标"), partial=axis.partial,
        partial_label=axis.partial_label) if monthly else ""
    current = (year, month) == (timezone.localdate().year, timezone.localdate().month)
    context = {
        "month": f"{year:04d}-{month:02d}", "summary": metrics.summary(start, end),
        "partial_label": axis.partial_label if current else "",
        "figures": metrics.FIGURES, "ranking": metrics.ranking(start, end, minimum=5),
        "chart": chart,
    }
    context["cards"] = [{"label": f.label, "key": f.key, "value": context["summary"][f.key]}
                        for f in metrics.FIGURES]
    return render(request, "ratings/figures.html", context)
