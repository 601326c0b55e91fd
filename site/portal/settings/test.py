"""Test settings: the embedded default unless DATABASE_URL / REDIS_URL point at real services."""

import os

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, REDIS_URL, SECRET_KEY, VAR_DIR

DEBUG = False
SECRET_KEY = SECRET_KEY or "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"
MESSAGE_OUTBOX_DIR = VAR_DIR / "test-outbox"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": PRIVATE_STORAGE,  # ticket attachments, outside MEDIA_ROOT (core.storage)
}

# A real worker process must reach the same test database, so SQLite tests use a file (one per
# test run) when a broker is configured; otherwise the test database lives in memory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and REDIS_URL:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# The push worker test asks its workers for small batches (several batches per push).
ENTERPRISE_PUSH_BATCH_SIZE = int(os.environ.get("TEST_PUSH_BATCH_SIZE") or ENTERPRISE_PUSH_BATCH_SIZE)  # noqa: F405

# Tests run tasks in-process unless they ask for a real worker (the ``celery_worker`` fixture),
# which turns eager mode off for that test and starts a worker with TEST_CELERY_WORKER=1.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_CELERY_WORKER") != "1"
