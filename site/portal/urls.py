from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core import views as core_views
from interpretations import admin_scoping
from interpretations.admin_views import unpublish_or_withdraw
from interpretations.api import api as policies_api

# The project's Chinese error pages, with the request id (with DEBUG on too: core.errors).
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    # A policy is never simply unpublished: Wagtail's unpublish address leads to its withdrawal.
    path("admin/pages/<int:page_id>/unpublish/", unpublish_or_withdraw,
         name="wagtailadmin_pages_unpublish_or_withdraw"),
    # Page search, site history and the workflow reports without another department's draft
    # titles (no hook).
    path("admin/pages/search/", admin_scoping.page_search),
    path("admin/pages/search/results/", admin_scoping.page_search_results),
    path("admin/reports/site-history/", admin_scoping.site_history),
    path("admin/reports/site-history/results/", admin_scoping.site_history_results),
    path("admin/reports/workflow/", admin_scoping.workflow_report),
    path("admin/reports/workflow/results/", admin_scoping.workflow_report_results),
    path("admin/reports/workflow_tasks/", admin_scoping.workflow_tasks_report),
    path("admin/reports/workflow_tasks/results/", admin_scoping.workflow_tasks_report_results),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    # Back to the home page, which says so (Django's own "logged out" page is the Django
    # admin's, whose routes are not installed: it failed). Staff leave the admin through
    # Wagtail's 注销, which ends on the admin login page.
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    # The public policy API (django-ninja), its OpenAPI schema at api/policies/openapi.json;
    # at the top level, where its own namespace resolves (inside an app's it did not).
    path("api/policies/", policies_api.urls),
    # Each app's own routes (forms, APIs, tracking); pages are served by Wagtail below.
    # enterprises first: /policies/calculator/ must win over the policy-page slug route.
    path("", include("enterprises.urls")),
    path("", include("interpretations.urls")),
    path("", include("hotline.urls")),
    path("", include("ratings.urls")),
    path("", include("media.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
