"""Content-Security-Policy by path: the strict public policy (``CONTENT_SECURITY_POLICY``)
everywhere, ``CSP_ADMIN_DIRECTIVES`` under ``CSP_ADMIN_PREFIX`` (the Wagtail admin). A view's
own django-csp decorator still wins over both."""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings


class ContentPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (not report_only and parts.config is None
                and request.path_info.startswith(settings.CSP_ADMIN_PREFIX)):
            parts.config = default_config(settings.CSP_ADMIN_DIRECTIVES)
        return parts
