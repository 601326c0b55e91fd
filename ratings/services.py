"""好差评 rules: one function per rule, called by every route (public page, QR code, SMS reply,
admin workbench, tasks, demo).

- ``invite``: a single-use, expiring rating link sent by SMS (the raw token reaches only the SMS
  provider: the message log keeps the link masked, see ``core.messaging``; the table keeps its
  SHA-256 hash).
- ``submit_rating``: the one way a resident's rating is stored, whatever the channel.
- ``handle_sms_reply``: a digit 1–5 replied to the SMS rates the latest open invitation.
- ``apply_defaults``: unrated after N natural days → 基本满意 stored as a default.
- ``act_on_case``: the 差评整改 loop (回访核实 → 整改 → 反馈 → 群众评价整改), 申诉 and the
  supervisor's decision.
- ``conclude_round``: how a round of the loop ends (rated by the resident, appeal upheld,
  supervisor's decision): the one rule every route goes through.
- ``review_rating``: a supervisor clears or excludes a rating flagged as possible ballot-stuffing.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging, ratelimit, roles
from core.models import Organisation, User
from core.permissions import organisation_scope
from hotline import calendar
from hotline.models import Status as TicketStatus
from hotline.models import Ticket, TicketEvent
from ratings.models import (
    Appeal,
    BadRatingCase,
    CaseEvent,
    Channel,
    Level,
    Rating,
    RatingInvitation,
    Reason,
    ServiceEvent,
)
from ratings.models.ratings import BAD_LEVELS

SYSTEM_USERNAME = "system-ratings"
# A ticket can be rated once its reply has been approved (待回访) or it is closed (已办结).
RATABLE_TICKET_STATUSES = (TicketStatus.PENDING_CALLBACK, TicketStatus.CLOSED)
# Timeline actions that finish a ticket's handling: the rated "service time".
FINISHING_ACTIONS = ("approve_reply", "callback", "close_at_intake")


class RatingError(Exception):
    """A refused rating or case action; ``str(error)`` is the Chinese message for the user,
    ``field`` the form field it is about (shown next to it), if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class PhoneCheckError(RatingError):
    """The window QR rating's last four digits are missing or wrong."""

    def __init__(self, message):
        super().__init__(message, field="phone_check")


def platform(name):
    return settings.PLATFORM[name]


def _hash(value):
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def token_hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_phone(phone):
    phone = re.sub(r"[\s\-()（）]", "", phone or "")
    return phone[3:] if phone.startswith("+86") else phone


# --- Who is rating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """Where a public rating came from, kept only as keyed hashes."""

    ip: str = ""
    device: str = ""

    @property
    def ip_hash(self):
        return _hash("ip:" + self.ip) if self.ip else ""

    @property
    def device_hash(self):
        return _hash("device:" + self.device) if self.device else ""


def is_staff_user(user):
    """Staff (anyone with an admin account or a role) cannot rate on a resident's behalf."""
    if user is None or not user.is_authenticated:
        return False
    staff_roles = [role.name for role in roles.ROLES if role.staff]
    return user.is_staff or user.is_superuser or user.groups.filter(
        name__in=staff_roles).exists()


def over_limit(ip, scope, limit=None, window=None, count=True):
    """Whether ``ip`` used up its ``scope`` submissions in the window (the current one counted
    when ``count``)."""
    limit = limit or platform("RATINGS_SUBMIT_LIMIT")
    window = window or platform("RATINGS_RATE_WINDOW_SECONDS")
    return ratelimit.over_limit(f"ratings:{scope}", ip, limit, window, count)


# --- Invitations --------------------------------------------------------------------------------


def rating_url(raw):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("ratings:rate", args=[raw])


