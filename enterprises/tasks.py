"""Celery tasks of 企业服务. Sections: push campaigns; requests and 线下帮办; 免申即享 payouts."""

from celery import shared_task

# --- push campaigns ------------------------------------------------------------------------------
# Each task is idempotent (see enterprises/push.py); a database error is retried with backoff and
# anything lost beyond that is queued again by ``push_recover``.


@shared_task(bind=True, max_retries=5)
def push_run(self, push_id):
    """Match and record the deliveries of a push, then queue its dispatch batches."""
    from django.db import DatabaseError

    from enterprises import push

    try:
        result = push.run(push_id)
    except DatabaseError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc
    return result and result.pk


@shared_task(bind=True, max_retries=5)
def push_dispatch(self, push_id, first, last):
    """Send one batch (delivery ids ``first``–``last``) of a push; transient failures come back
    after a backoff."""
    from django.db import DatabaseError

    from enterprises import push

    try:
        result = push.dispatch(push_id, first, last)
    except DatabaseError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc
    if result.retry and not self.request.is_eager:
        # Eager runs (no broker) leave the retry to push_recover instead of recursing.
        push_dispatch.apply_async((push_id, first, last), countdown=result.retry_in)
    return {"sent": result.sent, "failed": result.failed, "retry": result.retry}


@shared_task
def push_recover():
    """Periodic: queue again pushes and batches that were never finished."""
    from enterprises import push

    return push.recover()


@shared_task
def push_send_digests():
    """Periodic (hourly): the daily digest once its hour has come."""
    from enterprises import push

    return push.send_digests()


@shared_task(bind=True, max_retries=5)
def push_digest_batch(self, enterprise_ids, cutoff):
    from django.db import DatabaseError

    from enterprises import push

    try:
        return push.send_digest_batch(enterprise_ids, cutoff)
    except DatabaseError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc


# --- requests and 线下帮办 -------------------------------------------------------------------------


@shared_task
def remind_follow_ups():
    """线下帮办: tell each helper about follow-ups due today (or overdue), once a day."""
    from enterprises import services

    return services.remind_follow_ups()


# --- 免申即享 兑现台账 --------------------------------------------------------------------------------


@shared_task
def remind_payouts():
    """Daily: tell departments about payout deadlines drawing near or passed (once each)."""
    from enterprises import payouts

    return payouts.remind()
