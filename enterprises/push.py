"""Targeted policy push (精准推送): from a policy going live (or being withdrawn) to messages in
enterprises' hands.

Every step is idempotent and keeps its state in the database, so any step may run twice, die
half-way or lose its queue message without a recipient getting anything twice or nothing at all:

1. ``on_publish`` — every publish of a ``PolicyPage`` sends ``page_published`` on every route,
   inside the publishing transaction where the route has one (workflow approval, scheduled
   go-live, API and command publish through ``interpretations.services`` in one). It creates at
   most one initial push per policy and one update push per revision marked as a significant
   change; unique constraints turn a repeated publish into a no-op. The matching work is queued
   once the transaction commits. The page editor publishes without a surrounding transaction;
   a crash between its page save and the push row is repaired by ``recover`` (``reconcile``).
   ``on_withdrawal`` — a policy withdrawn (``interpretations.publishing.policy_withdrawn``)
   creates one withdrawal notice (撤回通知) per policy and reason, for the enterprises that
   received one of its pushes before; it runs through the same steps.
2. ``run`` (task ``push_run``) — records one delivery per enterprise of the push's ``audience``
   (the policy's matching enterprises; for a withdrawal notice, the earlier recipients) and
   channel with a single INSERT … SELECT under the unique constraint on (push, enterprise,
   channel), skipping rows already there, then queues the dispatch batches.
3. ``dispatch`` (task ``push_dispatch``) — claims a range of pending SMS/email deliveries with one
   conditional UPDATE (pending → sending), sends them through the channel backend with the
   delivery as idempotency key, and marks them sent, or pending again with a backoff, or failed.
4. ``send_digests`` (task ``push_send_digests``) — one message per enterprise and channel for the
   deliveries of enterprises that chose 每日汇总.
5. ``recover`` (task ``push_recover``, periodic) — queues again whatever was never finished:
   pushes whose matching did not run, deliveries a dead worker left in ``sending``, pending
   deliveries nobody is working on, and pushes a crash kept from being created at all.
"""

import base64
import functools
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.messaging import DeliveryError, Outgoing, backend_for
from enterprises import criteria
from enterprises.models import Delivery, Enterprise, Frequency, Push

logger = logging.getLogger(__name__)

S, C, P = Delivery.Status, Delivery.Channel, Push.Status
OPEN_PUSH = [P.PENDING, P.MATCHING]
SEP = "\x1f"  # between an enterprise's name and its contact in a claimed row


def _setting(name):
    return getattr(settings, f"ENTERPRISE_PUSH_{name}")


# --- 1. go-live ---------------------------------------------------------------------------------


def pushable(policy):
    """A policy is pushed when it is live, current and names an audience."""
    return bool(policy.live and policy.validity == "current" and criteria.has_criteria(policy))


def on_publish(policy, revision):
    """Called for every publish of a policy: create its push rows in the publishing
    transaction and queue the matching once it commits. Returns the pushes created."""
    with transaction.atomic():
        pushes = create_pushes(policy, revision)
    return _queue(pushes)


def on_withdrawal(policy, reason):
    """Called when a live policy was withdrawn (after that commit): create its withdrawal notice
    and queue the matching once it commits. Returns the pushes created."""
    with transaction.atomic():
        pushes = create_withdrawal(policy, reason)
    return _queue(pushes)


def _queue(pushes):
    from enterprises.tasks import push_run

    for push in pushes:
        enqueue(push_run, push.pk)
    return pushes


def create_pushes(policy, revision):
    """The initial push the first time a policy with criteria goes live; afterwards an update
    push when the published revision is marked as a significant change (one per revision).
    Publishing again without the mark, or the same revision again, creates nothing."""
    if not pushable(policy):
        return []
    initial = Push.objects.filter(policy_id=policy.pk, kind=Push.Kind.INITIAL).first()
    if initial is None:
        push = _create(policy, revision, Push.Kind.INITIAL)
    elif (policy.change_kind == policy.ChangeKind.SIGNIFICANT and revision is not None
          and initial.revision_id != revision.pk):
        push = _create(policy, revision, Push.Kind.UPDATE, note=policy.change_note)
    else:
        push = None
    return [push] if push else []