def invite(*, phone, served_at, ticket=None, event=None, case=None, now=None):
    """Create the invitation for one target and send its link by SMS; at most one per target
    (a unique index), so a second call — a retried task, a second worker — returns None."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    if not phone:
        return None
    # The token is the message's secret: derivable again by the delivery task, never stored.
    secret = messaging.new_secret()
    raw = secret.token
    kind = RatingInvitation.Kind.RECTIFICATION if case else RatingInvitation.Kind.SERVICE
    days = platform("RATINGS_LINK_DAYS")
    try:
        with transaction.atomic():
            invitation = RatingInvitation.objects.create(
                kind=kind, ticket=ticket, event=event, case=case, phone=phone,
                round=case.round if case else 1,
                token_hash=token_hash(raw), served_at=served_at, created_at=now,
                expires_at=(now if case else served_at) + timedelta(days=days))
            link = rating_url(raw)
            if case:
                body = _("【好差评】您反映的问题已整改：%(note)s。请对整改结果评价：%(link)s "
                         "或直接回复数字 5非常满意 4满意 3基本满意 2不满意 1非常不满意。") % {
                    "note": case.rectify_note[:60], "link": link}
            else:
                what = (_("工单 %(number)s") % {"number": ticket.number} if ticket
                        else _("%(item)s（%(window)s）") % {"item": event.item,
                                                          "window": event.window})
                body = _("【好差评】您办理的%(what)s已办结，请对服务评价：%(link)s "
                         "或直接回复数字 5非常满意 4满意 3基本满意 2不满意 1非常不满意，"
                         "%(days)d天内有效。") % {"what": what, "link": link, "days": days}
            messaging.send("sms", body, recipient=phone, link=link, kind=f"ratings.{kind}",
                           secret=secret)
    except IntegrityError:
        return None
    invitation.raw_token = raw
    return invitation


def record_event(*, window, item, phone="", staff=None, served_at=None, send=True):
    """Record a service given at a window (一次一评); with a phone number the rating link goes
    out by SMS at once, and the window QR code rates it too."""
    served_at = served_at or timezone.now()
    with transaction.atomic():
        event = ServiceEvent.objects.create(
            window=window, organisation_id=window.organisation_id, item=item, staff=staff,
            staff_name=staff.display_name if staff else "", phone=normalise_phone(phone),
            served_at=served_at)
        if send and event.phone:
            invite(phone=event.phone, served_at=served_at, event=event)
    return event


def ticket_served_at(ticket):
    """When the ticket's handling finished, from its timeline (else its closed/replied time)."""
    finished = (TicketEvent.objects.filter(ticket=ticket, action__in=FINISHING_ACTIONS)
                .order_by("created_at").values_list("created_at", flat=True).first())
    return finished or ticket.closed_at or ticket.replied_at or timezone.now()


def tickets_to_invite():
    """Finished tickets that have neither an invitation nor a rating yet."""
    return (Ticket.objects.filter(status__in=RATABLE_TICKET_STATUSES, lead_org__isnull=False,
                                  rating__isnull=True)
            .exclude(pk__in=RatingInvitation.objects.filter(ticket__isnull=False)
                     .values("ticket_id")))


def resolve_token(raw, now=None):
    """The invitation of a raw token, or a RatingError saying why it cannot be used."""
    now = now or timezone.now()
    invitation = (RatingInvitation.objects.select_related("ticket", "event__window",
                                                          "event__item", "case__rating")
                  .filter(token_hash=token_hash(raw or "")).first())
    if invitation is None:
        raise RatingError(_("评价链接无效，请核对短信中的链接。"))
    if invitation.used_at is not None:
        raise RatingError(_("该评价链接已使用，每次服务只能评价一次，评价提交后不能修改。"))
    if invitation.expires_at <= now:
        raise RatingError(_("该评价链接已过期。超过评价期限未评价的服务按“基本满意”计。"))
    if invitation.kind == RatingInvitation.Kind.SERVICE and _target_rating(
            invitation.ticket, invitation.event) is not None:
        raise RatingError(_("该服务已评价，评价提交后不能修改。"))
    if invitation.kind == RatingInvitation.Kind.RECTIFICATION and not _awaits_rating(
            invitation.case, invitation):
        raise RatingError(_("这一轮整改已评价或已办结，评价提交后不能修改。"))
    return invitation


def _awaits_rating(case, invitation):
    """Whether the case waits for the rating of the round ``invitation`` was sent for."""
    return (case.stage == BadRatingCase.Stage.FEEDBACK and case.round == invitation.round
            and case.followup_level is None)


def _target_rating(ticket, event):
    qs = Rating.objects.filter(ticket=ticket) if ticket else Rating.objects.filter(event=event)
    return qs.first()


