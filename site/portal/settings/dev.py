"""The embedded default: SQLite under var/, uploads and the outbox under var/.

``manage.py`` alone runs tasks in-process with a local-memory cache; ``run.py start`` sets
EMBEDDED_BROKER=1 and runs a Celery worker and beat beside the web server over a broker in files
(var/broker/) with a cache in files (var/cache/) that all three share (see base.py).
"""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
