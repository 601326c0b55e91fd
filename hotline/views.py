"""Public pages: file a request, see the receipt, track a request, monthly figures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import idempotency, ratelimit
from hotline import charts, metrics, public
from hotline.forms import PublicTicketForm, TrackForm

SUBMIT_SCOPE = "hotline.submit"


def _limits(name):
    return settings.PLATFORM[name], settings.PLATFORM["HOTLINE_RATE_WINDOW_SECONDS"]


@require_http_methods(["GET", "POST"])
def submit(request):
    limit, window = _limits("HOTLINE_SUBMIT_LIMIT")
    form = PublicTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        # A repeat of a request already filed (double click, retry) shows its receipt again.
        number = idempotency.earlier(SUBMIT_SCOPE, form.submission_key)
        if number:
            request.session["hotline_receipt"] = number
            return redirect("hotline:receipt")
        if ratelimit.over_limit("hotline:submit", ratelimit.client_address(request), limit, window, count=False):
            form.add_error(None, _("提交过于频繁，请稍后再试；紧急情况请直接拨打 12345。"))
        elif form.is_valid():
            try:
                filed = idempotency.submit_once(
                    SUBMIT_SCOPE, form.submission_key, form.file,
                    reference=lambda ticket: ticket.number)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                if not filed.repeated:
                    ratelimit.over_limit("hotline:submit", ratelimit.client_address(request), limit, window)
                request.session["hotline_receipt"] = filed.reference
                return redirect("hotline:receipt")
    return render(request, "hotline/submit.html", {"form": form}, status=200)


def receipt(request):
    number = request.session.get("hotline_receipt")
    if not number:
        return redirect("hotline:submit")
    return render(request, "hotline/receipt.html", {"number": number})


@require_http_methods(["GET", "POST"])
def track(request):
    limit, window = _limits("HOTLINE_TRACK_LIMIT")
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    result = None
    if request.method == "POST":
        if ratelimit.over_limit("hotline:track", ratelimit.client_address(request), limit, window):
            form.add_error(None, _("查询过于频繁，请一小时后再试。"))
        elif form.is_valid():
            ticket = public.find_for_tracking(form.cleaned_data["number"],
                                              form.cleaned_data["phone"])
            if ticket is None:
                form.add_error(None, _("没有找到与该编号和手机号码相符的诉求，请核对后重试。"))
            else:
                result = public.public_view(ticket)
    return render(request, "hotline/track.html", {"form": form, "result": result})


def figures(request):
    """Monthly figures and department ranking: counts and rates only, no personal data."""
    start, end = metrics.months_back(6)
    axis = charts.month_axis(start, end)  # the current month is partial: 截至今日
    months = axis.mark(metrics.table(start, end, by=("month",)))
    partial = {"partial": axis.partial, "partial_label": axis.partial_label}
    context = {
        "months": months,
        "rates": metrics.RATES,
        "ranking": metrics.department_ranking(start, end),
        "volume_chart": charts.bar_chart(axis.labels, axis.values(months, "received", 0),
                                         _("每月受理量"), unit=_("件"), **partial),
        "rate_chart": charts.line_chart(
            axis.labels, [(rate.label, axis.values(months, rate.key))
                          for rate in metrics.RATES[:4]], _("每月主要指标"), **partial),
        "start": start, "end": end, "partial_label": axis.partial_label, "unreachable_formula": metrics.UNREACHABLE_FORMULA,
    }
    return render(request, "hotline/figures.html", context)
