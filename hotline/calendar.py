"""Working days and working hours: the one place that knows the holiday calendar.

A day is a working day according to, in this order:
1. the administrator's ``CalendarDay`` table (a year the package does not know yet, or a
   correction) — it always wins;
2. the ``chinese_calendar`` package for the years it carries (official holidays and the 调休
   working weekends);
3. Monday to Friday, for a year nobody has entered yet.

Deadlines in working days end at the close of the last working day (``HOTLINE_WORKDAY_END``);
deadlines in working hours count only the hours between start and end of working days.

A year is *entered* when the package knows it or an administrator confirmed that all its 放假 and
调休 days are in the table (``CalendarYear``). A deadline falling in a year that is not entered is
provisional (待核定, ``is_provisional``); from ``CALENDAR_WARNING_FROM`` (1 November) every staff
home page asks for next year (``missing_year``). Every change to the table goes through
``changing`` (the admin screens) or the model signals (anything else): open ticket deadlines it
moves are recomputed, and each ticket's timeline records old → new (``recompute_deadlines``).
"""

import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

_CACHE = {"loaded_at": 0.0, "days": None, "years": frozenset()}
CACHE_SECONDS = 300
# Per thread: a calendar pinned for a computation (the table as it was before a change), and
# how deep we are inside ``changing`` (the signals leave such changes to it).
_LOCAL = threading.local()


def _load():
    if _CACHE["days"] is None or time.monotonic() - _CACHE["loaded_at"] > CACHE_SECONDS:
        from hotline.models import CalendarYear

        days = snapshot()
        _CACHE["years"] = frozenset(CalendarYear.objects.values_list("year", flat=True))
        _CACHE["days"] = days
        _CACHE["loaded_at"] = time.monotonic()
    return _CACHE


def _overrides():
    pinned = getattr(_LOCAL, "pinned", None)
    return pinned if pinned is not None else _load()["days"]


def snapshot():
    """The administrator's table as the database has it now: {date: is_workday}."""
    from hotline.models import CalendarDay

    return dict(CalendarDay.objects.values_list("date", "is_workday"))


@contextmanager
def _pinned(days):
    """Compute with ``days`` as the administrator's table (this thread only)."""
    previous = getattr(_LOCAL, "pinned", None)
    _LOCAL.pinned = days
    try:
        yield
    finally:
        _LOCAL.pinned = previous


def clear_cache(**kwargs):
    _CACHE["days"] = None


def package_knows(year):
    return min(chinese_calendar.holidays).year <= year <= max(chinese_calendar.holidays).year


def _workday_in(day, overrides):
    override = overrides.get(day)
    if override is not None:
        return override
    if package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_workday(day):
    """Whether ``day`` (a date) is a working day."""
    return _workday_in(day, _overrides())


# --- Is the year's calendar entered? -------------------------------------------------------------


def year_entered(year):
    """Whether ``year``'s holidays are known: the package carries it, or an administrator
    confirmed that all its 放假/调休 days are entered."""
    return package_knows(year) or year in _load()["years"]


def confirmation(year):
    """The administrator's confirmation of ``year`` (a ``CalendarYear``), or None."""
    from hotline.models import CalendarYear

    return CalendarYear.objects.filter(year=year).select_related("confirmed_by").first()


def is_provisional(moment):
    """Whether a deadline (a datetime or date) falls in a year whose calendar is not entered:
    it is computed Monday to Friday for now and shown as 待核定."""
    if moment is None:
        return False
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return not year_entered(day.year)


def missing_year(today=None):
    """The year whose 放假/调休 days staff must enter now, or None: this year when it is not
    entered, and from ``CALENDAR_WARNING_FROM`` (month, day) on, next year when it is not."""
    today = today or timezone.localdate()
    if not year_entered(today.year):
        return today.year
    if (today.month, today.day) >= tuple(settings.PLATFORM["CALENDAR_WARNING_FROM"]) and (
            not year_entered(today.year + 1)):
        return today.year + 1
    return None


