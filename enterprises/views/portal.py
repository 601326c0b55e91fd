"""The enterprise portal: the dashboard, the profile (see everything, correct what the
enterprise may correct itself, every change recorded) and the notification preferences."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enterprises import services
from enterprises.access import enterprise_required, render_portal
from enterprises.forms import PreferencesForm, ProfileForm
from enterprises.models import Delivery

LATEST_MESSAGES = 5


def _apply_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@enterprise_required
def dashboard(request):
    from enterprises.criteria import policies_for
    from hotline.models import OPEN_STATUSES

    enterprise = request.enterprise
    latest = (Delivery.objects.filter(enterprise=enterprise, channel=Delivery.Channel.INBOX,
                                      status=Delivery.Status.SENT)
              .select_related("push").order_by("-sent_at", "-pk")[:LATEST_MESSAGES])
    open_requests = (services.requests_for(enterprise).filter(status__in=OPEN_STATUSES)
                     .select_related("category").order_by("-received_at"))
    return render_portal(request, "enterprises/portal/dashboard.html", {
        "latest": latest,
        "policy_count": sum(1 for _policy, why in policies_for(enterprise) if why.matched),
        "open_requests": open_requests[:10],
        "open_request_count": open_requests.count(),
    }, section="dashboard")


def _registered_facts(enterprise):
    return [
        (_("统一社会信用代码"), enterprise.credit_code),
        (_("企业名称"), enterprise.name),
        (_("成立日期"), enterprise.registered_on.strftime("%Y-%m-%d")),
        (_("注册地"), enterprise.division.full_name),
        (_("经营状态"), enterprise.get_status_display()),
        (_("资质"), "、".join(q.name for q in enterprise.qualifications.all()) or _("无")),
    ]


def _save(request, form, success, route):
    """A posted profile or preferences form: save the changes through
    ``services.change_profile`` (which logs each one), say what changed and go back to
    ``route``; None when there is nothing to save or the form has errors."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        changes = services.change_profile(request.enterprise, request.user, form.cleaned_data)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None
    if changes:
        messages.success(request, success(changes))
    else:
        messages.info(request, _("没有修改任何内容。"))
    return redirect(route)


@enterprise_required
@require_http_methods(["GET", "POST"])
def profile(request):
    enterprise = request.enterprise
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(enterprise),
                       enterprise=enterprise)
    saved = _save(request, form, lambda changes: _("企业档案已更新：%(fields)s。") % {
        "fields": "、".join(c.label for c in changes)}, "enterprises:profile")
    if saved:
        return saved
    return render_portal(request, "enterprises/portal/profile.html", {
        "form": form,
        "facts": _registered_facts(enterprise),
        "changes": enterprise.profile_changes.select_related("changed_by")[:30],
    }, section="profile")


@enterprise_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    enterprise = request.enterprise
    initial = {name: getattr(enterprise, name) for name in services.PREFERENCE_FIELDS}
    form = PreferencesForm(request.POST or None, initial=initial, enterprise=enterprise)
    saved = _save(request, form, lambda changes: _("推送设置已保存。"), "enterprises:preferences")
    if saved:
        return saved
    return render_portal(request, "enterprises/portal/preferences.html", {"form": form},
                         section="preferences")
