from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache

from core import health, roles
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


def bad_request(request, exception):
    """``handler400``: the site's page saying what was wrong with a ``core.params.BadParameter``
    (in Chinese). Other refusals (a forged host, say) get Django's page from the same template
    with the general line, rendered without the request they came with."""
    if not isinstance(exception, BadParameter):
        return defaults.bad_request(request, exception)
    html = loader.render_to_string("400.html", {"message": str(exception)}, request)
    return HttpResponseBadRequest(html)