def describe(invitation):
    """What the rating page shows about the rated service (no personal data)."""
    if invitation.kind == RatingInvitation.Kind.RECTIFICATION:
        case = invitation.case
        title = (_("差评整改结果评价（第%(round)d轮整改）") % {"round": case.round}
                 if case.escalated else _("差评整改结果评价"))
        return {"title": title, "department": str(case.organisation),
                "item": case.rating.item, "served_at": case.rectified_at,
                "note": case.rectify_note}
    if invitation.ticket_id:
        t = invitation.ticket
        return {"title": _("12345 工单 %(number)s") % {"number": t.number},
                "department": str(t.lead_org or ""), "item": t.category.name,
                "served_at": invitation.served_at, "note": ""}
    e = invitation.event
    return {"title": str(e.window), "department": str(e.organisation), "item": e.item.name,
            "served_at": e.served_at, "note": ""}


# --- Storing a rating ---------------------------------------------------------------------------


def _clean(level, reason, comment, channel):
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise RatingError(_("请选择评价等级。"), "level") from None
    if level not in Level.values:
        raise RatingError(_("请选择评价等级。"), "level")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise RatingError(_("评价内容不能超过500字。"), "comment")
    reason = reason or ""
    if level in BAD_LEVELS:
        allowed = set(Reason.values) - {Reason.UNSPECIFIED}
        if channel == Channel.SMS_REPLY:
            reason = reason or Reason.UNSPECIFIED
            allowed.add(Reason.UNSPECIFIED)
        if reason not in allowed:
            raise RatingError(_("差评请选择不满意的原因。"), "reason")
        if reason == Reason.OTHER and not comment:
            raise RatingError(_("选择“其他”原因时请填写具体情况。"), "comment")
    else:
        reason = ""
    return level, reason, comment


def _stuffing_check(rating, now):
    """Many ratings from one device or address in the window → all of them wait for review."""
    threshold = platform("RATINGS_STUFFING_THRESHOLD")
    since = now - timedelta(hours=platform("RATINGS_STUFFING_WINDOW_HOURS"))
    source = Q()
    if rating.ip_hash:
        source |= Q(ip_hash=rating.ip_hash)
    if rating.device_hash:
        source |= Q(device_hash=rating.device_hash)
    if not source:
        return False
    same = Rating.objects.filter(source, rated_at__gte=since, is_default=False)
    if same.count() < threshold:
        return False
    note = _("同一设备或网络地址 %(hours)d 小时内评价 %(count)d 次，待审核。") % {
        "hours": platform("RATINGS_STUFFING_WINDOW_HOURS"), "count": same.count()}
    same.filter(status=Rating.Status.COUNTED).update(status=Rating.Status.FLAGGED,
                                                     status_note=note)
    return True


def submit_rating(invitation=None, *, event=None, level, reason="", comment="", channel,
                  client=None, user=None, phone_check="", now=None):
    """Store a resident's rating (or rectification rating) and start what follows.

    ``invitation``: rates the invitation's target (SMS link or SMS reply). ``event``: rates a
    window service through the window's QR code; when the event recorded a phone number the
    rater must give its last four digits (``phone_check``). Raises ``RatingError``; nothing is
    written then. Returns the Rating (or the BadRatingCase for a rectification rating).
    """
    now = now or timezone.now()
    client = client or Client()
    if is_staff_user(user):
        raise RatingError(_("工作人员不能代替群众评价。请由办事群众本人使用手机评价。"))
    level, reason, comment = _clean(level, reason, comment, channel)
    with transaction.atomic():
        if invitation is not None:
            used = RatingInvitation.objects.filter(
                pk=invitation.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
            if not used:
                resolve_token_state(invitation, now)
            if invitation.kind == RatingInvitation.Kind.RECTIFICATION:
                return _rate_rectification(invitation, level, reason, comment, channel, now)
            ticket, event, phone = invitation.ticket, invitation.event, invitation.phone
        else:
            ticket, phone = None, ""
            if event is None:
                raise RatingError(_("没有找到要评价的服务。"))
            if event.phone:
                phone_check = (phone_check or "").strip()
                if not phone_check:
                    raise PhoneCheckError(_("请填写办事时登记的手机号码后四位。"))
                if normalise_phone(event.phone)[-4:] != phone_check:
                    raise PhoneCheckError(_("手机号码后四位不正确：只有办事人本人可以评价这次服务。"))
                phone = event.phone
        if ticket is not None:
            organisation, item = ticket.lead_org, ticket.category.name
            served_at = invitation.served_at
        else:
            organisation, item, served_at = event.organisation, event.item.name, event.served_at
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    ticket=ticket, event=event if ticket is None else None,
                    organisation=organisation, item=item, channel=channel, level=level,
                    reason=reason, comment=comment, phone=phone, served_at=served_at,
                    rated_at=now, ip_hash=client.ip_hash, device_hash=client.device_hash)
        except IntegrityError:
            raise RatingError(_("该服务已评价，评价提交后不能修改。")) from None
        if _stuffing_check(rating, now):
            rating.refresh_from_db(fields=["status", "status_note"])
        if rating.is_bad and rating.status == Rating.Status.COUNTED:
            open_case(rating, now)
    return rating


