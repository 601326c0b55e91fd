"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

Enqueue from request code with ``task.delay_on_commit(...)`` so that a task never runs for a
transaction that rolled back and never reads rows that are not yet committed.
"""

from celery import Celery

from portal.entrypoints import require_settings_module

# A worker or beat started without DJANGO_SETTINGS_MODULE must not run on development settings.
require_settings_module()

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
