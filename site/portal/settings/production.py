"""Production: PostgreSQL, Redis, a Celery worker and beat; refuses to start without a secret."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, PRIVATE_STORAGE, SECRET_KEY, logging_at, require

DEBUG = False

# Static files are served by the app itself, compressed and with far-future cache headers
# (inside the request id and the Content-Security-Policy, which they carry too).
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(MIDDLEWARE.index("core.content_policy.ContentPolicyMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
SECRET_KEY = require(SECRET_KEY, "SECRET_KEY")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The container health check calls plain HTTP inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin frame, so DENY would break it.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": PRIVATE_STORAGE,  # ticket attachments, outside MEDIA_ROOT (core.storage)
}

# Mail (password reset, error reports) goes out through the configured server (EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL,
# DEFAULT_FROM_EMAIL, read in base.py's Environment section).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

LOGGING = logging_at("INFO")  # with the request id in every line (base.py, core.errors)