def resolve_token_state(invitation, now):
    """Raise the right message for an invitation that could not be consumed."""
    invitation.refresh_from_db()
    if invitation.used_at is not None:
        raise RatingError(_("该评价链接已使用，每次服务只能评价一次，评价提交后不能修改。"))
    raise RatingError(_("该评价链接已过期。超过评价期限未评价的服务按“基本满意”计。"))


def _rate_rectification(invitation, level, reason, comment, channel, now):
    """The resident rates the rectification (SMS link or SMS reply): the round ends by
    ``conclude_round``. The case row is locked, so a second answer finds the round rated."""
    case = (BadRatingCase.objects.select_for_update().select_related("rating", "organisation")
            .get(pk=invitation.case_id))
    if not _awaits_rating(case, invitation):
        raise RatingError(_("这一轮整改已评价或已办结，评价提交后不能修改。"))
    return conclude_round(case, "rated", now=now, level=level, reason=reason, comment=comment,
                          channel=channel)


def window_event_for_qr(window, now=None):
    """The service just given at this window that has no rating yet (the QR code rates it)."""
    now = now or timezone.now()
    since = now - timedelta(minutes=platform("RATINGS_QR_MINUTES"))
    return (ServiceEvent.objects.select_related("window", "item", "organisation")
            .filter(window=window, served_at__gte=since, served_at__lte=now,
                    rating__isnull=True).order_by("-served_at", "-pk").first())


def qr_attempts_exceeded(event, failed=False):
    """At most 5 wrong phone checks per event, so the last four digits cannot be guessed."""
    key = f"ratings:qr-fail:{event.pk}"
    if failed:
        if not cache.add(key, 1, 3600):
            cache.incr(key)
    return cache.get(key, 0) >= 5


# --- SMS reply ----------------------------------------------------------------------------------

_DIGITS = str.maketrans("１２３４５", "12345")


@dataclass
class SmsResult:
    ok: bool
    message: str
    rating: object = None


def handle_sms_reply(phone, text, now=None):
    """A reply to the rating SMS: one digit 1–5 rates the phone's latest open invitation.

    Anything else, or no open invitation, changes nothing and says why (the reply is sent back
    by the SMS gateway adapter). A 差评 by SMS has no reason yet; the callback records it.
    """
    now = now or timezone.now()
    phone = normalise_phone(phone)
    answer = (text or "").strip().translate(_DIGITS)
    if len(answer) != 1 or answer not in "12345":
        return SmsResult(False, _("请回复一个数字评价：5非常满意 4满意 3基本满意 2不满意 1非常不满意。"))
    invitation = (RatingInvitation.objects.filter(phone=phone, used_at__isnull=True,
                                                  expires_at__gt=now)
                  .select_related("ticket__category", "event__item", "case")
                  .order_by("-created_at").first())
    if invitation is None:
        return SmsResult(False, _("没有待评价的服务，或评价已提交、已过期。"))
    try:
        result = submit_rating(invitation, level=int(answer), channel=Channel.SMS_REPLY,
                               client=Client(device="sms:" + phone), now=now)
    except RatingError as exc:
        return SmsResult(False, str(exc))
    return SmsResult(True, _("感谢您的评价！"), result)


# --- Unrated services ---------------------------------------------------------------------------


