from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from core import roles


@never_cache
def healthz(request):
    """Liveness for the container health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    """The site login. Without a ``next`` address an enterprise user lands in the enterprise
    portal."""

    def get_default_redirect_url(self):
        if roles.has_role(self.request.user, roles.ENTERPRISE):
            return reverse("enterprises:dashboard")
        return super().get_default_redirect_url()
