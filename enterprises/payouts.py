"""兑现台账 of 免申即享 policies: the payout deadline, the figures, recording payouts and the
deadline reminders. Every admin screen, portal page, task, demo and benchmark calls these.

The rule (provincial practice, domain rules §4): a 免申即享 policy pays the enterprises it lists
within ``ENTERPRISE_PAYOUT_WORKING_DAYS`` (60) working days of going live. The deadline is the
close of the 60th working day after the policy's first go-live (``first_published_at``), counted
with the platform's one holiday calendar (``hotline.calendar``).

Who is eligible is ``criteria.matching_enterprises`` — now, as for the 免申即享 list. A payout is
recorded once per policy and enterprise (unique constraint); recording is all-or-nothing and
repeating the same rows changes nothing.
"""

import csv
import functools
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging, roles
from enterprises import criteria
from enterprises.models import Enterprise, Payout, PayoutReminder
from enterprises.validators import normalise_credit_code, validate_credit_code
from hotline import calendar
from interpretations.permissions import department_staff

# --- the deadline --------------------------------------------------------------------------------


def go_live(policy):
    """When the policy first went live, or None (never published)."""
    return policy.first_published_at


def deadline(policy):
    """The close of the last working day the policy has for paying, or None (never live)."""
    start = go_live(policy)
    if start is None:
        return None
    return calendar.add_working_days(start, settings.ENTERPRISE_PAYOUT_WORKING_DAYS)


def passed(due, now):
    """Whether the deadline ``due`` (None: no deadline) has passed at ``now``."""
    return due is not None and now > due


def _today(now):
    return timezone.localdate(now)


