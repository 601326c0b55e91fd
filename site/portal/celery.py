"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Enqueue from request code with ``task.delay_on_commit(...)`` so that a task never runs for a
transaction that rolled back and never reads rows that are not yet committed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
