"""The hotline's rates, each defined once here. All are computed over the tickets *received*
in the period (cohort by 受理时间), never typed in by hand; merged tickets (已并单) count in
重复诉求率 only, because their open ticket carries the handling."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from core.models import Division
from hotline.models import Satisfaction, Status, Ticket

HANDLED = ~Q(status=Status.MERGED)
CLOSED = Q(status=Status.CLOSED)
# 无法联系: closed after three callback attempts on different working days reached nobody.
# Counted on its own (``UNREACHABLE_FORMULA``), never as satisfied or unsatisfied.
UNREACHABLE = CLOSED & Q(satisfaction=Satisfaction.UNREACHABLE)
UNREACHABLE_FORMULA = ("回访无法联系 = 回访时在三个不同工作日均联系不上诉求人、按“无法联系”办结的工单数；"
                       "单独统计，不计入满意率和解决率的分子和分母。")


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    numerator: Q
    denominator: Q
    formula: str


def response_rate():
    """响应率 = 在签收期限内签收的工单数 ÷ 已派单的工单数。"""
    return Rate("response", "响应率",
                HANDLED & Q(dispatched_at__isnull=False, signed_at__lte=F("sign_deadline")),
                HANDLED & Q(dispatched_at__isnull=False), response_rate.__doc__)


def on_time_rate():
    """按时办结率 = 已办结工单中答复时间不晚于办理期限（含受理时直接办结）的工单数 ÷ 已办结工单数。"""
    return Rate("on_time", "按时办结率",
                CLOSED & (Q(handle_deadline__isnull=True) |
                          Q(replied_at__lte=F("handle_deadline"))),
                CLOSED, on_time_rate.__doc__)


def resolution_rate():
    """解决率 = 回访确认诉求已解决的工单数 ÷ 已办结工单数（回访无法联系的除外）。"""
    return Rate("resolution", "解决率", CLOSED & Q(resolved=True), CLOSED & ~UNREACHABLE,
                resolution_rate.__doc__)


def repeat_rate():
    """重复诉求率 = 被认定为重复诉求（并单或关联）的工单数 ÷ 受理工单总数。"""
    return Rate("repeat", "重复诉求率", Q(repeat_root__isnull=False), Q(pk__isnull=False),
                repeat_rate.__doc__)


def satisfaction_rate():
    """满意率 = 回访满意、基本满意的工单数 ÷ 已回访（含不满意重办）的工单数；回访无法联系的不计入。"""
    return Rate("satisfaction", "满意率",
                Q(satisfaction__in=["satisfied", "basic"]) & Q(reopen_count=0),
                # a ticket once reopened as 不满意 stays 不满意 even if nobody answers later
                Q(satisfaction__in=["satisfied", "basic", "unsatisfied"]) |
                Q(reopen_count__gt=0),
                satisfaction_rate.__doc__)


RATES = [response_rate(), on_time_rate(), resolution_rate(), repeat_rate(), satisfaction_rate()]


def _annotations():
    ann = {"received": Count("pk"), "unreachable": Count("pk", filter=UNREACHABLE)}
    for rate in RATES:
        ann[f"{rate.key}_num"] = Count("pk", filter=rate.numerator)
        ann[f"{rate.key}_den"] = Count("pk", filter=rate.denominator)
    return ann


def _finish(row):
    for rate in RATES:
        den = row[f"{rate.key}_den"]
        row[rate.key] = round(100 * row[f"{rate.key}_num"] / den, 1) if den else None
    return row


def table(start, end, by=("month",), queryset=None):
    """Rows of counts and rates grouped by any of ``month``, ``department``, ``category``
    (top level of the tree) for tickets received in [start, end)."""
    qs = (queryset if queryset is not None else Ticket.objects.all()).filter(
        received_at__gte=start, received_at__lt=end)
    keys = []
    if "month" in by:
        qs = qs.annotate(month=TruncMonth("received_at"))
        keys.append("month")
    if "department" in by:
        qs = qs.annotate(department=F("lead_org__short_name"),
                         department_name=F("lead_org__name"))
        keys += ["department", "department_name"]
    if "category" in by:
        qs = qs.annotate(top_category=F("category__parent__name"),
                         own_category=F("category__name"))
        keys += ["top_category", "own_category"]
    rows = qs.values(*keys).annotate(**_annotations()).order_by(*keys)
    result = [_finish(dict(row)) for row in rows]
    if "category" in by:  # merge leaf categories into their top-level category
        merged = {}
        for row in result:
            name = row["top_category"] or row["own_category"]
            key = tuple(row.get(k) for k in keys if k not in ("top_category", "own_category"))
            target = merged.setdefault(key + (name,), {**{k: row.get(k) for k in keys},
                                                       "category": name})
            for field, value in row.items():
                if field in ("received", "unreachable") or field.endswith(("_num", "_den")):
                    target[field] = target.get(field, 0) + value
        result = [_finish(row) for row in merged.values()]
    return result


def months_back(count, now=None):
    now = timezone.localtime(now or timezone.now())
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = first
    for _ in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    return start, end


def department_ranking(start, end, minimum=5):
    """Departments ordered by 按时办结率 then 解决率 (only those with enough closed tickets)."""
    rows = [r for r in table(start, end, by=("department",))
            if r["department_name"] and r["on_time_den"] >= minimum]
    return sorted(rows, key=lambda r: (-(r["on_time"] or 0), -(r["resolution"] or 0),
                                       r["department_name"]))


def recurring_clusters(start, end, minimum=5, growth=0.5, queryset=None):
    """一类事: the same category in the same county, counted over [start, end) and over the
    period of equal length before. A cluster is flagged 增长 (a candidate for 未诉先办) when it
    has at least ``minimum`` requests and grew by at least ``growth`` (50 %).

    ``queryset`` limits the tickets counted (the viewer's ``services.visible_tickets``), as
    for ``table``."""
    length = end - start
    previous_start = start - length
    tickets = queryset if queryset is not None else Ticket.objects.all()

    def counts(a, b):
        rows = (tickets.filter(received_at__gte=a, received_at__lt=b)
                .annotate(county=Substr("division__code", 1, 6))
                .values("category_id", "category__name", "county").annotate(n=Count("pk")))
        return {(r["category_id"], r["county"]): r for r in rows}

    now, before = counts(start, end), counts(previous_start, start)
    names = dict(Division.objects.filter(level=Division.Level.COUNTY).values_list(
        "code", "name"))
    result = []
    for key, row in now.items():
        if row["n"] < minimum:
            continue
        prev = before.get(key, {}).get("n", 0)
        change = (row["n"] - prev) / prev if prev else None
        result.append({
            "category": row["category__name"], "county": names.get(row["county"] + "000000",
                                                                 row["county"]),
            "count": row["n"], "previous": prev, "change": change,
            "growing": prev == 0 or change >= growth,
        })
    return sorted(result, key=lambda r: (-r["growing"], -r["count"]))
