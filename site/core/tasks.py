import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Message
from core.resilience import backend_errors, outage

MAX_ATTEMPTS = 5
logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs):
    """Queue ``task`` once the current transaction commits (at once outside one): the one way
    request code and tasks hand work to Celery.

    The request has committed by then, so a broker that cannot be reached must not fail it (a
    retry of the form would file the same work twice): the error is logged once per outage and
    the work is left where its recovery task finds it — a pending ``Message`` for
    ``requeue_unsent_messages``, an unfinished push for ``enterprises.tasks.push_recover``.
    Only enqueue work that such a recovery covers (its state is in the database)."""
    def send():
        try:
            task.delay(*args, **kwargs)
        except backend_errors() as exc:
            outage("Celery broker").failed(exc, f"enqueue {task.name}")
            logger.info("%s%r left to its recovery task", task.name, args)
        else:
            outage("Celery broker").succeeded()

    transaction.on_commit(send)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=30)
def deliver_message(self, message_id):
    """Deliver one message at most once: the row is locked and checked before sending."""
    from core.messaging import backend_for, for_delivery, mask, secret_of

    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == Message.Status.SENT:
            return
        message.attempts += 1
        try:
            # The backend alone sees the real text of a message carrying a secret.
            backend_for(message.channel).send(for_delivery(message))
        except Exception as exc:  # the reason is kept on the row for the outbox view
            message.error = mask(str(exc), secret_of(message))
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
    """Periodic recovery: messages still pending after a while are queued again (only ids go
    to the broker; a message carrying a secret derives it again from its row's seed)."""
    cutoff = timezone.now() - timedelta(seconds=settings.PLATFORM["MESSAGE_RETRY_AFTER_SECONDS"])
    ids = list(
        Message.objects.filter(status=Message.Status.PENDING, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        enqueue(deliver_message, pk)
    return len(ids)


@shared_task
def purge_submission_tokens(days=7):
    """Daily: forget form submission tokens older than ``days`` (a repeat comes within
    seconds; a week is plenty)."""
    from core.models import SubmissionToken

    cutoff = timezone.now() - timedelta(days=days)
    return SubmissionToken.objects.filter(created_at__lt=cutoff).delete()[0]
