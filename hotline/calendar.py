"""Working days and working hours: the one place that knows the holiday calendar.

A day is a working day according to, in this order:
1. the administrator's ``CalendarDay`` table (a year the package does not know yet, or a
   correction) — it always wins;
2. the ``chinese_calendar`` package for the years it carries (official holidays and the 调休
   working weekends);
3. Monday to Friday, for a year nobody has entered yet.

Deadlines in working days end at the close of the last working day (``HOTLINE_WORKDAY_END``);
deadlines in working hours count only the hours between start and end of working days.
"""

import time
from datetime import date, datetime, timedelta

import chinese_calendar
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

_CACHE = {"loaded_at": 0.0, "days": None}
CACHE_SECONDS = 300


def _overrides():
    if _CACHE["days"] is None or time.monotonic() - _CACHE["loaded_at"] > CACHE_SECONDS:
        from hotline.models import CalendarDay

        _CACHE["days"] = dict(CalendarDay.objects.values_list("date", "is_workday"))
        _CACHE["loaded_at"] = time.monotonic()
    return _CACHE["days"]


def clear_cache(**kwargs):
    _CACHE["days"] = None


def package_knows(year):
    return min(chinese_calendar.holidays).year <= year <= max(chinese_calendar.holidays).year


def is_workday(day):
    """Whether ``day`` (a date) is a working day."""
    override = _overrides().get(day)
    if override is not None:
        return override
    if package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def _hours():
    return settings.PLATFORM["HOTLINE_WORKDAY_START"], settings.PLATFORM["HOTLINE_WORKDAY_END"]


def _at(day, hour):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def next_workday(day, include_today=False):
    day = day if include_today else day + timedelta(days=1)
    for _ in range(370):
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
    _, end_hour = _hours()
    day = local.date()
    if days == 0:
        if is_workday(day) and local.hour < end_hour:
            return _at(day, end_hour)
        return _at(next_workday(day), end_hour)
    for _ in range(days):
        day = next_workday(day)
    return _at(day, end_hour)


def add_working_hours(start, hours):
    """``start`` plus ``hours`` of working time (working days between the configured hours)."""
    start_hour, end_hour = _hours()
    current = timezone.localtime(start)
    remaining = timedelta(hours=hours)
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
    from hotline.models import CalendarDay

    post_save.connect(clear_cache, sender=CalendarDay, dispatch_uid="hotline_calendar_save")
    post_delete.connect(clear_cache, sender=CalendarDay, dispatch_uid="hotline_calendar_delete")


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


def save_year_entries(entries):
    """Write the entries (they win over the package) and forget the cached calendar."""
    from django.db import transaction

    from hotline.models import CalendarDay

    with transaction.atomic():
        for day, workday, note in entries:
            CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": workday,
                                                                     "note": note[:60]})
    clear_cache()
    return len(entries)
