"""The per-day rollup behind the figures: ``refresh`` recomputes the dirty days from the
ratings table with the one set of conditions in ``ratings.metrics.COUNTS``.

Database triggers mark the day of every inserted or updated rating or case dirty (migration
0005), so nothing that writes ratings has to remember to call anything; ``refresh`` runs before
every read of the figures and from a periodic task.
"""

from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ratings.models import DirtyDay, Rating, RatingDay

LOCK_ID = 582_202_611  # pg_advisory_xact_lock key: one refresher at a time


def _start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _chunks(days, size=31):
    days = sorted(days)
    for i in range(0, len(days), size):
        yield days[i:i + size]


def recompute(days):
    """Replace the RatingDay rows of ``days`` with fresh counts from the ratings table."""
    from ratings.metrics import COUNTS

    for chunk in _chunks(days):
        rows = (Rating.objects.filter(status=Rating.Status.COUNTED,
                                      served_at__gte=_start(chunk[0]),
                                      served_at__lt=_start(chunk[-1] + timedelta(days=1)))
                .annotate(day=TruncDate("served_at")).filter(day__in=chunk).order_by()
                .values("day", "organisation_id", "item", "channel")
                .annotate(**{name: Count("pk", filter=cond) for name, cond in COUNTS.items()}))
        RatingDay.objects.filter(day__in=chunk).delete()
        # INSERT … SELECT of that very query: the rows never travel through Python.
        sql, params = rows.query.sql_with_params()
        columns = ["day", "organisation_id", "item", "channel", *COUNTS]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {RatingDay._meta.db_table} ({', '.join(columns)}) "
                           f"{sql}", params)


def refresh():
    """Recompute every dirty day; returns how many. Safe to run concurrently."""
    if not DirtyDay.objects.exists():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        days = list(DirtyDay.objects.values_list("day", flat=True))
        if not days:
            return 0
        # Removing the marks first: a change committed meanwhile marks its day again.
        DirtyDay.objects.filter(day__in=days).delete()
        recompute(days)
    return len(days)


def rebuild():
    """Recompute every day that has ratings (after a restore or a bulk import)."""
    with transaction.atomic():
        days = set(Rating.objects.annotate(day=TruncDate("served_at"))
                   .values_list("day", flat=True).distinct())
        DirtyDay.objects.all().delete()
        RatingDay.objects.exclude(day__in=days).delete()
        recompute(days)
    return len(days)