def confirm_year(year, user, basis=""):
    """Record that all of ``year``'s 放假 and 调休 days are entered. Refused (ValueError with a
    Chinese message) while the table has no 放假 day in that year."""
    from hotline.models import CalendarDay, CalendarYear

    if not CalendarDay.objects.filter(date__year=year, is_workday=False).exists():
        raise ValueError(_("%(year)d 年还没有录入任何放假日期，请先录入再确认。") % {"year": year})
    CalendarYear.objects.update_or_create(year=year, defaults={
        "basis": (basis or "").strip()[:100], "confirmed_at": timezone.now(),
        "confirmed_by": user if user is not None and user.is_authenticated else None})
    clear_cache()


def _hours():
    return settings.PLATFORM["HOTLINE_WORKDAY_START"], settings.PLATFORM["HOTLINE_WORKDAY_END"]


def _at(day, hour):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def next_workday(day, include_today=False):
    day = day if include_today else day + timedelta(days=1)
    for _attempt in range(370):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    raise ValueError("一年内没有工作日，请检查节假日设置。")


def add_working_days(start, days):
    """The close of the ``days``-th working day after ``start`` (a datetime).

    0 means the close of the same working day (or of the next one when ``start`` is not a
    working day or is after hours).
    """
    local = timezone.localtime(start)
    _start_hour, end_hour = _hours()
    day = local.date()
    if days == 0:
        if is_workday(day) and local.hour < end_hour:
            return _at(day, end_hour)
        return _at(next_workday(day), end_hour)
    for _step in range(days):
        day = next_workday(day)
    return _at(day, end_hour)


def add_working_hours(start, hours):
    """``start`` plus ``hours`` of working time (working days between the configured hours);
    ``hours`` may also be a timedelta."""
    start_hour, end_hour = _hours()
    current = timezone.localtime(start)
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    day = current.date()
    if not is_workday(day) or current >= _at(day, end_hour):
        day = next_workday(day)
        current = _at(day, start_hour)
    elif current < _at(day, start_hour):
        current = _at(day, start_hour)
    while True:
        available = _at(day, end_hour) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        day = next_workday(day)
        current = _at(day, start_hour)