def apply_defaults(now=None):
    """Every service unrated after ``RATINGS_DEFAULT_AFTER_DAYS`` natural days gets a default
    基本满意 (``is_default``), which is not an active rating. Safe to run concurrently: the
    one-to-one unique index drops the loser's rows. Returns how many were stored."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=platform("RATINGS_DEFAULT_AFTER_DAYS"))
    rows = []
    invitations = (RatingInvitation.objects
                   .filter(kind=RatingInvitation.Kind.SERVICE, ticket__isnull=False,
                           served_at__lte=cutoff, ticket__rating__isnull=True)
                   .select_related("ticket__category"))
    for inv in invitations.iterator():
        t = inv.ticket
        if t.lead_org_id:
            rows.append(Rating(ticket=t, organisation_id=t.lead_org_id, item=t.category.name,
                               channel=Channel.DEFAULT, level=Level.BASIC, is_default=True,
                               served_at=inv.served_at, rated_at=now))
    events = ServiceEvent.objects.filter(served_at__lte=cutoff, rating__isnull=True
                                         ).select_related("item")
    for e in events.iterator():
        rows.append(Rating(event=e, organisation_id=e.organisation_id, item=e.item.name,
                           channel=Channel.DEFAULT, level=Level.BASIC, is_default=True,
                           served_at=e.served_at, rated_at=now))
    before = Rating.objects.filter(is_default=True).count()
    Rating.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return Rating.objects.filter(is_default=True).count() - before


# --- 差评整改 -----------------------------------------------------------------------------------


def system_user():
    """The account the platform acts as when a 差评 reopens a ticket (重办 needs the
    话务员/派单员 role in hotline.workflows). It cannot log in (unusable password)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        hotline_org = Organisation.objects.filter(kind=Organisation.Kind.HOTLINE).first()
        user = User(username=SYSTEM_USERNAME, last_name="好差评系统", organisation=hotline_org)
        user.set_unusable_password()
        user.save()
    if not user.groups.filter(name=roles.DISPATCHER).exists():
        user.groups.add(roles.ensure_roles()[roles.DISPATCHER])
    return user


def open_case(rating, now=None):
    """Open the 差评整改 case of a 差评 (once) and reopen its ticket (重办), whether it still
    waits for the callback (待回访) or was closed already (已办结)."""
    now = now or timezone.now()
    case, created = BadRatingCase.objects.get_or_create(rating=rating, defaults={
        "organisation_id": rating.organisation_id, "created_at": now,
        "callback_due": calendar.add_working_days(
            now, platform("RATINGS_CALLBACK_WORKING_DAYS")),
        "rectify_due": calendar.add_working_days(now, platform("RATINGS_RECTIFY_WORKING_DAYS")),
    })
    if not created:
        return case
    _record(case, CaseEvent.Action.OPENED, now, level=rating.level, reason=rating.reason,
            note=rating.comment)
    if _reopen_ticket(case, _("群众评价%(level)s：%(reason)s %(comment)s") % {
            "level": rating.get_level_display(), "reason": rating.get_reason_display(),
            "comment": rating.comment}):
        case.save(update_fields=["ticket_reopened"])
    for person in _handlers(rating.organisation_id):
        messaging.send("inbox", _("收到差评（%(item)s），请于 %(due)s 前回访核实。") % {
            "item": rating.item,
            "due": timezone.localtime(case.callback_due).strftime("%Y-%m-%d %H:%M")},
            user=person, subject=_("差评整改"), kind="ratings.case_opened")
    return case


def _reopen_ticket(case, note):
    """Reopen (重办) the rated ticket when it waits for the callback (待回访) or was closed
    (已办结); a ticket still being handled, or a window service, is left as it is. Sets
    ``case.ticket_reopened`` (the caller saves) and says whether it reopened."""
    rating = case.rating
    if not rating.ticket_id:
        return False
    ticket = Ticket.objects.get(pk=rating.ticket_id)
    if ticket.status not in (TicketStatus.PENDING_CALLBACK, TicketStatus.CLOSED):
        return False
    from hotline.workflows import TransitionError, perform

    try:
        perform(ticket, "reopen", system_user(), note=note)
    except TransitionError:
        return False  # someone moved it meanwhile: the case still runs
    case.ticket_reopened = True
    return True