def working_days_left(due, now):
    """Working days still to come before ``due`` closes (0 on its own last day)."""
    return calendar.working_days_between(_today(now), timezone.localdate(due))


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    eligible: int  # enterprises eligible now
    paid: int  # payouts recorded
    paid_eligible: int  # of those, to enterprises still eligible now
    amount: Decimal  # total paid (元)
    deadline: datetime | None
    now: datetime

    @property
    def unpaid(self):
        return self.eligible - self.paid_eligible

    @property
    def no_longer_eligible(self):
        """Enterprises paid that no longer match the policy (their profile changed since)."""
        return self.paid - self.paid_eligible

    @property
    def is_overdue(self):
        return passed(self.deadline, self.now)

    @property
    def overdue(self):
        """Eligible enterprises still unpaid after the deadline."""
        return self.unpaid if self.is_overdue else 0

    @property
    def percent(self):
        if not self.eligible:
            return 0
        return min(100, self.paid_eligible * 100 // self.eligible)

    @property
    def state(self):
        """"done" (every eligible enterprise paid), "overdue" (some unpaid after the deadline),
        "open" (some unpaid, time left) or "none" (nobody eligible, or never live)."""
        if self.deadline is None or not self.eligible:
            return "none"
        if not self.unpaid:
            return "done"
        return "overdue" if self.is_overdue else "open"

    @property
    def days_left(self):
        if self.deadline is None or self.is_overdue:
            return None
        return working_days_left(self.deadline, self.now)

    @property
    def days_overdue(self):
        if not self.is_overdue:
            return None
        return calendar.working_days_between(timezone.localdate(self.deadline),
                                             _today(self.now))


def _with_payout(enterprises, policy):
    """``enterprises`` LEFT JOINed to their payout of ``policy`` (as ``payout``)."""
    return enterprises.annotate(payout=FilteredRelation(
        "payouts", condition=Q(payouts__policy_id=policy.pk)))


def figures(policy, now=None):
    """The policy's figures, counted in the database: one pass over the eligible enterprises
    joined to the policy's payouts, and one aggregate over the payouts."""
    now = now or timezone.now()
    eligible = criteria.matching_enterprises(policy, _today(now))
    counts = _with_payout(eligible, policy).aggregate(eligible=Count("pk"),
                                                      paid=Count("payout__id"))
    totals = Payout.objects.filter(policy_id=policy.pk).aggregate(paid=Count("pk"),
                                                                  amount=Sum("amount"))
    return Figures(eligible=counts["eligible"], paid=totals["paid"],
                   paid_eligible=counts["paid"] or 0,
                   amount=(totals["amount"] or Decimal(0)).quantize(Decimal("0.01")),
                   deadline=deadline(policy), now=now)


def eligible_with_payouts(policy, now=None):
    """The eligible enterprises with their payout of the policy (``payout__amount``,
    ``payout__paid_on``, ``payout__voucher``; None when unpaid), for lists and exports."""
    now = now or timezone.now()
    return _with_payout(criteria.matching_enterprises(policy, _today(now)), policy)


def status_label(paid, overdue):
    if paid:
        return _("已兑现")
    return _("超期未兑现") if overdue else _("待兑现")


def weekly_chart(policy, now=None, weeks=26):
    """Enterprises paid per week since go-live (the latest ``weeks`` weeks), as SVG."""
    from hotline import charts

    start = go_live(policy)
    if start is None or not Payout.objects.filter(policy_id=policy.pk).exists():
        return ""
    first, today = timezone.localdate(start), _today(now or timezone.now())
    total = max(1, (today - first).days // 7 + 1)
    shown = range(max(0, total - weeks), total)
    counts = [0] * total
    for paid_on, n in (Payout.objects.filter(policy_id=policy.pk, paid_on__gte=first)
                       .order_by().values_list("paid_on").annotate(n=Count("pk"))):
        week = (paid_on - first).days // 7
        if 0 <= week < total:
            counts[week] += n
    labels = [(first + timedelta(days=7 * w)).strftime("%m-%d") for w in shown]
    step = max(1, len(labels) // 13)  # keep the axis legible
    labels = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    return charts.bar_chart(labels, [counts[w] for w in shown],
                            _("每周兑现企业数（按兑现日期，自首次发布起）"), unit=_("家"),
                            width=720)


# --- who may record ------------------------------------------------------------------------------

def may_record(user, policy):
    """Superusers, and the drafting department's own 编辑 and 审签人 (who also hear about the
    deadline). Everyone else who may see the policy's list (督办人, organisations above) reads
    only."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or department_staff(policy).filter(pk=user.pk).exists()


# --- recording -----------------------------------------------------------------------------------

# The file format of the ledger, shared by the exported eligible list (``enterprises.viewsets``)
# and uploads, so a department may fill in the export and upload it again. Column names are
# data, not interface text: they are not translated.
CODE, AMOUNT, PAID_ON, VOUCHER = "统一社会信用代码", "兑现金额", "兑现日期", "凭证号"
EXPORT_COLUMNS = ["兑现状态", f"{AMOUNT}（元）", PAID_ON, VOUCHER]
HEADER_ALIASES = {"金额": AMOUNT}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 300_000
ERRORS_SHOWN = 200
MAX_AMOUNT = Decimal("1000000000000")  # what the column holds (14 digits, 2 decimals)
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class PayoutError(Exception):
    """Nothing was recorded; ``errors`` are the Chinese messages, each naming its row."""

    def __init__(self, errors):
        super().__init__("；".join(str(e) for e in errors[:3]))
        self.errors = [str(e) for e in errors]


@dataclass
class Row:
    """One payout as typed or uploaded: raw text; ``number`` is the spreadsheet row (the
    header is row 1), None for one entered by hand."""

    number: int | None
    credit_code: str
    amount: str
    paid_on: str
    voucher: str


@dataclass
class Outcome:
    created: int
    unchanged: int


def _header_name(cell):
    name = re.sub(r"[\s\ufeff]", "", cell or "")
    name = re.sub(r"[（(]元[）)]$", "", name)
    return HEADER_ALIASES.get(name, name)


def read_upload(upload):
    """The rows of an uploaded CSV (UTF-8, with or without BOM; the header names the columns,
    other columns are ignored). Rows with neither amount, date nor voucher are skipped: that is
    an enterprise of the exported list not paid yet. Raises PayoutError."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise PayoutError([_("文件超过 %(mb)s MB，请分批上传。") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}])
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayoutError([_("文件不是 UTF-8 编码。请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”后"
                             "重新上传。")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header_name(cell) for cell in next(reader, [])]
        wanted = [CODE, AMOUNT, PAID_ON, VOUCHER]
        missing = [name for name in wanted if name not in header]
        if missing:
            raise PayoutError([_("缺少列：%(missing)s。第 1 行须为表头，包括 %(all)s（可直接使用下载的"
                                 "符合条件企业名单）。") % {"missing": "、".join(missing),
                                                       "all": "、".join(wanted)}])
        at = [header.index(name) for name in wanted]
        rows = []
        for number, cells in enumerate(reader, start=2):
            values = [cells[i].strip() if i < len(cells) else "" for i in at]
            if not any(values[1:]):
                continue
            if len(rows) >= MAX_ROWS:
                raise PayoutError([_("单次最多上传 %(n)s 条兑现记录，请分批上传。") % {
                    "n": MAX_ROWS}])
            rows.append(Row(number, *values))
    except csv.Error as exc:
        raise PayoutError([_("第 %(n)s 行无法读取（%(e)s），请检查文件是否为 CSV 格式。") % {
            "n": reader.line_num, "e": exc}]) from None
    if not rows:
        raise PayoutError([_("文件中没有兑现记录：请填写兑现金额、兑现日期和凭证号。")])
    return rows


def _amount(text):
    cleaned = re.sub(r"[,，\s]", "", text).lstrip("¥￥")
    if not cleaned:
        raise ValidationError(_("缺少兑现金额"))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("兑现金额“%(v)s”不是有效的金额") % {"v": text}) from None
    if not value.is_finite():
        raise ValidationError(_("兑现金额“%(v)s”不是有效的金额") % {"v": text})
    if value <= 0:
        raise ValidationError(_("兑现金额必须大于 0"))
    # Before rounding: 1e100 has more digits than rounding to the fen can hold.
    if value >= MAX_AMOUNT:
        raise ValidationError(_("兑现金额超出合理范围，请核对（单位为元）"))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("兑现金额最多保留两位小数（单位为元）"))
    return value.quantize(Decimal("0.01"))


def _date(text, first, today):
    if not text:
        raise ValidationError(_("缺少兑现日期"))
    match = DATE_RE.match(text)
    try:
        value = date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(_("兑现日期“%(v)s”无效，请按 2026-03-05 的格式填写") % {"v": text})
    if value > today:
        raise ValidationError(_("兑现日期 %(d)s 晚于今天") % {"d": value.isoformat()})
    if first is not None and value < first:
        raise ValidationError(_("兑现日期 %(d)s 早于政策首次发布日期 %(first)s") % {
            "d": value.isoformat(), "first": first.isoformat()})
    return value


def _voucher(text):
    if not text:
        raise ValidationError(_("缺少凭证号"))
    if len(text) > Payout._meta.get_field("voucher").max_length:
        raise ValidationError(_("凭证号过长（最多 64 个字符）"))
    return text


def _chunks(items, size=None):
    size = size or min(connection.features.max_query_params or 10_000, 10_000) - 50
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _say(row, message):
    """(row number, the message naming the row) — sortable by row."""
    if row.number is None:
        return 0, f"{message}。"
    return row.number, _("第 %(n)s 行：%(m)s。") % {"n": row.number, "m": message}


def _describe(payout):
    return _("%(amount)s 元，%(day)s，凭证号 %(voucher)s") % {
        "amount": payout[0], "day": payout[1].isoformat(), "voucher": payout[2]}


def record(policy, user, rows, now=None):
    """Record the payouts ``rows`` (``Row``) of ``policy`` by ``user``: all of them, or none if
    any row has a problem — then every problem is reported with its row. A row identical to a
    payout already recorded is left as it is (uploading the same file twice changes nothing);
    one that differs is refused. Returns an ``Outcome``; raises PayoutError or
    PermissionDenied."""
    if not may_record(user, policy):
        raise PermissionDenied
    now = now or timezone.now()
    today = _today(now)
    first = timezone.localdate(go_live(policy)) if go_live(policy) else None
    parse_date = functools.partial(_date, first=first, today=today)
    errors, parsed, seen = [], {}, {}
    for row in rows:
        row_errors = []
        code = normalise_credit_code(row.credit_code)
        if not code:
            row_errors.append(_("缺少统一社会信用代码"))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                row_errors.append(_("统一社会信用代码“%(c)s”有误：%(e)s") % {
                    "c": row.credit_code, "e": exc.messages[0].rstrip("。")})
            else:
                if code in seen:
                    row_errors.append(_("统一社会信用代码 %(c)s 与第 %(n)s 行重复") % {
                        "c": code, "n": seen[code].number})
                else:
                    seen[code] = row
        values = []
        for parse, text in ((_amount, row.amount), (parse_date, row.paid_on),
                            (_voucher, row.voucher)):
            try:
                values.append(parse(text))
            except ValidationError as exc:
                row_errors.append(exc.messages[0])
        if row_errors:
            errors.extend(_say(row, message) for message in row_errors)
        else:
            parsed[code] = (row, *values)
    known, eligible, existing = {}, set(), {}
    eligible_query = criteria.matching_enterprises(policy, today)
    for chunk in _chunks(parsed):
        known.update((code, (pk, name)) for code, pk, name in Enterprise.objects.filter(
            credit_code__in=chunk).values_list("credit_code", "pk", "name"))
        eligible.update(eligible_query.filter(credit_code__in=chunk).values_list(
            "credit_code", flat=True))
    for chunk in _chunks(pk for pk, _name in known.values()):
        existing.update((enterprise_id, (amount, paid_on, voucher)) for
                        enterprise_id, amount, paid_on, voucher in Payout.objects.filter(
                            policy_id=policy.pk, enterprise_id__in=chunk).values_list(
                            "enterprise_id", "amount", "paid_on", "voucher"))
    new, unchanged = [], 0
    for code, (row, amount, paid_on, voucher) in parsed.items():
        if code not in known:
            errors.append(_say(row, _("统一社会信用代码 %(c)s 不在企业档案中") % {"c": code}))
            continue
        pk, name = known[code]
        if pk in existing:
            if existing[pk] == (amount, paid_on, voucher):
                unchanged += 1
            else:
                errors.append(_say(row, _("%(name)s 已登记兑现（%(old)s），与本行不一致；已登记的"
                                          "兑现记录不能重复登记或修改") % {
                    "name": name, "old": _describe(existing[pk])}))
            continue
        if code not in eligible:
            errors.append(_say(row, _("%(name)s（%(c)s）不符合该政策的适用条件，不在符合条件"
                                      "企业名单中") % {"name": name, "c": code}))
            continue
        new.append(Payout(policy_id=policy.pk, enterprise_id=pk, amount=amount,
                          paid_on=paid_on, voucher=voucher, recorded_by=user))
    if errors:
        raise PayoutError([text for _n, text in sorted(errors, key=lambda error: error[0])])
    # Payouts are only ever added, so the unique constraint is the only guard needed against a
    # concurrent recording: an overlapping one makes this fail as a whole.
    try:
        with transaction.atomic():
            Payout.objects.bulk_create(new, batch_size=2000)
    except IntegrityError:
        raise PayoutError([_("其他人刚刚登记了其中部分企业的兑现记录，本次未保存任何记录，"
                             "请重新上传。")]) from None
    return Outcome(created=len(new), unchanged=unchanged)


def record_one(policy, user, *, credit_code, amount, paid_on, voucher, now=None):
    """Record one payout typed in by hand (the same checks as an upload)."""
    return record(policy, user, [Row(None, credit_code or "", (amount or "").strip(),
                                     (paid_on or "").strip(), (voucher or "").strip())], now)


# --- what the enterprise sees --------------------------------------------------------------------


@dataclass
class Standing:
    """A 免申即享 policy as one enterprise sees it: paid (``payout``) or waiting (``deadline``)."""

    payout: Payout | None
    deadline: datetime | None
    now: datetime

    @property
    def overdue(self):
        return self.payout is None and passed(self.deadline, self.now)


def standings(enterprise, pairs, now=None):
    """{policy id: Standing} for the 免申即享 policies of ``pairs`` ((policy, eligible now))
    that paid the enterprise or that it is eligible for; one query."""
    now = now or timezone.now()
    exempt = [(policy, eligible) for policy, eligible in pairs if policy.exempt_application]
    if not exempt:
        return {}
    paid = {p.policy_id: p for p in Payout.objects.filter(
        enterprise=enterprise, policy_id__in=[policy.pk for policy, _e in exempt])}
    return {policy.pk: Standing(paid.get(policy.pk), deadline(policy), now)
            for policy, eligible in exempt if eligible or policy.pk in paid}


# --- reminders -----------------------------------------------------------------------------------


def _exempt_policies():
    from interpretations.models import PolicyPage

    return PolicyPage.objects.live().filter(exempt_application=True,
                                            first_published_at__isnull=False)


def remind(now=None):
    """Tell the drafting department (in-app) once when the deadline is
    ``ENTERPRISE_PAYOUT_REMIND_WORKING_DAYS`` working days away or less with eligible
    enterprises unpaid, and once when it has passed with some still unpaid (督办人 too).
    Each reminder is a row under a unique constraint written in the sending transaction, so
    running again, or two runs at once, sends nothing more. Returns the reminders sent."""
    now = now or timezone.now()
    lead = settings.ENTERPRISE_PAYOUT_REMIND_WORKING_DAYS
    # Working days are never fewer than calendar days, so a policy live for less than
    # (deadline − reminder) calendar days is not due yet.
    soonest = now - timedelta(days=settings.ENTERPRISE_PAYOUT_WORKING_DAYS - lead)
    overdue_sent = PayoutReminder.objects.filter(policy=OuterRef("pk"),
                                                 kind=PayoutReminder.Kind.OVERDUE)
    candidates = (_exempt_policies().filter(first_published_at__lte=soonest)
                  .exclude(Exists(overdue_sent)).select_related("drafting_department"))
    sent = 0
    for policy in candidates:
        due = deadline(policy)
        if passed(due, now):
            kind = PayoutReminder.Kind.OVERDUE
        elif working_days_left(due, now) <= lead:
            kind = PayoutReminder.Kind.DUE_SOON
        else:
            continue
        if PayoutReminder.objects.filter(policy=policy, kind=kind).exists():
            continue
        unpaid = figures(policy, now).unpaid
        if not unpaid:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PayoutReminder.objects.create(policy=policy, kind=kind, unpaid=unpaid,
                                                  sent_at=now)
            except IntegrityError:  # another run sent it
                continue
            _notify(policy, kind, unpaid, due, now)
        sent += 1
    return sent


def _notify(policy, kind, unpaid, due, now):
    from core.models import User

    values = {"title": policy.title, "due": timezone.localtime(due).strftime("%Y-%m-%d"),
              "n": unpaid, "days": settings.ENTERPRISE_PAYOUT_WORKING_DAYS,
              "left": working_days_left(due, now)}
    people = list(department_staff(policy))
    if kind == PayoutReminder.Kind.OVERDUE:
        subject = _("免申即享兑现超期")
        body = _("免申即享政策《%(title)s》已超过兑现期限（%(due)s，首次发布后 %(days)s 个工作日），"
                 "尚有 %(n)s 家符合条件的企业未兑现，请尽快兑现并登记。") % values
        people += [u for u in User.objects.filter(is_active=True,
                                                  groups__name=roles.SUPERVISOR).distinct()
                   if u not in people]
    else:
        subject = _("免申即享兑现期限临近")
        body = _("免申即享政策《%(title)s》的兑现期限为 %(due)s，还剩 %(left)s 个工作日，"
                 "尚有 %(n)s 家符合条件的企业未兑现，请抓紧兑现并登记。") % values
    messaging.notify_staff(people, body, subject=subject,
                           link=reverse("enterprises_exempt:detail", args=[policy.pk]),
                           kind=f"enterprises.payout_{kind}")
