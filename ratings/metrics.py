"""好差评 figures: each defined once here, with its formula, and computed in SQL from counts —
never stored or edited by hand. The counts are conditional COUNTs (``COUNTS``) over the stored
ratings, kept per day, department, item and channel in ``RatingDay`` by ``ratings.rollup``
(recomputed for every day a rating or case changed, right before each read), and summed
over the period asked for; the rates are divided at read time.

Only ratings with status "计入统计" count: a rating flagged as possible ballot-stuffing waits
for review, and a rating removed by an upheld appeal stays stored but out of every figure.
A rating belongs to the month (and year) in which the rated service was given (``served_at``).

Counts used by the formulas (over the counted ratings in scope):

    总数 N          every counted rating, active or default
    主动评价 A      ratings a resident actually gave (is_default = false)
    默认评价 D      unrated after N days, stored as 基本满意 by default
    好评 G          level ≥ 3 (非常满意, 满意, 基本满意), defaults included
    主动好评 AG     active ratings with level ≥ 3
    满意 S          active ratings with level ≥ 4 (非常满意, 满意)
    差评 B          active ratings with level ≤ 2 (不满意, 非常不满意)
    已回复差评 BR   差评 whose case has a recorded callback (回访核实)
    已整改差评 BX   差评 whose case is rectified (整改完成)
    整改已评 F      rectified cases the rater rated afterwards
    整改满意 FG     of those, rated 基本满意 or better

BX, F and FG describe a case's current round: a 差评 of the rectification starts another round
(``ratings.services.conclude_round``), so the case counts as rectified and rated again only once
that round is; every earlier round stays in the case's history.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Organisation
from ratings.models import Rating, RatingDay

BAD = Q(is_default=False, level__lte=2)

COUNTS = {
    "total": Q(),
    "active": Q(is_default=False),
    "defaults": Q(is_default=True),
    "good": Q(level__gte=3),
    "active_good": Q(is_default=False, level__gte=3),
    "satisfied": Q(is_default=False, level__gte=4),
    "bad": BAD,
    "bad_replied": BAD & Q(case__callback_at__isnull=False),
    "bad_rectified": BAD & Q(case__rectified_at__isnull=False),
    "followed": BAD & Q(case__followup_level__isnull=False),
    "followed_good": BAD & Q(case__followup_level__gte=3),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    numerator: str
    denominator: str
    formula: str


FIGURES = [
    Figure("satisfaction", _("满意率"), "satisfied", "active",
           _("满意率 = 主动评价中“非常满意”“满意”的条数 ÷ 主动评价条数 × 100%")),
    Figure("good", _("好评率"), "good", "total",
           _("好评率 = 好评条数（非常满意、满意、基本满意，含超期默认基本满意）÷ 评价总条数 × 100%")),
    Figure("active_good", _("主动评价好评率"), "active_good", "active",
           _("主动评价好评率 = 主动评价中的好评条数 ÷ 主动评价条数 × 100%")),
    Figure("unrated", _("未评率"), "defaults", "total",
           _("未评率 = 超期未评价（按默认基本满意计）的条数 ÷ 评价总条数 × 100%")),
    Figure("bad_reply", _("差评回复率"), "bad_replied", "bad",
           _("差评回复率 = 已回访核实的差评条数 ÷ 差评条数 × 100%")),
    Figure("rectify", _("回访整改率"), "bad_rectified", "bad",
           _("回访整改率 = 已整改完成的差评条数 ÷ 差评条数 × 100%")),
    Figure("rectify_satisfaction", _("回访整改满意率"), "followed_good", "followed",
           _("回访整改满意率 = 群众对整改结果评价为基本满意及以上的条数 ÷ 已评价整改结果的条数 × 100%")),
]

GROUPS = {
    "department": ("organisation_id",),
    "item": ("item",),
    "channel": ("channel",),
    "month": ("month",),
}


def rate(numerator, denominator):
    """A percentage with two decimals, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100 * numerator / denominator, 2)


def counted(start=None, end=None, queryset=None):
    """The counted ratings themselves (for lists and reasons; the figures use ``_days``)."""
    qs = (queryset if queryset is not None else Rating.objects.all()).filter(
        status=Rating.Status.COUNTED)
    if start is not None:
        qs = qs.filter(served_at__gte=start)
    if end is not None:
        qs = qs.filter(served_at__lt=end)
    return qs


def _local_day(moment, upper=False):
    """Figures are kept per local day: a bound inside a day counts that whole day."""
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return moment
    local = timezone.localtime(moment)
    if upper and local.time() != time.min:
        return local.date() + timedelta(days=1)
    return local.date()


def _days(start, end, organisations):
    from ratings import rollup

    rollup.refresh()
    qs = RatingDay.objects.all()
    if start is not None:
        qs = qs.filter(day__gte=_local_day(start))
    if end is not None:
        qs = qs.filter(day__lt=_local_day(end, upper=True))
    if organisations is not None:
        qs = qs.filter(organisation_id__in=organisations)
    return qs


def _with_figures(row):
    for name in COUNTS:
        row[name] = row[name] or 0
    for figure in FIGURES:
        row[figure.key] = rate(row[figure.numerator], row[figure.denominator])
    return row


def summary(start=None, end=None, organisations=None):
    """All counts and figures over the period (``organisations``: ids, None for all)."""
    row = _days(start, end, organisations).aggregate(**{n: Sum(n) for n in COUNTS})
    return _with_figures(row)


def table(start=None, end=None, by=("department",), organisations=None):
    """Counts and figures grouped by any of: department, item, channel, month."""
    qs = _days(start, end, organisations)
    if "month" in by:
        qs = qs.annotate(month=TruncMonth("day"))
    fields = [f for key in by for f in GROUPS[key]]
    rows = list(qs.order_by().values(*fields).annotate(**{n: Sum(n) for n in COUNTS}))
    if "department" in by:  # names from the small organisation table, not in the GROUP BY
        names = dict(Organisation.objects.filter(
            pk__in={r["organisation_id"] for r in rows}).values_list("pk", "name"))
        for row in rows:
            row["department"] = names.get(row["organisation_id"], "")
    rows.sort(key=lambda r: tuple(
        r["department"] if f == "organisation_id" else r[f] for f in fields))
    return [_with_figures(row) for row in rows]


def ranking(start, end, minimum=1, organisations=None):
    """Departments ranked by 好评率, then 满意率; only those with ``minimum`` ratings."""
    rows = [r for r in table(start, end, ("department",), organisations)
            if r["total"] >= minimum]
    rows.sort(key=lambda r: (-(r["good"] or 0), -(r["satisfaction"] or 0), r["department"]))
    for place, row in enumerate(rows, start=1):
        row["place"] = place
    return rows


def month_start(day):
    return timezone.make_aware(datetime(day.year, day.month, 1))


def month_range(year, month):
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def months_back(count, today=None):
    """(start, end) covering the last ``count`` calendar months including the current one."""
    today = today or timezone.localdate()
    year, month = today.year, today.month - (count - 1)
    while month < 1:
        month += 12
        year -= 1
    start = timezone.make_aware(datetime(year, month, 1))
    _, end = month_range(today.year, today.month)
    return start, end