def _record(case, action, now, *, actor=None, actor_name="", level=None, reason="", note=""):
    """Add a step to the case's history (``CaseEvent``), in its current round."""
    if not actor_name:
        actor_name = actor.display_name if actor is not None else _("好差评系统")
    return CaseEvent.objects.create(
        case=case, round=case.round, action=action, created_at=now, actor=actor,
        actor_name=actor_name, level=level, reason=reason or "", note=note or "")


def case_history(case):
    """Every step of every round of ``case``, oldest first (the case page's 办理记录)."""
    return case.history.select_related("actor").order_by("created_at", "pk")


def _handlers(organisation_id):
    return User.objects.filter(organisation_id=organisation_id, groups__name=roles.HANDLER,
                               is_active=True)


def _supervisors():
    return User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True)


def can_handle(user, case):
    if not user.has_perm("ratings.handle_case"):
        return False
    scope = organisation_scope(user)
    return scope is None or case.organisation_id in scope


def can_supervise(user, case):
    """督办人 rule on a department's 差评 (appeals, and the decision that ends an escalated
    case): the ``decide_appeal`` permission, within the user's organisations."""
    if not user.has_perm("ratings.decide_appeal"):
        return False
    scope = organisation_scope(user)
    return scope is None or case.organisation_id in scope


def visible_cases(user):
    qs = BadRatingCase.objects.select_related("rating", "organisation", "rating__ticket")
    if not (user.has_perm("ratings.view_badratingcase") or user.has_perm("ratings.handle_case")):
        return qs.none()
    scope = organisation_scope(user)
    return qs if scope is None else qs.filter(organisation_id__in=scope)


def overdue_cases(user):
    """The cases ``user`` sees that went past a deadline (报送督办, ``mark_overdue_cases``) and
    are not finished yet: the dashboard's and the home page's count, the list's 只看超期."""
    return visible_cases(user).filter(overdue=True).exclude(
        stage__in=BadRatingCase.FINISHED_STAGES)


CASE_ACTIONS = {
    "callback": _("回访核实"),
    "rectify": _("整改完成并反馈"),
    "appeal": _("提出申诉"),
    "decide_appeal": _("裁定申诉"),
    "decide": _("督办决定办结"),
}


def allowed_case_actions(case, user):
    actions = []
    appeal = getattr(case, "appeal", None) if hasattr(case, "appeal") else None
    if can_handle(user, case):
        if case.stage == BadRatingCase.Stage.CALLBACK:
            actions.append("callback")
        if case.stage == BadRatingCase.Stage.RECTIFYING:
            actions.append("rectify")
        if case.open and appeal is None:
            actions.append("appeal")
    if (appeal is not None and appeal.status == Appeal.Status.PENDING
            and can_supervise(user, case)):
        actions.append("decide_appeal")
    if case.escalated and not case.finished and can_supervise(user, case):
        actions.append("decide")
    return actions


def _note(data, key, message, minimum=4):
    value = (data.get(key) or "").strip()
    if len(value) < minimum:
        raise RatingError(message, key)
    return value


