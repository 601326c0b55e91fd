from celery import shared_task
from django.core.management import call_command

from interpretations.publishing import publish_due_revisions, remind_overdue_countersign
from interpretations.services import remind_support_materials


@shared_task
def publish_scheduled():
    """Beat task: scheduled go-live of policies (only a complete, signed-off revision; a refused
    one is taken off the schedule and its people are told), then Wagtail's own scheduled
    publishing and expiry for other pages."""
    published, refused = publish_due_revisions()
    call_command("publish_scheduled")
    return {"published": published, "refused": refused}


@shared_task
def remind_support_materials_due():
    """Daily beat task: remind drafting departments of enterprise policies whose 申报指南 or
    工作手册 is due within 2 working days or overdue (each reminder once)."""
    return {"reminded": remind_support_materials()}


@shared_task
def remind_overdue_countersign_task():
    """Daily beat task: an overdue 事后审签 of an emergency publication reminds the drafting
    department and the supervisors (once a day)."""
    return {"reminded": remind_overdue_countersign()}
