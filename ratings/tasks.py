"""Periodic jobs of 好差评. Each is idempotent and finds its own work from the tables, so a job
lost with a dead worker is simply done by the next run."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from ratings import services


@shared_task
def invite_finished_tickets(now=None, limit=500):
    """Send a rating link for every finished ticket that has none yet (一事一评).

    The hotline module is not changed for this: finished tickets are found from their status
    and timeline, and the unique invitation per ticket makes concurrent runs harmless.
    """
    now = now or timezone.now()
    sent = 0
    for ticket in services.tickets_to_invite().order_by("pk")[:limit]:
        with transaction.atomic():
            if services.invite(phone=ticket.caller_phone, ticket=ticket, now=now,
                               served_at=services.ticket_served_at(ticket)):
                sent += 1
    return sent


@shared_task
def apply_defaults(now=None):
    return services.apply_defaults(now)


@shared_task
def mark_overdue_cases(now=None):
    return services.mark_overdue_cases(now)


@shared_task
def refresh_rollup():
    """Recompute the per-day counts of every day marked dirty (reads do it too)."""
    from ratings import rollup

    return rollup.refresh()