def create_withdrawal(policy, reason):
    """One withdrawal notice per policy and reason, once the policy was pushed: a second
    withdrawal for the same reason, or a policy nobody was told about, creates nothing."""
    if not Push.objects.filter(policy_id=policy.pk).exclude(kind=Push.Kind.WITHDRAWAL).exists():
        return []
    push = _create(policy, policy.live_revision if policy.live else None, Push.Kind.WITHDRAWAL,
                   note=withdrawal_statement(policy, reason), reason=reason)
    return [push] if push else []


def withdrawal_statement(policy, reason):
    """What happened to a withdrawn policy, in one sentence (no final stop): the notice's note,
    which every message of the notice says."""
    R = Push.Reason
    day = policy.validity_changed_on or timezone.localdate()
    values = {"title": policy.title, "date": f"{day.year}年{day.month}月{day.day}日",
              "new": policy.replaced_by.title if policy.replaced_by_id else ""}
    if reason == R.ERROR:
        return _("《%(title)s》因发布错误已撤下，此前推送的内容作废，以后续发布为准") % values
    if reason == R.REPLACED:
        text = (_("《%(title)s》已于%(date)s被《%(new)s》替代，请以新文件为准") if values["new"]
                else _("《%(title)s》已于%(date)s被新文件替代，请以新文件为准")) % values
    elif reason == R.EXPIRED:
        text = _("《%(title)s》已于%(date)s失效") % values
    else:
        text = _("《%(title)s》已于%(date)s废止") % values
    note = (policy.validity_note or "").strip().rstrip("。")
    return _clip(f"{text}：{note}" if note else text, 200)


def _create(policy, revision, kind, note="", reason=""):
    try:
        with transaction.atomic():
            return Push.objects.create(
                policy_id=policy.pk, revision=revision, kind=kind, note=note[:200],
                reason=reason, title=policy.title[:255],
                summary=criteria.summary(policy)[:500], heartbeat_at=timezone.now())
    except IntegrityError:  # the same push already exists (a concurrent or repeated publish)
        return None


def enqueue(task, *args):
    """Queue ``task`` once the current transaction commits (``core.tasks.enqueue``). If the
    broker cannot be reached the work is only logged: its state is in the database and
    ``recover`` queues it later."""
    from core.tasks import enqueue as enqueue_after_commit

    enqueue_after_commit(task, *args)


# --- 2. matching and recording ------------------------------------------------------------------


def audience(push, policy):
    """The enterprises a push is for: those matching the policy's criteria; for a withdrawal
    notice, those that have a delivery (any channel, any status) of one of the policy's earlier
    pushes, whatever its criteria say now."""
    if push.kind == Push.Kind.WITHDRAWAL:
        earlier = Push.objects.filter(policy_id=push.policy_id).exclude(
            kind=Push.Kind.WITHDRAWAL).values("pk")
        return Enterprise.objects.filter(
            pk__in=Delivery.objects.filter(push_id__in=earlier).values("enterprise_id"))
    return criteria.matching_enterprises(policy)


