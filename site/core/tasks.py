from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Message

MAX_ATTEMPTS = 5


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=30)
def deliver_message(self, message_id):
    """Deliver one message at most once: the row is locked and checked before sending."""
    from core.messaging import backend_for

    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == Message.Status.SENT:
            return
        message.attempts += 1
        try:
            backend_for(message.channel).send(message)
        except Exception as exc:  # the reason is kept on the row for the outbox view
            message.error = str(exc)
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            message.save(update_fields=["attempts", "error", "status"])
            if message.status == Message.Status.FAILED or self.request.called_directly or (
                    self.request.is_eager):
                return
            raise self.retry(exc=exc, countdown=30 * 2 ** (message.attempts - 1)) from exc
        message.status = Message.Status.SENT
        message.sent_at = timezone.now()
        message.error = ""
        message.save(update_fields=["attempts", "error", "status", "sent_at"])


@shared_task
def requeue_unsent_messages():
    """Periodic recovery: messages still pending after a while are queued again."""
    cutoff = timezone.now() - timedelta(seconds=settings.PLATFORM["MESSAGE_RETRY_AFTER_SECONDS"])
    ids = list(
        Message.objects.filter(status=Message.Status.PENDING, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        deliver_message.delay(pk)
    return len(ids)