def act_on_case(case, action, user, now=None, **data):
    """Apply one step of the 差评整改 loop as ``user``; the case row is locked, so two people
    acting at once cannot both succeed. Raises RatingError with nothing written."""
    now = now or timezone.now()
    if action not in CASE_ACTIONS:
        raise RatingError(_("未知的操作。"))
    Action = CaseEvent.Action
    with transaction.atomic():
        case = BadRatingCase.objects.select_for_update().select_related("rating").get(pk=case.pk)
        if action not in allowed_case_actions(case, user):
            raise RatingError(_("当前阶段「%(stage)s」不能%(action)s，或您没有权限。可能已有他人处理，"
                                "请刷新后查看。") % {"stage": case.get_stage_display(),
                                               "action": CASE_ACTIONS[action]})
        if action == "callback":
            case.callback_note = _note(data, "note", _("请填写回访核实情况。"))
            case.callback_at, case.callback_by = now, user
            case.stage = BadRatingCase.Stage.RECTIFYING
            _record(case, Action.CALLBACK, now, actor=user, note=case.callback_note)
        elif action == "rectify":
            case.rectify_note = _note(data, "note", _("请填写整改措施和结果。"))
            case.rectified_at, case.rectified_by = now, user
            _record(case, Action.RECTIFY, now, actor=user, note=case.rectify_note)
            if case.rating.phone:
                case.stage = BadRatingCase.Stage.FEEDBACK
                case.save()
                invite(phone=case.rating.phone, served_at=now, case=case, now=now)
            else:  # nobody to ask (an anonymous window rating): the loop ends here
                case.stage, case.closed_at = BadRatingCase.Stage.CLOSED, now
                _record(case, Action.CLOSED, now,
                        note=_("评价人未留手机号码，无法评价整改结果，整改完成即办结。"))
        elif action == "appeal":
            reason = _note(data, "reason", _("请写明申诉理由（误评、恶意差评的依据）。"), minimum=10)
            Appeal.objects.create(case=case, raised_by=user, raised_at=now, reason=reason)
            _record(case, Action.APPEAL, now, actor=user, note=reason)
            for person in _supervisors():
                messaging.send("inbox", _("%(org)s 对一条差评提出申诉，请裁定。") % {
                    "org": case.organisation}, user=person, subject=_("差评申诉"),
                    kind="ratings.appeal")
        elif action == "decide_appeal":
            _decide(case, user, now, data)
        elif action == "decide":
            note = _note(data, "note", _("请写明督办决定及理由（不少于10个字）。"), minimum=10)
            conclude_round(case, "decided", now=now, user=user, note=note)
        case.save()
    return case


def _decide(case, user, now, data):
    decision = data.get("decision")
    if decision not in ("uphold", "reject"):
        raise RatingError(_("请选择申诉成立或不成立。"), "decision")
    reason = _note(data, "reason", _("请写明裁定理由。"))
    appeal = Appeal.objects.select_for_update().get(case=case)
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = user, now, reason
    appeal.status = Appeal.Status.UPHELD if decision == "uphold" else Appeal.Status.REJECTED
    appeal.save()
    _record(case, CaseEvent.Action.APPEAL_DECIDED, now, actor=user,
            note=f"{appeal.get_status_display()}：{reason}")
    if decision == "uphold":
        rating = case.rating
        rating.status = Rating.Status.EXCLUDED
        rating.status_note = _("申诉成立：%(reason)s") % {"reason": reason}
        rating.save(update_fields=["status", "status_note"])
        conclude_round(case, "appeal_upheld", now=now, user=user, note=reason)


def conclude_round(case, outcome, *, now, level=None, reason="", comment="", channel="",
                   user=None, note=""):
    """How a round of the 差评整改 loop ends: the one rule the rating link, the SMS reply and
    the admin (appeal decision, supervisor's decision) all go through. ``case`` is locked by
    the caller; it is saved here and returned.

    - ``rated``: the resident rated the rectification (``level``, and for a 差评 ``reason``).
      基本满意 or better → 已办结. A 差评 (不满意, 非常不满意) → the next round
      (``_next_round``): 整改中 again with a new deadline, the ticket reopened when it was
      finished, the department and the supervisors (督办人) notified.
    - ``appeal_upheld``: the 差评 was mistaken or malicious → 申诉成立，已撤销.
    - ``decided``: a supervisor ends an escalated case with a written decision (``note``) →
      督办决定办结.

    Nothing else ends the loop.
    """
    Stage, Action = BadRatingCase.Stage, CaseEvent.Action
    if outcome == "rated":
        case.followup_level, case.followup_at = level, now
        case.followup_reason, case.followup_comment = reason or "", comment or ""
        _record(case, Action.RATED, now, level=level, reason=reason, note=comment,
                actor_name=_("评价人（%(channel)s）") % {"channel": Channel(channel).label})
        if level in BAD_LEVELS:
            _next_round(case, now, level, reason)
        else:
            case.stage, case.closed_at = Stage.CLOSED, now
            _record(case, Action.CLOSED, now, note=_("群众对整改结果评价为%(level)s，整改办结。") % {
                "level": Level(level).label})
    elif outcome == "appeal_upheld":
        case.stage, case.closed_at = Stage.APPEAL_UPHELD, now
    elif outcome == "decided":
        case.stage, case.closed_at = Stage.DECIDED, now
        case.decided_by, case.decided_at, case.decision_note = user, now, note
        _record(case, Action.DECIDED, now, actor=user, note=note)
    else:
        raise ValueError(f"unknown outcome {outcome!r}")
    case.save()
    return case


