"""登录锁定: the admin screen listing the accounts and client addresses django-axes has locked
out, with 解除锁定 for each. Shown to users who may delete axes' attempt records (superusers,
or anyone granted ``axes.delete_accessattempt``)."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

PERMISSION = "axes.delete_accessattempt"


def may_unlock(user):
    return user.has_perm(PERMISSION)


def current_attempts():
    """Attempt records still counting towards a lockout (within the cool-off time)."""
    attempts = AccessAttempt.objects.all()
    cooloff = get_cool_off()
    if cooloff:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return attempts


def lockouts():
    """(locked usernames, locked addresses): rows with the failure count, the last attempt and
    (for accounts) the number of addresses it came from."""
    attempts = current_attempts()
    users = (attempts.exclude(username__isnull=True).exclude(username="")
             .values("username")
             .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"),
                       addresses=Count("ip_address", distinct=True))
             .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
    addresses = (attempts.exclude(ip_address__isnull=True)
                 .values("ip_address")
                 .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"),
                           usernames=Count("username", distinct=True))
                 .filter(failures__gte=settings.LOGIN_ADDRESS_FAILURE_LIMIT)
                 .order_by("-last"))
    return list(users), list(addresses)


def index(request):
    if not may_unlock(request.user):
        raise PermissionDenied
    users, addresses = lockouts()
    cooloff = get_cool_off()
    return TemplateResponse(request, "core/admin/lockouts.html", {
        "page_title": _("登录锁定"), "header_icon": "lock", "users": users,
        "addresses": addresses, "user_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else 0})


@require_POST
def unlock(request):
    if not may_unlock(request.user):
        raise PermissionDenied
    username = request.POST.get("username", "").strip()
    address = request.POST.get("ip_address", "").strip()
    if username:
        AxesProxyHandler.reset_attempts(username=username)
        messages.success(request, _("已解除账号“%(name)s”的登录锁定。") % {"name": username})
    elif address:
        AxesProxyHandler.reset_attempts(ip_address=address)
        messages.success(request, _("已解除地址 %(address)s 的登录锁定。") % {"address": address})
    else:
        messages.error(request, _("请选择要解除锁定的账号或地址。"))
    return redirect("core_lockouts")


def urls():
    return [
        path("lockouts/", index, name="core_lockouts"),
        path("lockouts/unlock/", unlock, name="core_lockouts_unlock"),
    ]


class LockoutsMenuItem(MenuItem):
    """登录锁定 under 设置, for those who may unlock."""

    def __init__(self):
        super().__init__(gettext_lazy("登录锁定"), reverse("core_lockouts"), name="lockouts",
                         icon_name="lock", order=650)

    def is_shown(self, request):
        return may_unlock(request.user)