def record_deliveries(push, policy=None):
    """Insert the deliveries of ``push`` for every enterprise of its ``audience`` in one
    statement.

    Channels follow each enterprise's preferences: none for 不接收推送; the in-app inbox row is
    sent at once (the inbox reads the table); SMS (needs a phone) and email (needs an address)
    rows are pending, or wait for the digest for 每日汇总. Rows already there are left alone, so
    running this twice records nothing new. Returns the number of rows inserted.
    """
    policy = policy or push.policy
    matching = (audience(push, policy).exclude(notify_frequency=Frequency.NONE)
                .values_list("pk", "notify_inbox", "notify_sms", "notify_email",
                             "notify_frequency", "contact_phone", "contact_email"))
    try:
        inner, inner_params = matching.query.sql_with_params()
    except EmptyResultSet:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    postgres = connection.vendor == "postgresql"
    # The first recording of a push needs no conflict handling (PostgreSQL's ON CONFLICT costs
    # half as much again per row); a conflict would still fail the whole statement, so at most
    # once holds either way. Later calls skip the rows already there.
    skip_existing = not postgres or Delivery.objects.filter(push_id=push.pk).exists()
    waiting = (f"CASE WHEN m.frequency = '{Frequency.DIGEST}' THEN '{S.DIGEST}' "
               f"ELSE '{S.PENDING}' END")
    sql = f"""
        INSERT {"OR IGNORE " if not postgres else ""}INTO {Delivery._meta.db_table}
            (push_id, enterprise_id, channel, status, attempts, error, created_at, sent_at)
        WITH m (id, inbox, sms, email, frequency, phone, mail) AS ({inner})
        SELECT %s, m.id, '{C.INBOX}', '{S.SENT}', 0, '', %s, %s FROM m WHERE m.inbox
        UNION ALL
        SELECT %s, m.id, '{C.SMS}', {waiting}, 0, '', %s, NULL FROM m
            WHERE m.sms AND m.phone <> ''
        UNION ALL
        SELECT %s, m.id, '{C.EMAIL}', {waiting}, 0, '', %s, NULL FROM m
            WHERE m.email AND m.mail <> ''
        {"ON CONFLICT DO NOTHING" if postgres and skip_existing else ""}
    """
    params = [*inner_params, push.pk, now, now, push.pk, now, push.pk, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def run(push_id):
    """Match and record the deliveries of a push, then queue its dispatch. A second call (a
    duplicate queue message, recovery) finds the push past matching and does nothing."""
    claimed = Push.objects.filter(pk=push_id, status__in=OPEN_PUSH).update(
        status=P.MATCHING, heartbeat_at=timezone.now())
    if not claimed:
        return None
    with transaction.atomic():
        push = Push.objects.select_for_update().filter(pk=push_id).first()
        if push is None or push.status != P.MATCHING:
            return None
        policy = push.policy
        matched = 0
        withdrawal = push.kind == Push.Kind.WITHDRAWAL
        if withdrawal:
            # Wait for a matching of an earlier push still under way: its recipients count.
            list(Push.objects.select_for_update().filter(policy_id=policy.pk).exclude(
                kind=Push.Kind.WITHDRAWAL).values_list("pk", flat=True))
        if withdrawal or pushable(policy):
            record_deliveries(push, policy)
            matched = audience(push, policy).count()
        now = timezone.now()
        Push.objects.filter(pk=push.pk).update(status=P.DISPATCHING, matched=matched,
                                               matched_at=now, heartbeat_at=now)
        recount([push.pk])
        transaction.on_commit(lambda: queue_dispatch(push_id))
    return push


# --- 3. dispatch --------------------------------------------------------------------------------


def _due(push_id, now):
    return Delivery.objects.filter(push_id=push_id, status=S.PENDING).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now))


def batches(push_id, now=None, size=None):
    """Id ranges ``(first, last)`` covering the due pending deliveries of a push, each holding
    at most ``size`` of them."""
    size = size or _setting("BATCH_SIZE")
    now = now or timezone.now()
    due = _due(push_id, now)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {Delivery._meta.db_table}
                WHERE push_id = %s AND status = %s AND (retry_at IS NULL OR retry_at <= %s)
            ) AS numbered WHERE (n - 1) %% {int(size)} = 0 ORDER BY id""",
                       [push_id, S.PENDING, connection.ops.adapt_datetimefield_value(now)])
        starts = [row[0] for row in cursor.fetchall()]
    if not starts:
        return []
    last = due.order_by("-pk").values_list("pk", flat=True).first()
    ends = [s - 1 for s in starts[1:]] + [last]
    return list(zip(starts, ends, strict=True))


def queue_dispatch(push_id):
    """Queue a dispatch task per batch of due deliveries; finish the push if nothing is left."""
    from enterprises.tasks import push_dispatch

    ranges = batches(push_id)
    Push.objects.filter(pk=push_id).update(heartbeat_at=timezone.now())
    for first, last in ranges:
        push_dispatch.delay(push_id, first, last)
    if not ranges:
        finish_if_done(push_id)
    return len(ranges)


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    retry_in: float | None = None  # seconds until the earliest retry, when there is one


def _claim(push_id, first, last, token):
    """pending → sending for the due rows of the range, in one conditional UPDATE: a row is
    claimed by exactly one worker. ``token`` (the claim time) marks this worker's claim.
    Returns (id, channel, attempts, enterprise name, recipient) per claimed row."""
    table, enterprises = Delivery._meta.db_table, Enterprise._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(token)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1
            WHERE push_id = %s AND id >= %s AND id <= %s AND status = %s
              AND (retry_at IS NULL OR retry_at <= %s)
            RETURNING id, channel, attempts,
                (SELECT e.name || %s || CASE WHEN {table}.channel = %s THEN e.contact_phone
                                             ELSE e.contact_email END
                 FROM {enterprises} e WHERE e.id = {table}.enterprise_id)""",
                       [S.SENDING, stamp, push_id, first, last, S.PENDING, stamp, SEP, C.SMS])
        return [(pk, channel, attempts, *(contact.split(SEP, 1) if contact else (None, "")))
                for pk, channel, attempts, contact in cursor.fetchall()]


