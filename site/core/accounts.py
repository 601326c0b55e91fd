"""Account security: login lockout (django-axes), idle staff sessions and password rules.

Lockout: five failed logins for one username lock that account, and a larger number from one
client address lock that address (an office behind one NAT address shares it, so its limit is
higher), both for ``AXES_COOLOFF_TIME``. The locked-out person sees the login page again with a
Chinese message; an administrator lifts a lockout in the admin (``core.lockouts``).
"""

import re
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

# --- Login lockout ------------------------------------------------------------------------------


def cooloff_minutes():
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        return max(1, int(cooloff.total_seconds() // 60))
    if isinstance(cooloff, (int, float)):  # axes reads numbers as hours
        return max(1, int(cooloff * 60))
    return 0


def lockout_message():
    minutes = cooloff_minutes()
    if minutes:
        return _("登录失败次数过多，该账号或当前网络地址已被暂时锁定。请 %(minutes)d 分钟后再试，"
                 "或联系系统管理员解除锁定。") % {"minutes": minutes}
    return _("登录失败次数过多，该账号或当前网络地址已被锁定。请联系系统管理员解除锁定。")


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password is tried. A call without a request (a management
    command, the test client's ``login``) is no web login anyone could guess through, so it is
    left to the next backend instead of failing."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own per parameter: ``AXES_FAILURE_LIMIT``
    failures for a username, ``LOGIN_ADDRESS_FAILURE_LIMIT`` from one client address
    (``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``, in that order)."""

    def get_failures(self, request, credentials=None):
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        if len(counts) != 2:
            return max(counts, default=0)
        by_user, by_address = counts
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_user, get_failure_limit(request, credentials))
        return by_user


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page as the view rendered it (its form already carries
    the lockout message, see ``core.forms.LockoutMessageMixin``), answered 429; anything else
    gets a page of its own saying the same."""
    if isinstance(original_response, TemplateResponse) and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    response = TemplateResponse(request, "registration/locked_out.html",
                                {"message": lockout_message()}, status=429)
    return response.render()


# --- Idle staff sessions ------------------------------------------------------------------------

# Requests the admin makes by itself while a page is open: they are no sign that anyone is there.
# (The icon sprite and the translation catalogue load alongside every admin page: writing the
# session for them too made two writes at once, which SQLite's shared-cache test database
# refuses with "database table is locked".)
BACKGROUND_PATHS = ("/admin/editing-sessions/", "/admin/sprite/", "/admin/jsi18n/")


def is_staff_user(user):
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


class StaffSessionIdleMiddleware:
    """A staff member's session ends after ``STAFF_SESSION_IDLE_MINUTES`` without a request:
    every request of theirs sets the session to expire that long after it. Residents' and
    enterprises' sessions keep the normal lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # After the view, so that the login request itself already gets the short lifetime.
        user = getattr(request, "user", None)
        if (user is not None and hasattr(request, "session")
                and not request.path.startswith(BACKGROUND_PATHS) and is_staff_user(user)):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return response


# --- Password rules -----------------------------------------------------------------------------


class LettersAndDigitsValidator:
    """A password must mix letters and digits (Django's validators refuse only all-digit
    ones)."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_letters_digits")

    def get_help_text(self):
        return _("密码必须同时包含字母和数字。")


def login_address(request):
    """The client address for login lock-outs: the project's one address rule
    (``core.ratelimit.client_address``), or None when there is no valid address (a login without
    a network request, such as ``force_login``), since axes stores it in an address column."""
    import ipaddress

    from core.ratelimit import client_address

    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def login_username(request, credentials):
    """The username a lock-out counts: as typed, cut to what axes can store (a login form that
    does not limit its field, such as Wagtail's private-page login, may pass any length)."""
    from axes.conf import settings as axes_settings

    username = (credentials or {}).get(axes_settings.AXES_USERNAME_FORM_FIELD)
    return username[:150] if isinstance(username, str) else username
