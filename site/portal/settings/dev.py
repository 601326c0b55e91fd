"""The embedded default: SQLite under var/, tasks run in-process, local-memory cache."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
