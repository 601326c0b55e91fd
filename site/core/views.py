from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from core import errors, health, roles
from core.forms import SiteLoginForm
from core.params import BadParameter


@never_cache
def healthz(request):
    """The container health check: each dependency's state as JSON (``core.health``); 503
    only when the database is down, 200 with ``"status": "degraded"`` when the cache or the
    broker is (the site keeps serving without them)."""
    code, body = health.report()
    return JsonResponse(body, status=code)


class LoginView(auth_views.LoginView):
    """The site login. Without a ``next`` address an enterprise user lands in the enterprise
    portal."""

    form_class = SiteLoginForm

    def get_default_redirect_url(self):
        if roles.has_role(self.request.user, roles.ENTERPRISE):
            return reverse("enterprises:dashboard")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    """退出登录 on the site (the enterprise portal; staff who signed in on the site): back to the
    home page, which says so. The session cookie goes with the session, as in Wagtail's admin
    logout, so the next pages are the anonymous ones. Opened without a form (a typed or old
    address), it asks first instead of refusing."""

    next_page = "/"
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            # The address as such (a ``next`` of "abc" is a relative address, not a route).
            return HttpResponseRedirect(self.get_success_url())
        return TemplateResponse(request, "core/logout.html", {})

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, _("您已安全退出登录。"))
        response.delete_cookie(settings.SESSION_COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                               domain=settings.SESSION_COOKIE_DOMAIN)
        request.session.modified = False  # no new, empty session cookie in its place
        return response


# --- Error pages (``handler400`` … ``handler500``; with DEBUG on through core.errors) ----------


def bad_request(request, exception):
    """``handler400``: the site's page saying what was wrong with a ``core.params.BadParameter``
    (in Chinese). Other refusals (a forged host, say) get the same page with the general line,
    rendered without the request they came with (reading it may fail again)."""
    context = {"request_id": errors.request_id(request)}
    if isinstance(exception, BadParameter):
        context["message"] = str(exception)
        html = loader.render_to_string("400.html", context, request)
    else:
        html = loader.render_to_string("400.html", context)
    return HttpResponseBadRequest(html)


@requires_csrf_token
def permission_denied(request, exception=None):
    """``handler403``: 无权访问, in Chinese, with the request id."""
    html = loader.render_to_string("403.html", {"request_id": errors.request_id(request)},
                                   request)
    return HttpResponseForbidden(html)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent from a page that has expired (or from elsewhere)."""
    html = loader.render_to_string("403.html", {
        "request_id": errors.request_id(request), "expired_form": True}, request)
    return HttpResponseForbidden(html)


@requires_csrf_token
def page_not_found(request, exception=None):
    """``handler404``: 页面不存在, in Chinese, with the request id."""
    html = loader.render_to_string("404.html", {"request_id": errors.request_id(request)},
                                   request)
    return HttpResponseNotFound(html)


@requires_csrf_token
def server_error(request):
    """``handler500``: a self-contained page (no database, no request context: whatever failed
    may fail again) with the request id for support."""
    html = loader.render_to_string("500.html", {"request_id": errors.request_id(request)})
    return HttpResponseServerError(html)