def _relaxed_commit():
    """Commit without waiting for the WAL flush (PostgreSQL). Safe for dispatch bookkeeping
    only: a claim or a mark lost in a database crash sends the rows again with the same keys,
    which the backend drops; it saves a disk flush per statement."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def dispatch(push_id, first, last):
    """Send one batch of a push's deliveries (ids ``first``–``last``)."""
    token = timezone.now()
    with transaction.atomic():
        _relaxed_commit()
        rows = _claim(push_id, first, last, token)
    result = DispatchResult()
    if rows:
        composer = Composer(Push.objects.get(pk=push_id))
        items, failures = {}, {}
        for pk, channel, _attempts, name, recipient in rows:
            key = delivery_key(pk)
            if not recipient:
                failures[key] = DeliveryError(
                    _("企业未登记联系方式。") if name is not None else _("企业档案已删除。"),
                    permanent=True)
                continue
            items.setdefault(channel, []).append(
                composer.message(channel, key, recipient, name, track_url(pk)))
        for channel, group in items.items():
            try:
                failures.update(backend_for(channel).send_batch(group))
            except Exception as exc:  # the whole batch failed: every row keeps the reason
                failures.update({item.key: exc for item in group})
        with transaction.atomic():
            _relaxed_commit()
            result = _settle(push_id, first, last, rows, failures, token)
            Push.objects.filter(pk=push_id).update(
                heartbeat_at=timezone.now(), sent=F("sent") + result.sent,
                failed=F("failed") + result.failed)
    finish_if_done(push_id)
    return result


def delivery_key(pk):
    return f"push-delivery:{pk}"


def _settle(push_id, first, last, rows, failures, token):
    """Mark the claimed rows sent, pending again (with backoff) or failed."""
    now = timezone.now()
    result = DispatchResult()
    mine = Delivery.objects.filter(push_id=push_id, pk__gte=first, pk__lte=last,
                                   status=S.SENDING, claimed_at=token)
    failed = [pk for pk, *_rest in rows if delivery_key(pk) in failures]
    if len(failed) < len(rows):
        result.sent = mine.exclude(pk__in=failed).update(status=S.SENT, sent_at=now, error="",
                                                         retry_at=None)
    retry_base, max_attempts = _setting("RETRY_SECONDS"), _setting("MAX_ATTEMPTS")
    for pk, _channel, attempts, *_contact in rows:
        exc = failures.get(delivery_key(pk))
        if exc is None:
            continue
        reason = (str(exc) or type(exc).__name__)[:300]
        if getattr(exc, "permanent", False) or attempts >= max_attempts:
            result.failed += mine.filter(pk=pk).update(status=S.FAILED, error=reason)
        else:
            delay = retry_base * 2 ** (attempts - 1)
            result.retry += mine.filter(pk=pk).update(
                status=S.PENDING, error=reason, retry_at=now + timedelta(seconds=delay))
            result.retry_in = min(result.retry_in or delay, delay)
    return result


def finish_if_done(push_id):
    """A dispatching push is done when none of its deliveries is pending or being sent
    (digest rows wait for the daily digest and do not hold the push open)."""
    if _busy(push_id):
        return 0
    busy = Delivery.objects.filter(push_id=OuterRef("pk"), status__in=[S.PENDING, S.SENDING])
    return Push.objects.filter(pk=push_id, status=P.DISPATCHING).filter(~Exists(busy)).update(
        status=P.DONE, finished_at=timezone.now())


def _busy(push_id):
    """Whether the push still has pending or sending rows: a quick look from the newest end of
    the unfinished index, where the rows not yet sent are (the older entries belong to rows
    that have moved on and only a vacuum removes them)."""
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        for status in (S.PENDING, S.SENDING):
            cursor.execute(f"SELECT 1 FROM {table} WHERE push_id = %s AND status = %s "
                           f"ORDER BY retry_at DESC LIMIT 1", [push_id, status])
            if cursor.fetchone():
                return True
    return False


# --- messages -----------------------------------------------------------------------------------