def working_days_between(first, last):
    """How many working days lie in (first, last] — for reports."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_workday(day)
    return count


def working_time_between(start, end):
    """The working time (a timedelta) between two datetimes: the inverse of
    ``add_working_hours``."""
    start_hour, end_hour = _hours()
    start, end = timezone.localtime(start), timezone.localtime(end)
    total, day = timedelta(0), start.date()
    while day <= end.date():
        if is_workday(day):
            first, last = max(start, _at(day, start_hour)), min(end, _at(day, end_hour))
            if last > first:
                total += last - first
        day += timedelta(days=1)
    return total


def year_summary(year):
    """Holidays and make-up working days of a year as the platform sees them."""
    day, end = date(year, 1, 1), date(year, 12, 31)
    holidays, makeup = [], []
    while day <= end:
        workday = is_workday(day)
        if not workday and day.weekday() < 5:
            holidays.append(day)
        elif workday and day.weekday() >= 5:
            makeup.append(day)
        day += timedelta(days=1)
    return {"holidays": holidays, "makeup_workdays": makeup,
            "source": "package" if package_knows(year) else "manual"}


def connect_signals():
    from hotline.models import CalendarDay, CalendarYear

    pre_save.connect(_before_change, sender=CalendarDay, dispatch_uid="hotline_calendar_pre")
    pre_delete.connect(_before_change, sender=CalendarDay,
                       dispatch_uid="hotline_calendar_pre_delete")
    post_save.connect(_after_change, sender=CalendarDay, dispatch_uid="hotline_calendar_save")
    post_delete.connect(_after_change, sender=CalendarDay,
                        dispatch_uid="hotline_calendar_delete")
    for signal in (post_save, post_delete):
        signal.connect(clear_cache, sender=CalendarYear,
                       dispatch_uid=f"hotline_calendar_year_{signal is post_save}")


def parse_year_entries(year, text):
    """Parse an administrator's list of days for ``year``: one entry per line,
    ``YYYY-MM-DD[~YYYY-MM-DD] 放假|上班 [说明]``. Returns [(date, is_workday, note)] or raises
    ValueError with a Chinese message naming the line."""
    entries = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[1] not in ("放假", "上班"):
            raise ValueError(f"第 {number} 行格式不对：应为“日期 放假/上班 说明”。")
        first, _, last = parts[0].partition("~")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError as exc:
            raise ValueError(f"第 {number} 行日期无效：{parts[0]}。") from exc
        if end < start or start.year != year or end.year != year:
            raise ValueError(f"第 {number} 行的日期必须在 {year} 年内且起止顺序正确。")
        day = start
        while day <= end:
            entries.append((day, parts[1] == "上班", parts[2] if len(parts) > 2 else ""))
            day += timedelta(days=1)
    if not entries:
        raise ValueError("没有可保存的日期。")
    return entries


def save_year_entries(entries, user=None):
    """Write the entries (they win over the package) and recompute the open deadlines they
    move. Returns (days saved, the tickets whose deadlines changed)."""
    from hotline.models import CalendarDay

    with changing(user) as result:
        for day, workday, note in entries:
            CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": workday,
                                                                     "note": note[:60]})
    return len(entries), result.tickets


# --- A change to the calendar moves open deadlines -----------------------------------------------


class Recomputed:
    """What ``changing`` did: the dates whose status changed and the tickets it moved."""

    def __init__(self):
        self.dates, self.tickets = [], []


@contextmanager
def changing(user=None):
    """Wrap any change to the administrator's table (``CalendarDay``): afterwards, every open
    ticket deadline the change moves is recomputed and its ticket's timeline notes old → new,
    in the same transaction. Yields a ``Recomputed`` filled in on the way out. The model
    signals do the same for a change made outside this block (with no user to name)."""
    result = Recomputed()
    if getattr(_LOCAL, "depth", 0):
        yield result
        return
    with transaction.atomic():
        before = snapshot()
        _LOCAL.depth = 1
        try:
            yield result
        finally:
            _LOCAL.depth = 0
        recompute_deadlines(before, user, result)


def _before_change(sender, instance, raw=False, **kwargs):
    if not raw and not getattr(_LOCAL, "depth", 0):
        instance._calendar_before = snapshot()


def _after_change(sender, instance, raw=False, **kwargs):
    clear_cache()
    before = getattr(instance, "_calendar_before", None)
    if before is not None and not raw and not getattr(_LOCAL, "depth", 0):
        del instance._calendar_before
        recompute_deadlines(before)


# The ticket deadlines a calendar change may move, counted in working hours or working days.
DEADLINE_UNITS = {"sign_deadline": "hours", "handle_deadline": "days",
                  "callback_deadline": "days"}


def _open_statuses():
    """The statuses in which each deadline is still to be met."""
    from hotline.models import Status

    return {"sign_deadline": [Status.PENDING_SIGN],
            "handle_deadline": [Status.PENDING_SIGN, Status.IN_PROGRESS],
            "callback_deadline": [Status.PENDING_CALLBACK]}


def _labels():
    return {"sign_deadline": _("签收期限"), "handle_deadline": _("办理期限"),
            "callback_deadline": _("回访期限")}


def _anchor(ticket, field, events):
    """When the working-time clock of ``field`` started: the dispatch (签收, 办理) or the latest
    重办 (办理), the approval of the reply or the latest 联系不上 attempt (回访). None when the
    deadline was set as a date (督办) or its start is unknown: such a deadline is left as it
    is."""
    def last(*actions):
        times = [at for action, at in events if action in actions]
        return max(times) if times else None

    if field == "callback_deadline":  # set at the approval, moved on by a failed attempt
        return last("approve_reply", "callback_unreachable")
    start = ticket.dispatched_at
    reopened = last("reopen")
    if field == "handle_deadline" and reopened and (start is None or reopened > start):
        start = reopened
    supervised = last("supervise")
    if start is None or (supervised and supervised >= start):
        return None
    return start


def _measure(anchor, deadline, unit):
    if unit == "hours":
        return working_time_between(anchor, deadline)
    return working_days_between(timezone.localtime(anchor).date(),
                                timezone.localtime(deadline).date())


def _add(anchor, amount, unit):
    return add_working_hours(anchor, amount) if unit == "hours" else add_working_days(
        anchor, amount)


def _describe(dates, after):
    shown = "、".join(f"{d.month}月{d.day}日{_('上班') if _workday_in(d, after) else _('放假')}"
                     for d in dates[:5])
    return shown + (_("等 %(n)d 天") % {"n": len(dates)} if len(dates) > 5 else "")


def recompute_deadlines(before, user=None, result=None):
    """Recompute the open ticket deadlines that the change from ``before`` (the table as it
    was) to the table as it is now moves: each keeps its working time counted from the start
    of its clock (``_anchor``), so a day turned into a holiday pushes it on by a working day.
    Each ticket moved gets one timeline line naming old → new; 临期/超期 are then re-marked.
    Returns the ``Recomputed``."""
    from django.db.models import Q

    from hotline import services
    from hotline.models import Ticket, TicketEvent

    result = result or Recomputed()
    clear_cache()
    after = _overrides()
    result.dates = changed = sorted(d for d in before.keys() | after.keys()
                                    if _workday_in(d, before) != _workday_in(d, after))
    if not changed:
        return result
    # A deadline moves only if a changed day lies on or before it.
    earliest = timezone.make_aware(datetime.combine(changed[0], datetime.min.time()))
    statuses = _open_statuses()
    candidates = Q()
    for field, open_in in statuses.items():
        candidates |= Q(status__in=open_in, **{f"{field}__gte": earliest})
    labels, now = _labels(), timezone.now()
    actor = user if user is not None and user.is_authenticated else None
    reason = _describe(changed, after)
    with transaction.atomic():
        for ticket in Ticket.objects.select_for_update().filter(candidates).order_by("pk"):
            events = list(ticket.events.values_list("action", "created_at"))
            moves = []
            for field, unit in DEADLINE_UNITS.items():
                old = getattr(ticket, field)
                if old is None or ticket.status not in statuses[field]:
                    continue
                anchor = _anchor(ticket, field, events)
                if anchor is None:
                    continue
                with _pinned(before):
                    amount = _measure(anchor, old, unit)
                    if _add(anchor, amount, unit) != old:
                        continue  # not a count from its start: set by hand, leave it
                new = _add(anchor, amount, unit)
                if new != old:
                    setattr(ticket, field, new)
                    moves.append((field, old, new))
            if not moves:
                continue
            ticket.save(update_fields=[field for field, _old, _new in moves])
            TicketEvent.objects.create(
                ticket=ticket, action="recompute_deadline", label=_("期限调整"),
                from_status=ticket.status, to_status=ticket.status, actor=actor,
                actor_name=services.actor_name(actor) if actor else _("系统"),
                organisation_id=getattr(actor, "organisation_id", None),
                public=any(field == "handle_deadline" for field, _o, _n in moves),
                created_at=now,
                note=_("节假日安排调整（%(reason)s）：%(moves)s。") % {
                    "reason": reason, "moves": "；".join(
                        f"{labels[field]} {_local(old)} → {_local(new)}"
                        for field, old, new in moves)})
            result.tickets.append(ticket)
    if result.tickets:
        from hotline.tasks import mark_deadlines

        mark_deadlines(now=now)
    return result


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
