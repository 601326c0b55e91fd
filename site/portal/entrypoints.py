"""Checks shared by the production entry points (portal.wsgi, portal.celery)."""

import os

from django.core.exceptions import ImproperlyConfigured


def require_settings_module():
    """Refuse to start unless DJANGO_SETTINGS_MODULE says which settings to use."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE", "").strip():
        raise ImproperlyConfigured(
            "DJANGO_SETTINGS_MODULE is not set; refusing to start. Set it explicitly, e.g. "
            "DJANGO_SETTINGS_MODULE=portal.settings.production (portal.settings.dev only for "
            "development). "
            "未设置 DJANGO_SETTINGS_MODULE，拒绝启动。请明确设置，例如 "
            "DJANGO_SETTINGS_MODULE=portal.settings.production（portal.settings.dev 仅用于开发）。"
        )