def track_token(delivery_id):
    """``<id>.<signature>``: an HMAC-SHA256 of the id under a key derived from SECRET_KEY,
    cut to 96 bits — short enough for an SMS, and one per message costs microseconds."""
    return f"{delivery_id}.{_signature(str(delivery_id))}"


def delivery_id_for(token):
    """The delivery a read-tracking token stands for, or None when it is not genuine."""
    value, _sep, signature = token.partition(".")
    if not value.isdigit() or not constant_time_compare(signature, _signature(value)):
        return None
    return int(value)


def _signature(value):
    mac = _track_mac(settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return base64.urlsafe_b64encode(mac.digest()[:12]).decode()


@functools.lru_cache(maxsize=4)
def _track_mac(secret):
    key = hashlib.sha256(b"enterprises.push.track" + secret.encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def track_url(delivery_id):
    return _track_pattern(settings.WAGTAILADMIN_BASE_URL) % track_token(delivery_id)


@functools.lru_cache(maxsize=4)
def _track_pattern(base):
    path = reverse("enterprises:track", args=["TOKEN"])
    return base.rstrip("/") + path.replace("%", "%%").replace("TOKEN", "%s")


def landing_url(delivery):
    """Where the link in a message leads: the policy page while it is live, or for the notice
    of a replaced policy the replacing document; once the page was taken down, the enterprise's
    message in its inbox, which says why (the portal asks it to log in first)."""
    push = delivery.push
    policy = push.policy
    if push.kind == Push.Kind.WITHDRAWAL and push.reason == Push.Reason.REPLACED:
        new = policy.replaced_by
        if new is not None and new.live and new.url:
            return new.url
    if policy.live and policy.url:
        return policy.url
    inbox = (Delivery.objects.filter(push_id=push.pk, enterprise_id=delivery.enterprise_id,
                                     channel=C.INBOX, status=S.SENT)
             .values_list("pk", flat=True).first())
    return reverse("enterprises:inbox_item", args=[inbox]) if inbox else reverse(
        "enterprises:inbox")


def mark_read(delivery):
    """The first open of a delivery counts as its read; later opens change nothing. The push
    counts the enterprise as a reader once, whichever of its messages it opens first: the
    enterprise's rows of the push stay locked meanwhile, so two opens at once count once."""
    with transaction.atomic():
        read_at = dict(Delivery.objects.select_for_update()
                       .filter(push_id=delivery.push_id, enterprise_id=delivery.enterprise_id)
                       .order_by("pk").values_list("pk", "read_at"))
        if delivery.pk not in read_at or read_at[delivery.pk] is not None:
            return 0  # gone, or opened before
        Delivery.objects.filter(pk=delivery.pk).update(read_at=timezone.now())
        if not any(read_at.values()):
            Push.objects.filter(pk=delivery.push_id).update(read=F("read") + 1)
    return 1


def _clip(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


NAME, LINK = "\x00name\x00", "\x00link\x00"


class Composer:
    """The SMS and email of one push, translated and filled once; each message then only gets
    its enterprise's name and its own tracking link."""

    def __init__(self, push):
        values = {"name": NAME, "link": LINK, "title": push.title,
                  "note": push.note or _("政策内容有调整，请查看最新版本"),
                  "why": push.summary or _("贵企业符合该政策的适用条件")}
        if push.kind == Push.Kind.WITHDRAWAL:
            sms = _("【政策通】%(name)s：政策撤回通知：%(note)s。详情：%(link)s")
            self.subject = _("政策撤回通知：%(title)s") % values
            lead = _("此前向贵企业推送的政策有变化，特此通知：\n%(note)s。") % values
            detail = _("查看详情：%(link)s") % values
        elif push.kind == Push.Kind.UPDATE:
            sms = _("【政策通】%(name)s：政策《%(title)s》有重要更新：%(note)s。查看：%(link)s")
            self.subject = _("政策更新：%(title)s") % values
            lead = _("贵企业适用的政策《%(title)s》有重要更新。\n变更说明：%(note)s") % values
            detail = _("适用条件：%(why)s") % values + "\n\n" + _("查看政策全文和解读：%(link)s") % values
        else:
            sms = _("【政策通】%(name)s：新政策《%(title)s》适用于贵企业（%(why)s）。查看：%(link)s")
            self.subject = _("政策推送：%(title)s") % values
            lead = _("根据贵企业的档案，新发布的政策《%(title)s》适用于贵企业。") % values
            detail = _("适用条件：%(why)s") % values + "\n\n" + _("查看政策全文和解读：%(link)s") % values
        self.sms = sms % {**values, "why": _clip(values["why"], 60),
                          "note": _clip(values["note"], 120)}
        self.email = "\n\n".join([
            _("%(name)s：") % values, lead, detail,
            _("如不希望接收推送，请登录企业服务平台修改推送设置。\n政策通"),
        ])

    def message(self, channel, key, recipient, enterprise_name, link):
        if channel == C.SMS:
            body = self.sms.replace(NAME, enterprise_name).replace(LINK, link)
            return Outgoing(key=key, channel=channel, recipient=recipient, body=body, link=link)
        body = self.email.replace(NAME, enterprise_name).replace(LINK, link)
        return Outgoing(key=key, channel=channel, recipient=recipient, subject=self.subject,
                        body=body, link=link)


def compose(push, channel, key, recipient, enterprise_name, link):
    """The SMS or email for one delivery: the policy, why the enterprise gets it, a link."""
    return Composer(push).message(channel, key, recipient, enterprise_name, link)


# --- 4. daily digest ----------------------------------------------------------------------------


def digest_cutoff(now=None):
    """The latest digest time at or before ``now`` (today or yesterday at the digest hour):
    deliveries recorded before it go into the digest sent at it."""
    local = timezone.localtime(now or timezone.now())
    cutoff = local.replace(hour=_setting("DIGEST_HOUR"), minute=0, second=0, microsecond=0)
    return cutoff if cutoff <= local else cutoff - timedelta(days=1)


def send_digests(now=None):
    """Queue the digest for every enterprise with deliveries waiting since before the latest
    digest time. Idempotent: sent rows leave the digest state, so a second run finds none."""
    from enterprises.tasks import push_digest_batch

    cutoff = digest_cutoff(now)
    ids = list(Delivery.objects.filter(status=S.DIGEST, created_at__lt=cutoff)
               .order_by("enterprise_id").values_list("enterprise_id", flat=True).distinct())
    size = _setting("BATCH_SIZE")
    for i in range(0, len(ids), size):
        push_digest_batch.delay(ids[i:i + size], cutoff.isoformat())
    return len(ids)


def send_digest_batch(enterprise_ids, cutoff):
    """One message per enterprise and channel listing its waiting policies. The rows stay
    locked while sending; a worker dying here rolls back and the next run sends again with the
    same key (the same deliveries), which the backend drops."""
    from datetime import datetime

    if isinstance(cutoff, str):
        cutoff = datetime.fromisoformat(cutoff)
    sent = 0
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(status=S.DIGEST, created_at__lt=cutoff,
                            enterprise_id__in=enterprise_ids)
                    .select_related("push", "enterprise").order_by("enterprise_id", "pk"))
        groups = {}
        for row in rows:
            groups.setdefault((row.enterprise_id, row.channel), []).append(row)
        items, members = {}, {}
        failures = {}
        for (_enterprise_id, channel), group in groups.items():
            item = compose_digest(channel, group)
            members[item.key] = group
            if not item.recipient:
                failures[item.key] = DeliveryError(_("企业未登记联系方式。"), permanent=True)
                continue
            items.setdefault(channel, []).append(item)
        for channel, group in items.items():
            try:
                failures.update(backend_for(channel).send_batch(group))
            except Exception as exc:  # the whole batch failed: every row keeps the reason
                failures.update({item.key: exc for item in group})
        now = timezone.now()
        counts = {}  # push id → [sent, failed]
        for key, group in members.items():
            ids = [row.pk for row in group]
            exc = failures.get(key)
            if exc is None:
                sent += Delivery.objects.filter(pk__in=ids).update(
                    status=S.SENT, sent_at=now, error="", attempts=group[0].attempts + 1)
                for row in group:
                    counts.setdefault(row.push_id, [0, 0])[0] += 1
                continue
            attempts = max(row.attempts for row in group) + 1
            final = getattr(exc, "permanent", False) or attempts >= _setting("MAX_ATTEMPTS")
            Delivery.objects.filter(pk__in=ids).update(
                status=S.FAILED if final else S.DIGEST, attempts=attempts,
                error=(str(exc) or type(exc).__name__)[:300])
            if final:
                for row in group:
                    counts.setdefault(row.push_id, [0, 0])[1] += 1
        for push_id, (done, lost) in sorted(counts.items()):
            Push.objects.filter(pk=push_id).update(
                sent=F("sent") + done, failed=F("failed") + lost,
                digest=F("digest") - done - lost)
    return sent


# How the digest marks a push that is not a new policy.
DIGEST_MARK = {Push.Kind.UPDATE: gettext_lazy("【更新】"),
               Push.Kind.WITHDRAWAL: gettext_lazy("【撤回】")}


def compose_digest(channel, rows):
    enterprise = rows[0].enterprise
    ids = ",".join(str(row.pk) for row in rows)
    key = (f"push-digest:{channel}:{enterprise.pk}:"
           f"{hashlib.sha1(ids.encode()).hexdigest()[:16]}")
    values = {"name": enterprise.name, "n": len(rows)}
    if channel == C.SMS:
        titles = "、".join(f"{DIGEST_MARK.get(row.push.kind, '')}《{_clip(row.push.title, 30)}》"
                          for row in rows[:3])
        more = _("等%(n)d项") % values if len(rows) > 3 else ""
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("enterprises:inbox")
        body = _("【政策通】%(name)s：今日为贵企业汇总%(n)d条政策消息：") % values + titles + more
        body += _("。查看：%(link)s") % {"link": link}
        return Outgoing(key=key, channel=channel, recipient=enterprise.contact_phone,
                        body=body, link=link)
    lines = [_("%(name)s：") % values, _("今日为贵企业汇总%(n)d条政策消息：") % values]
    for i, row in enumerate(rows, 1):
        about = (row.push.note if row.push.kind == Push.Kind.WITHDRAWAL
                 else _("适用条件：%(why)s") % {"why": row.push.summary or "—"})
        lines.append(f"{i}. {DIGEST_MARK.get(row.push.kind, '')}《{row.push.title}》\n   "
                     + about + "\n   " + _("查看：%(link)s") % {"link": track_url(row.pk)})
    lines.append(_("如不希望接收推送，请登录企业服务平台修改推送设置。\n政策通"))
    return Outgoing(key=key, channel=channel, recipient=enterprise.contact_email,
                    subject=_("政策通每日汇总：%(n)d条政策消息") % values,
                    body="\n\n".join(lines))


# --- 5. recovery --------------------------------------------------------------------------------


def recover(now=None):
    """Queue again whatever was never finished. Safe to run at any time and as often as
    wanted: every step it queues is idempotent. Returns what it did, for the beat log."""
    from enterprises.tasks import push_run

    now = now or timezone.now()
    stale = now - timedelta(seconds=_setting("STALE_SECONDS"))
    created = reconcile(now)
    # Deliveries a dead worker left half-way: sent again with the same key, which the
    # backend drops if the first attempt got through.
    abandoned = Delivery.objects.filter(status=S.SENDING, claimed_at__lt=stale)
    reset_pushes = set(abandoned.values_list("push_id", flat=True).distinct())
    reset = abandoned.update(status=S.PENDING, retry_at=None)
    idle = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    runs = list(Push.objects.filter(idle, status__in=OPEN_PUSH).values_list("pk", flat=True))
    for pk in runs:
        push_run.delay(pk)
    dispatching = Push.objects.filter(status=P.DISPATCHING).filter(idle | Q(pk__in=reset_pushes))
    batches_queued = sum(queue_dispatch(pk) for pk in dispatching.values_list("pk", flat=True))
    return {"created": created, "reset": reset, "runs": len(runs), "batches": batches_queued}


def reconcile(now=None):
    """Pushes a crash kept from being created: a publish route without a surrounding
    transaction (the page editor) commits the page before the push row. Looks at policies
    published in the last day; applies the same rule as publishing. Withdrawal notices too
    (``reconcile_withdrawals``)."""
    from interpretations.models import PolicyPage

    now = now or timezone.now()
    recent = PolicyPage.objects.live().filter(validity="current",
                                              last_published_at__gte=now - timedelta(days=1))
    initial = Push.objects.filter(policy=OuterRef("pk"), kind=Push.Kind.INITIAL)
    this_revision = Push.objects.filter(policy=OuterRef("pk"), revision=OuterRef("live_revision"))
    candidates = recent.filter(~Exists(initial) | (Q(change_kind=PolicyPage.ChangeKind.SIGNIFICANT)
                                                   & ~Exists(this_revision)))
    created = 0
    for policy in candidates.select_related("live_revision"):
        created += len(on_publish(policy, policy.live_revision))
    return created + reconcile_withdrawals(now)


def reconcile_withdrawals(now):
    """Withdrawal notices a crash kept from being created (the notice follows the commit of the
    withdrawal): policies pushed before and withdrawn in the last day, without their notice. A
    policy is withdrawn when a revision marking it 已废止, 已失效 or 已被替代 went live, or when
    its page was taken down as 发布错误 (a withdrawal logged without a revision)."""
    from wagtail.models import PageLogEntry

    from interpretations.models import PolicyPage

    since = now - timedelta(days=1)
    pushed = Push.objects.filter(policy=OuterRef("pk")).exclude(kind=Push.Kind.WITHDRAWAL)
    notices = Push.objects.filter(policy=OuterRef("pk"), kind=Push.Kind.WITHDRAWAL)
    out_of_force = PolicyPage.objects.live().filter(
        validity__in=[r for r in Push.Reason.values if r != Push.Reason.ERROR],
        last_published_at__gte=since).filter(~Exists(notices.filter(reason=OuterRef("validity"))))
    taken_down = PolicyPage.objects.filter(live=False, pk__in=PageLogEntry.objects.filter(
        action="interpretations.withdraw", revision__isnull=True, timestamp__gte=since
    ).values("page_id")).filter(~Exists(notices.filter(reason=Push.Reason.ERROR)))
    created = 0
    for policy in out_of_force.filter(Exists(pushed)):
        created += len(on_withdrawal(policy, policy.validity))
    for policy in taken_down.filter(Exists(pushed)):
        created += len(on_withdrawal(policy, Push.Reason.ERROR))
    return created


# --- figures for the campaign view --------------------------------------------------------------


@dataclass
class Figures:
    matched: int
    total: int
    sent: int
    failed: int
    pending: int
    digest: int
    read: int

    @property
    def percent(self):
        """How much of the immediate dispatch is finished (sent or failed)."""
        work = self.total - self.digest
        return 100 if work <= 0 else round(100 * (work - self.pending) / work)


def figures_for(pushes):
    """{push id: Figures} for several pushes: the counts kept on each push, and the messages
    still being sent counted from the index of unfinished deliveries (empty once a push is
    done), so a figure is never off while the progress bar runs."""
    pushes = list(pushes)
    pending = dict(Delivery.objects.filter(push_id__in=[p.pk for p in pushes],
                                           status__in=[S.PENDING, S.SENDING])
                   .order_by().values_list("push_id").annotate(n=Count("pk")))
    return {push.pk: Figures(matched=push.matched, total=push.recorded, sent=push.sent,
                             failed=push.failed, pending=pending.get(push.pk, 0),
                             digest=push.digest, read=push.read)
            for push in pushes}


def figures(push):
    """The figures of one push as they are now (the instance may be older)."""
    return figures_for(Push.objects.filter(pk=push.pk))[push.pk]


def forget_enterprise(enterprise_id):
    """Take an enterprise's deliveries out of the figures of its pushes. Called as the
    enterprise is deleted (its deliveries go with it), in the deleting transaction."""
    for row in _counts(Delivery.objects.filter(enterprise_id=enterprise_id)):
        Push.objects.filter(pk=row.pop("push_id")).update(
            **{name: Greatest(F(name) - n, 0) for name, n in row.items()})


def _counts(deliveries):
    """Per push: the figures kept on the push, counted from ``deliveries``."""
    def count(*statuses):
        return Count("pk", filter=Q(status__in=statuses))

    return deliveries.order_by().values("push_id").annotate(
        recorded=Count("pk"), sent=count(S.SENT), failed=count(S.FAILED), digest=count(S.DIGEST),
        read=Count("enterprise_id", distinct=True, filter=Q(read_at__isnull=False)))


def recount(push_ids):
    """Count the figures of pushes from their deliveries and store them on the pushes: after
    recording (``run``) and wherever rows were changed outside the pipeline (demo data)."""
    rows = {row.pop("push_id"): row
            for row in _counts(Delivery.objects.filter(push_id__in=push_ids))}
    for push_id in push_ids:
        Push.objects.filter(pk=push_id).update(
            **rows.get(push_id, dict.fromkeys(["recorded", "sent", "failed", "digest", "read"], 0)))