def _next_round(case, now, level, reason):
    """A 差评 of the rectification: the case goes back to 整改中 for another round with a new
    deadline, reported to the supervisors (督办); the ticket is reopened when finished."""
    finished_round = case.round
    case.round += 1
    case.stage = BadRatingCase.Stage.RECTIFYING
    case.rectify_due = calendar.add_working_days(now, platform("RATINGS_RECTIFY_WORKING_DAYS"))
    case.rectified_at = case.rectified_by = None
    case.rectify_note = ""
    case.followup_level = case.followup_at = None
    case.followup_reason = case.followup_comment = ""
    case.overdue, case.escalated_at = False, now
    due = timezone.localtime(case.rectify_due).strftime("%Y-%m-%d %H:%M")
    facts = {"round": case.round, "org": case.organisation, "item": case.rating.item,
             "level": Level(level).label, "reason": Reason(reason).label if reason else "—",
             "due": due, "previous": finished_round}
    _record(case, CaseEvent.Action.REOPENED, now, note=_(
        "第%(previous)d轮整改被评为%(level)s（%(reason)s），开始第%(round)d轮整改，整改期限 %(due)s，"
        "已报送督办人督办。") % facts)
    _reopen_ticket(case, _("整改结果评价%(level)s：%(reason)s（差评整改第%(round)d轮）") % facts)
    link = reverse("ratings_case_detail", args=[case.pk])
    body = _("差评整改第%(round)d轮：%(org)s「%(item)s」的整改结果再次被评为%(level)s"
             "（%(reason)s），整改期限 %(due)s。") % facts
    messaging.notify_staff(_supervisors(), body + _("请督办。"), subject=_("差评再次整改督办"),
                           link=link, kind="ratings.case_reopened")
    messaging.notify_staff(_handlers(case.organisation_id), body + _("请重新整改。"),
                           subject=_("差评重新整改"), link=link, kind="ratings.case_reopened")


def review_rating(rating, user, decision, note=""):
    """A supervisor decides on a flagged rating: counted after all, or excluded (刷评)."""
    if not user.has_perm("ratings.review_rating"):
        raise RatingError(_("您没有审核评价的权限。"))
    if decision not in ("clear", "exclude"):
        raise RatingError(_("请选择计入统计或不计入统计。"))
    note = (note or "").strip()
    if decision == "exclude" and len(note) < 4:
        raise RatingError(_("不计入统计需要写明理由。"))
    target = Rating.Status.COUNTED if decision == "clear" else Rating.Status.EXCLUDED
    with transaction.atomic():
        changed = Rating.objects.filter(pk=rating.pk, status=Rating.Status.FLAGGED).update(
            status=target, status_note=note or _("审核通过"))
        if not changed:
            raise RatingError(_("该评价已审核。"))
        rating.refresh_from_db()
        if target == Rating.Status.COUNTED and rating.is_bad:
            open_case(rating)
    return rating


def mark_overdue_cases(now=None):
    """Cases past their callback or rectification deadline go to the supervisors (once)."""
    now = now or timezone.now()
    late = BadRatingCase.objects.filter(overdue=False).filter(
        Q(stage=BadRatingCase.Stage.CALLBACK, callback_due__lt=now)
        | Q(stage=BadRatingCase.Stage.RECTIFYING, rectify_due__lt=now))
    supervisors = list(_supervisors())
    count = 0
    for case in late.select_related("organisation", "rating"):
        if not BadRatingCase.objects.filter(pk=case.pk, overdue=False).update(
                overdue=True, escalated_at=now):
            continue  # another run got it
        count += 1
        _record(case, CaseEvent.Action.OVERDUE, now, note=case.get_stage_display())
        for person in supervisors:
            messaging.send("inbox", _("差评整改超期：%(org)s「%(item)s」（%(stage)s）。") % {
                "org": case.organisation, "item": case.rating.item,
                "stage": case.get_stage_display()},
                user=person, subject=_("差评整改超期督办"), kind="ratings.case_overdue")
    return count
