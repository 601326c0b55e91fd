from celery import shared_task
from django.core.management import call_command

from interpretations.services import publish_due_revisions


@shared_task
def publish_scheduled():
    """Beat task: scheduled go-live of policies (document and package together, only when the
    package is complete), then Wagtail's own scheduled publishing and expiry for other pages."""
    published, refused = publish_due_revisions()
    call_command("publish_scheduled")
    return {"published": published, "refused": refused}
