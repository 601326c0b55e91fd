"""企业诉求 in the portal: file a request (a 12345 ticket on the 政企通 channel), list the
enterprise's own requests, follow one (status, public timeline, reply, 线下帮办) and rate it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import idempotency, ratelimit
from enterprises import services
from enterprises.access import enterprise_required, render_portal
from enterprises.forms import RequestForm

# intake's field names → the portal form's
FIELD_NAMES = {"caller_name": "contact_name", "caller_phone": "contact_phone"}


@enterprise_required
def request_list(request):
    tickets = (services.requests_for(request.enterprise)
               .select_related("category").order_by("-received_at", "-pk"))
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render_portal(request, "enterprises/requests/list.html", {"page": page},
                         section="requests")


@enterprise_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    enterprise = request.enterprise
    initial = {"contact_name": enterprise.contact_name,
               "contact_phone": enterprise.contact_phone}
    named = request.GET.get("policy")
    policy = services.live_policy(named) if named else None
    if policy is not None:
        initial["policy"] = policy.pk
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        # A repeat of a request already filed (double click, retry) opens that request.
        scope = f"enterprises.request:{enterprise.pk}"
        number = idempotency.earlier(scope, form.submission_key)
        if number:
            return redirect("enterprises:request_detail", number=number)
        if services.request_limit_reached(enterprise, count=False):
            form.add_error(None, _("提交过于频繁，请一小时后再试；紧急情况请直接拨打 12345。"))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                filed = idempotency.submit_once(
                    scope, form.submission_key, lambda: services.file_request(
                        enterprise, subject=data["subject"], content=data["content"],
                        category=data["category"], policy=data["policy"],
                        contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                        attachments=[data["attachment"]] if data.get("attachment") else []),
                    reference=lambda ticket: ticket.number)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    field = FIELD_NAMES.get(field, field)
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if not filed.repeated:
                    services.request_limit_reached(enterprise)
                    messages.success(request, _("诉求已提交，工单编号 %(number)s。我们会尽快办理，"
                                                "进度可随时在本页查看。") % {"number": filed.reference})
                return redirect("enterprises:request_detail", number=filed.reference)
    return render_portal(request, "enterprises/requests/new.html", {
        "form": form, "policy": policy, "policy_missing": bool(named) and policy is None,
    }, section="requests")


@enterprise_required
@require_http_methods(["GET", "POST"])
def request_detail(request, number):
    from ratings import services as ratings_services
    from ratings.forms import RatingForm

    ticket = services.request_for(request.enterprise, number)
    if ticket is None:
        raise Http404
    state, rating = services.rating_state(ticket)
    form = RatingForm(request.POST or None) if state == "open" else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("该诉求当前不能评价。"))
            return redirect("enterprises:request_detail", number=ticket.number)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rate_request(
                    ticket, request.user, level=data["level"], reason=data.get("reason", ""),
                    comment=data.get("comment", ""),
                    client=ratings_services.Client(ip=ratelimit.client_address(request)))
            except ratings_services.RatingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("感谢您的评价！"))
                return redirect("enterprises:request_detail", number=ticket.number)
    return render_portal(request, "enterprises/requests/detail.html", {
        "ticket": ticket, "progress": services.request_progress(ticket),
        "rating_state": state, "rating": rating, "form": form,
    }, section="requests")
