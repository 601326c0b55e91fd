"""The ticket lifecycle: one transition table and one service, ``perform``, that every route
calls (admin workbench, public site, tasks, bench).

    待派单 ─派单→ 待签收 ─签收→ 办理中 ─答复→ 已答复 ─审核通过→ 待回访 ─回访→ 已办结
       │直接办结 → 已办结      ↑ 改派/异议成立      │退回 ↩ 办理中      │重办 ↩ 办理中
       │并单 → 已并单                                      已办结 ─重办↩ 办理中（未派过单的回到待派单）

回访 records the result: 已联系上 (the resident's 满意度, whether the request is solved, and a
note, all required) closes the ticket; 联系不上 keeps it 待回访 and is recorded on the timeline,
and the third such attempt, each on another working day, closes it as 无法联系 (counted apart
in ``hotline.metrics``).

Which actions apply also depends on the ticket's open requests (``refusal``): 审核派单异议 only
with an objection pending, 审核延期 only with an extension request pending, and so on. The
ticket page offers only ``allowed_actions``; ``perform`` refuses the rest.

关联政策 (any state but 已并单) leaves the state as it is: the ticket enters the policy's concerns
log (``interpretations.services.register_ticket_concern``).

重办 from 已办结 is for a resident's dissatisfaction that arrives after closing (a later 差评:
``ratings.services.open_case`` acts through the platform's system account, which holds the
dispatcher role).

``perform`` locks the ticket row (SELECT … FOR UPDATE), checks the state and the user's role
against the table, applies the change and writes the timeline in one transaction. When two
people act at once the second one waits for the lock, then finds the state changed and gets
a ``TransitionError`` with a Chinese message; nothing of theirs is written.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import messaging, roles
from core.models import Organisation
from core.permissions import organisation_scope
from hotline import calendar, services
from hotline.models import (
    OPEN_STATUSES,
    Alert,
    DispatchObjection,
    Satisfaction,
    Status,
    Ticket,
    TicketAssignment,
    TicketEvent,
)

S = Status
DISPATCHER, HANDLER, SUPERVISOR = "dispatcher", "handler", "supervisor"
ROLE_GROUPS = {DISPATCHER: roles.DISPATCHER, HANDLER: roles.HANDLER,
               SUPERVISOR: roles.SUPERVISOR}
ROLE_LABELS = {DISPATCHER: gettext_lazy("话务员/派单员"), HANDLER: gettext_lazy("主办单位承办人"),
               SUPERVISOR: gettext_lazy("督办人")}


class TransitionError(Exception):
    """A refused action; ``str(error)`` is the Chinese message for the user. ``errors`` maps
    form fields to their own messages, for forms that show them beside the fields."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple
    target: str | None  # None: the state does not change (or the handler decides)
    roles: frozenset = field(default_factory=frozenset)
    public: bool = True  # shown on the resident's tracking page


def T(action, label, sources, target, *who, public=True):
    return Transition(action, label, tuple(sources), target, frozenset(who), public)


TRANSITIONS = {t.action: t for t in [
    T("dispatch", gettext_lazy("派单"), [S.PENDING_DISPATCH], S.PENDING_SIGN, DISPATCHER),
    T("close_at_intake", gettext_lazy("直接办结"), [S.PENDING_DISPATCH], S.CLOSED, DISPATCHER),
    T("merge", gettext_lazy("并单"), [S.PENDING_DISPATCH], S.MERGED, DISPATCHER),
    T("link_repeat", gettext_lazy("关联重复诉求"), [S.PENDING_DISPATCH], None, DISPATCHER,
      public=False),
    T("sign", gettext_lazy("签收"), [S.PENDING_SIGN], S.IN_PROGRESS, HANDLER),
    T("object", gettext_lazy("提出派单异议"), [S.PENDING_SIGN, S.IN_PROGRESS], None, HANDLER,
      public=False),
    T("review_objection", gettext_lazy("审核派单异议"), [S.PENDING_SIGN, S.IN_PROGRESS], None,
      DISPATCHER, public=False),
    T("redispatch", gettext_lazy("改派"), [S.PENDING_SIGN, S.IN_PROGRESS], S.PENDING_SIGN,
      DISPATCHER),
    T("request_extension", gettext_lazy("申请延期"), [S.IN_PROGRESS], None, HANDLER,
      public=False),
    T("review_extension", gettext_lazy("审核延期"), [S.IN_PROGRESS], None, DISPATCHER),
    T("reply", gettext_lazy("答复"), [S.IN_PROGRESS], S.REPLIED, HANDLER),
    T("return_reply", gettext_lazy("退回"), [S.REPLIED], S.IN_PROGRESS, DISPATCHER),
    T("approve_reply", gettext_lazy("审核通过"), [S.REPLIED], S.PENDING_CALLBACK, DISPATCHER),
    T("callback", gettext_lazy("回访办结"), [S.PENDING_CALLBACK], S.CLOSED, DISPATCHER),
    T("reopen", gettext_lazy("重办"), [S.PENDING_CALLBACK, S.CLOSED], S.IN_PROGRESS,
      DISPATCHER),
    T("supervise", gettext_lazy("督办"), [S.PENDING_SIGN, S.IN_PROGRESS, S.REPLIED], None,
      SUPERVISOR),
    T("link_policy", gettext_lazy("关联政策"), [*OPEN_STATUSES, S.CLOSED], None, DISPATCHER,
      HANDLER, public=False),
]}


def user_roles(user, ticket):
    """Which of the table's roles ``user`` holds for ``ticket``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    names = set(user.groups.values_list("name", flat=True))
    held = {key for key, group in ROLE_GROUPS.items() if group in names}
    if HANDLER in held:
        scope = organisation_scope(user)
        if ticket.lead_org_id is None or (scope is not None and ticket.lead_org_id not in scope):
            held.discard(HANDLER)
    if user.is_superuser:
        held = {DISPATCHER, HANDLER, SUPERVISOR}
    return held


# --- What the ticket's open requests allow ------------------------------------------------------


def _pending_objection(ticket):
    return ticket.objections.filter(status=DispatchObjection.Status.PENDING).exists()


def _objection_pending_refusal(ticket):
    if _pending_objection(ticket):
        return _("本工单已有待审核的派单异议。")
    return None


def _objection_missing_refusal(ticket):
    if not _pending_objection(ticket):
        return _("本工单没有待审核的派单异议。")
    return None


def _redispatch_refusal(ticket):
    if _pending_objection(ticket):
        return _("本工单有待审核的派单异议，请通过「审核派单异议」处理（异议成立即改派）。")
    return None


def _request_extension_refusal(ticket):
    if ticket.pending_extension_days:
        return _("已有待审核的延期申请。")
    if ticket.handle_deadline and timezone.now() >= ticket.handle_deadline:
        return _("办理期限已过，不能再申请延期。")
    return None


def _review_extension_refusal(ticket):
    if not ticket.pending_extension_days:
        return _("没有待审核的延期申请。")
    return None


# Beyond state and role: an action that answers a request needs that request open, and one
# that opens a request needs none pending. ``refusal`` is the one rule: the ticket page offers
# only what it allows (``allowed_actions``) and ``perform`` refuses the rest.
CONDITIONS = {
    "object": _objection_pending_refusal,
    "review_objection": _objection_missing_refusal,
    "redispatch": _redispatch_refusal,
    "request_extension": _request_extension_refusal,
    "review_extension": _review_extension_refusal,
}


def refusal(ticket, action):
    """Why the ticket's open requests do not allow ``action`` now (a Chinese message), or
    None when they do. State and role are checked apart (``allowed_actions``, ``perform``)."""
    condition = CONDITIONS.get(action)
    return condition(ticket) if condition else None


def allowed_actions(ticket, user):
    """The actions ``user`` may take on ``ticket`` now (for showing buttons): the ticket's state,
    the user's role and the ticket's open requests (``refusal``) all allow them."""
    held = user_roles(user, ticket)
    return [t for t in TRANSITIONS.values() if ticket.status in t.sources and held & t.roles
            and refusal(ticket, t.action) is None]


def perform(ticket, action, user, **data):
    """Apply ``action`` to ``ticket`` as ``user``; returns the updated ticket.

    Raises ``TransitionError`` (state or role refused, bad input): nothing is written then.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("未知的操作。"))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status not in transition.sources:
            raise TransitionError(_(
                "工单 %(number)s 当前状态为「%(status)s」，不能%(action)s。可能已有他人处理，"
                "请刷新后查看。") % {"number": locked.number,
                                  "status": locked.get_status_display(),
                                  "action": transition.label})
        if not user_roles(user, locked) & transition.roles:
            raise TransitionError(_("您没有权限对工单 %(number)s 执行「%(action)s」，需要%(roles)s。") % {
                "number": locked.number, "action": transition.label,
                "roles": "、".join(str(ROLE_LABELS[r]) for r in sorted(transition.roles))})
        reason = refusal(locked, action)
        if reason:
            raise TransitionError(_("工单 %(number)s 现在不能%(action)s：%(reason)s") % {
                "number": locked.number, "action": transition.label, "reason": reason})
        now = timezone.now()
        before = locked.status
        note = (data.get("note") or "").strip()
        result = HANDLERS[action](locked, user, now, data) or {}
        target = result.get("target") or transition.target or before
        locked.status = target
        locked.save()
        TicketEvent.objects.create(
            ticket=locked, action=result.get("action") or action,
            label=result.get("label") or transition.label,
            from_status=before, to_status=target, actor=user,
            actor_name=services.actor_name(user), organisation=user.organisation,
            note=result.get("note", note), public=result.get("public", transition.public),
            created_at=now)
    return locked


# --- Helpers -----------------------------------------------------------------------------------


def _require(data, key, message):
    value = data.get(key)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "", [], ()):
        raise TransitionError(message)
    return value


def _organisation(value, message):
    if isinstance(value, Organisation):
        return value
    org = Organisation.objects.filter(pk=value, is_active=True).first() if value else None
    if org is None:
        raise TransitionError(message)
    return org


def _assign(ticket, lead, assisting, now, reassigned=False):
    TicketAssignment.objects.filter(ticket=ticket, active=True).update(active=False)
    TicketAssignment.objects.create(ticket=ticket, organisation=lead, role="lead",
                                    assigned_at=now)
    for org in assisting:
        if org.pk != lead.pk:
            TicketAssignment.objects.create(ticket=ticket, organisation=org, role="assist",
                                            assigned_at=now)
    ticket.lead_org = lead
    sign_hours, handle_days, _callback = services.time_limit_for(ticket.category,
                                                                 ticket.urgency)
    ticket.dispatched_at = now
    ticket.signed_at = None
    ticket.sign_deadline = calendar.add_working_hours(now, sign_hours)
    ticket.handle_deadline = calendar.add_working_days(now, handle_days)
    ticket.alert = Alert.NONE
    subject = _("改派工单") if reassigned else _("新派工单")
    services.notify_department(
        ticket, _("%(subject)s %(number)s 办理时限 %(due)s，请于 %(sign)s 前签收。") % {
            "subject": subject, "number": ticket.number,
            "due": services.notice_date(ticket.handle_deadline),
            "sign": services.notice_date(ticket.sign_deadline, with_time=True)},
        subject=subject, kind="hotline.dispatched")


def _assisting(data):
    return [_organisation(v, _("协办单位无效。")) for v in data.get("assisting") or []]


def _notify_callers(ticket, body, kind):
    callers = {ticket.caller_phone}
    callers.update(ticket.merged_tickets.values_list("caller_phone", flat=True))
    for phone in sorted(callers):
        messaging.send("sms", body, recipient=phone, kind=kind)


def _deadline(value):
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if value:  # a date: the close of that day's working hours
        from django.conf import settings

        end = settings.PLATFORM["HOTLINE_WORKDAY_END"]
        return timezone.make_aware(datetime.combine(value, time(end)))
    return None


def _lock_other(pk):
    return Ticket.objects.select_for_update().get(pk=pk)


# --- One handler per action --------------------------------------------------------------------


def do_dispatch(ticket, user, now, data):
    lead = _organisation(data.get("lead") or ticket.suggested_lead_id,
                         _("请选择主办单位。"))
    assisting = _assisting(data)
    _assign(ticket, lead, assisting, now)
    names = "、".join(str(o) for o in assisting)
    return {"note": data.get("note") or (_("主办：%(lead)s") % {"lead": lead}) + (
        _("；协办：%(names)s") % {"names": names} if names else "")}


def do_close_at_intake(ticket, user, now, data):
    ticket.reply = _require(data, "reply", _("直接办结需要填写答复内容。"))
    ticket.replied_at = ticket.closed_at = now
    ticket.resolved = True
    _notify_callers(ticket, _("【12345】您的诉求 %(number)s 已答复办结：%(reply)s") % {
        "number": ticket.number, "reply": ticket.reply[:60]}, "hotline.closed")
    return {"note": ticket.reply}


def _target(ticket, data):
    target = data.get("target")
    pk = target.pk if isinstance(target, Ticket) else target
    if not pk or str(pk) == str(ticket.pk):
        raise TransitionError(_("请选择另一件工单。"))
    other = Ticket.objects.filter(pk=pk).first()
    if other is None:
        raise TransitionError(_("所选工单不存在。"))
    return other


def _join_matter(ticket, other, user, now):
    root = _lock_other(other.matter.pk)
    ticket.repeat_of = other
    ticket.repeat_root = root
    return root


def do_merge(ticket, user, now, data):
    other = _lock_other(_target(ticket, data).pk)
    if other.status not in OPEN_STATUSES or other.status == S.MERGED:
        raise TransitionError(_("只能并入未办结的工单；已办结的请使用「关联重复诉求」。"))
    root = _join_matter(ticket, other, user, now)
    ticket.merged_into = other
    ticket.closed_at = now
    TicketEvent.objects.create(
        ticket=other, action="merged_in", label=_("并单"), from_status=other.status,
        to_status=other.status, actor=user, actor_name=services.actor_name(user),
        organisation=user.organisation, public=False, created_at=now,
        note=_("工单 %(number)s 并入本单，增加诉求人 %(name)s（%(phone)s）。") % {
            "number": ticket.number, "name": ticket.caller_name,
            "phone": ticket.caller_phone})
    ticket.save()
    services.escalate_if_needed(root, user, now)
    return {"note": _("并入工单 %(number)s。") % {"number": other.number}}


def do_link_repeat(ticket, user, now, data):
    other = _target(ticket, data)
    if other.status not in (S.CLOSED, S.MERGED):
        raise TransitionError(_("所选工单尚未办结，重复诉求原则上应并单。"))
    root = _join_matter(ticket, other, user, now)
    ticket.save()
    services.escalate_if_needed(root, user, now)
    return {"note": _("关联为工单 %(number)s 的重复诉求。") % {"number": other.number}}


def do_sign(ticket, user, now, data):
    ticket.signed_at = now
    ticket.alert = Alert.NONE


def do_object(ticket, user, now, data):
    reason = _require(data, "reason", _("请填写派单异议理由。"))
    suggested = data.get("suggested")
    DispatchObjection.objects.create(
        ticket=ticket, organisation=ticket.lead_org, raised_by=user, reason=reason,
        suggested=_organisation(suggested, _("建议单位无效。")) if suggested else None,
        created_at=now)
    return {"note": reason}


def do_review_objection(ticket, user, now, data):
    objection = ticket.objections.get(status=DispatchObjection.Status.PENDING)  # ``refusal``
    decision = data.get("decision")
    if decision not in ("uphold", "reject"):
        raise TransitionError(_("请选择异议成立（改派）或不成立。"))
    objection.reviewed_by, objection.reviewed_at = user, now
    objection.review_note = (data.get("note") or "").strip()
    if decision == "reject":
        if not objection.review_note:
            raise TransitionError(_("驳回异议需要填写审核意见。"))
        objection.status = DispatchObjection.Status.REJECTED
        objection.save()
        services.notify_department(ticket, _(
            "工单 %(number)s 派单异议不成立，请继续办理，办理时限 %(due)s。审核意见：%(note)s") % {
            "number": ticket.number, "due": services.notice_date(ticket.handle_deadline),
            "note": objection.review_note}, subject=_("派单异议不成立"),
            kind="hotline.objection_rejected")
        return {"label": _("驳回派单异议"), "note": objection.review_note}
    lead = _organisation(data.get("lead") or objection.suggested_id, _("请选择改派的主办单位。"))
    if lead.pk == ticket.lead_org_id:
        raise TransitionError(_("改派单位不能与原主办单位相同。"))
    objection.status = DispatchObjection.Status.UPHELD
    objection.save()
    _assign(ticket, lead, _assisting(data), now, reassigned=True)
    return {"label": _("异议成立，改派"), "target": S.PENDING_SIGN, "public": True,
            "note": _("改派至 %(lead)s。%(note)s") % {"lead": lead, "note": objection.review_note}}


def do_redispatch(ticket, user, now, data):
    lead = _organisation(data.get("lead"), _("请选择改派的主办单位。"))
    if lead.pk == ticket.lead_org_id:
        raise TransitionError(_("改派单位不能与原主办单位相同。"))
    _require(data, "note", _("请填写改派理由。"))
    _assign(ticket, lead, _assisting(data), now, reassigned=True)
    return {"note": _("改派至 %(lead)s：%(note)s") % {"lead": lead, "note": data["note"]}}


def do_request_extension(ticket, user, now, data):
    try:
        days = int(data.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise TransitionError(_("延期天数须为 1～30 个工作日。"))
    reason = _require(data, "reason", _("请填写延期理由。"))
    ticket.pending_extension_days, ticket.pending_extension_reason = days, reason
    return {"note": _("申请延期 %(days)d 个工作日：%(reason)s") % {"days": days, "reason": reason}}


def do_review_extension(ticket, user, now, data):
    days = ticket.pending_extension_days  # pending: ``refusal``
    approve = data.get("approve")
    if approve is None or approve == "":
        raise TransitionError(_("请选择同意或不同意延期。"))
    ticket.pending_extension_days, ticket.pending_extension_reason = None, ""
    if str(approve).lower() in ("1", "true", "yes", "on"):
        ticket.handle_deadline = calendar.add_working_days(ticket.handle_deadline or now, days)
        ticket.extension_count += 1
        ticket.alert = Alert.NONE
        services.notify_department(ticket, _(
            "工单 %(number)s 延期申请已同意，延期 %(days)d 个工作日，办理时限 %(due)s。") % {
            "number": ticket.number, "days": days,
            "due": services.notice_date(ticket.handle_deadline)},
            subject=_("同意延期"), kind="hotline.extension")
        return {"label": _("同意延期"), "note": _("延期 %(days)d 个工作日，新期限 %(due)s。") % {
            "days": days,
            "due": timezone.localtime(ticket.handle_deadline).strftime("%Y-%m-%d %H:%M")}}
    note = (data.get("note") or "").strip()
    services.notify_department(ticket, _(
        "工单 %(number)s 延期申请未同意，办理时限仍为 %(due)s。%(note)s") % {
        "number": ticket.number, "due": services.notice_date(ticket.handle_deadline),
        "note": note}, subject=_("不同意延期"), kind="hotline.extension")
    return {"label": _("不同意延期"), "public": False, "note": note}


def do_reply(ticket, user, now, data):
    ticket.reply = _require(data, "reply", _("请填写答复内容。"))
    if len(ticket.reply.strip()) < 10:
        raise TransitionError(_("答复内容过短，请写明办理结果。"))
    ticket.replied_at = now
    ticket.alert = Alert.NONE  # lateness stays visible as replied_at > handle_deadline
    return {"note": ticket.reply}


def do_return_reply(ticket, user, now, data):
    note = _require(data, "note", _("请填写退回理由。"))
    services.notify_department(ticket, _(
        "工单 %(number)s 答复被退回，请重新办理，办理时限 %(due)s。退回理由：%(note)s") % {
        "number": ticket.number, "due": services.notice_date(ticket.handle_deadline),
        "note": note}, subject=_("答复退回"), kind="hotline.returned")
    return {"note": note}


def do_approve_reply(ticket, user, now, data):
    _sign, _handle, callback_days = services.time_limit_for(ticket.category, ticket.urgency)
    ticket.callback_deadline = calendar.add_working_days(now, callback_days)
    ticket.alert = Alert.NONE
    _notify_callers(ticket, _("【12345】您的诉求 %(number)s 已有答复，可凭编号和手机号在网站查看。") % {
        "number": ticket.number}, "hotline.replied")


REACHED, UNREACHABLE = "reached", "unreachable"
CALLBACK_OUTCOMES = [(REACHED, gettext_lazy("已联系上诉求人")), (UNREACHABLE, gettext_lazy("联系不上"))]
CALLBACK_ATTEMPTS = 3  # 联系不上 this many times, each on another working day → 无法联系
ATTEMPT_ACTION = "callback_unreachable"  # the timeline's line for an attempt that failed


def callback_attempts(ticket):
    """The failed callback attempts (联系不上) of the current round, oldest first: those since
    the reply was last approved (a reopened ticket starts a new round)."""
    events = TicketEvent.objects.filter(ticket=ticket)
    approved = (events.filter(action="approve_reply").order_by("-created_at", "-pk")
                .values_list("created_at", flat=True).first())
    attempts = events.filter(action=ATTEMPT_ACTION)
    if approved is not None:
        attempts = attempts.filter(created_at__gte=approved)
    return list(attempts.order_by("created_at", "pk"))


def next_attempt_day(ticket, attempts=None):
    """The first day another 联系不上 may be recorded: the working day after the last
    attempt's (``hotline.calendar``), or None when there was none."""
    attempts = callback_attempts(ticket) if attempts is None else attempts
    if not attempts:
        return None
    return calendar.next_workday(timezone.localtime(attempts[-1].created_at).date())


def _callback_unreachable(ticket, user, now, note):
    attempts = callback_attempts(ticket)
    earliest = next_attempt_day(ticket, attempts)
    today = timezone.localtime(now).date()
    if earliest is not None and today < earliest:
        last = timezone.localtime(attempts[-1].created_at).date()
        message = _("%(last)s已回访联系不上（第 %(n)d 次）。联系不上须在不同的工作日再次回访，"
                    "下一次最早 %(next)s。") % {
            "last": _("今天") if last == today else services.notice_date(last),
            "n": len(attempts), "next": services.notice_date(earliest)}
        raise TransitionError(message, errors={"outcome": message})
    number = len(attempts) + 1
    if number < CALLBACK_ATTEMPTS:
        # Still 待回访: the callback deadline moves to the close of the next working day.
        retry = calendar.add_working_days(now, 1)
        if ticket.callback_deadline is None or ticket.callback_deadline < retry:
            ticket.callback_deadline = retry
        ticket.alert = Alert.NONE
        return {"action": ATTEMPT_ACTION, "target": S.PENDING_CALLBACK,
                "label": _("回访联系不上（第 %(n)d 次）") % {"n": number},
                "note": _("%(note)s（须在不同的工作日再次回访，最早 %(next)s；"
                          "共 %(total)d 次联系不上按“无法联系”办结。）") % {
                    "note": note, "total": CALLBACK_ATTEMPTS,
                    "next": services.notice_date(calendar.next_workday(today))}}
    ticket.satisfaction = Satisfaction.UNREACHABLE
    ticket.resolved = None
    ticket.closed_at = now
    ticket.alert = Alert.NONE
    _notify_callers(ticket, _("【12345】您的诉求 %(number)s 已答复，我们 %(n)d 次回访均未能联系到您，"
                              "工单已办结。如对办理结果有意见，请致电 12345。") % {
        "number": ticket.number, "n": CALLBACK_ATTEMPTS}, "hotline.unreachable")
    return {"label": _("回访无法联系，办结"),
            "note": _("%(note)s（第 %(n)d 次联系不上，按“无法联系”办结。）") % {
                "note": note, "n": number}}


def do_callback(ticket, user, now, data):
    """回访: the result (已联系上 / 联系不上), the resident's answer (满意度 and whether the
    request is solved) and a note are all required; nothing is assumed. 联系不上 stays 待回访
    until the third attempt, each on another working day, closes the ticket as 无法联系."""
    errors = {}
    outcome = data.get("outcome")
    if outcome not in (REACHED, UNREACHABLE):
        errors["outcome"] = _("请选择回访结果：已联系上诉求人，或联系不上。")
    note = (data.get("note") or "").strip()
    if not note:
        errors["note"] = _("请填写回访记录：与诉求人沟通的情况，联系不上的写明拨打情况。")
    satisfaction = data.get("satisfaction")
    resolved = data.get("resolved")
    if outcome != UNREACHABLE:
        if satisfaction == Satisfaction.UNSATISFIED:
            errors["satisfaction"] = _("诉求人不满意的，请使用「重办」退回承办单位重新办理。")
        elif satisfaction not in (Satisfaction.SATISFIED, Satisfaction.BASIC):
            errors["satisfaction"] = _("请选择诉求人对办理结果的评价：满意或基本满意。")
        if resolved in (None, ""):
            errors["resolved"] = _("请选择诉求人反映的诉求是否已解决。")
    if errors:
        raise TransitionError(_("回访记录未保存，请按提示补充后再提交。"), errors=errors)
    if outcome == UNREACHABLE:
        return _callback_unreachable(ticket, user, now, note)
    ticket.satisfaction = satisfaction
    ticket.resolved = str(resolved).lower() in ("1", "true", "yes", "on")
    ticket.closed_at = now
    ticket.alert = Alert.NONE
    return {"note": _("%(satisfaction)s，%(resolved)s。%(note)s") % {
        "satisfaction": Satisfaction(satisfaction).label,
        "resolved": _("诉求已解决") if ticket.resolved else _("诉求未解决"), "note": note}}


def do_reopen(ticket, user, now, data):
    """The resident is not satisfied: back to the lead department with a new 办理 deadline
    (from 待回访, or from 已办结 when the dissatisfaction comes later). A ticket closed at
    intake never had a department: it goes back to 待派单."""
    note = _require(data, "note", _("请填写诉求人不满意的原因。"))
    ticket.satisfaction = Satisfaction.UNSATISFIED
    ticket.reopen_count += 1
    ticket.replied_at = ticket.closed_at = ticket.resolved = None
    ticket.callback_deadline = None
    ticket.alert = Alert.NONE
    if ticket.lead_org_id is None:
        ticket.handle_deadline = None  # set when it is dispatched
        return {"note": note, "target": S.PENDING_DISPATCH}
    _sign, handle_days, _callback = services.time_limit_for(ticket.category, ticket.urgency)
    ticket.handle_deadline = calendar.add_working_days(now, handle_days)
    due = timezone.localtime(ticket.handle_deadline).strftime("%Y-%m-%d %H:%M")
    services.notify_department(ticket, _("重办工单 %(number)s 办理时限 %(due)s。不满意原因：%(note)s") % {
        "number": ticket.number, "due": services.notice_date(ticket.handle_deadline),
        "note": note}, subject=_("工单重办"), kind="hotline.reopened")
    return {"note": _("%(note)s（新办理期限 %(due)s）") % {"note": note, "due": due}}


def do_supervise(ticket, user, now, data):
    note = _require(data, "note", _("请填写督办意见。"))
    deadline = _deadline(data.get("deadline"))
    if deadline is None or deadline <= now:
        raise TransitionError(_("请填写晚于现在的新办理期限。"))
    if ticket.status == S.PENDING_SIGN:
        ticket.sign_deadline = min(ticket.sign_deadline or deadline, deadline)
    ticket.handle_deadline = deadline
    ticket.alert = Alert.NONE
    services.notify_department(ticket, _("督办工单 %(number)s 办理时限 %(due)s。督办意见：%(note)s") % {
        "number": ticket.number, "due": services.notice_date(deadline, with_time=True),
        "note": note}, subject=_("督办"), kind="hotline.supervised")
    return {"note": _("%(note)s（新期限 %(due)s）") % {
        "note": note, "due": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}}


def do_link_policy(ticket, user, now, data):
    """The ticket is about a policy: it enters that policy's concerns log (once; linking it to
    another policy later enters it there too, and the first entry stays)."""
    from interpretations.models import Concern

    policy = data.get("policy")
    if policy in (None, ""):
        raise TransitionError(_("请选择工单涉及的政策。"))
    pk = getattr(policy, "pk", policy)
    if str(ticket.policy_id) == str(pk) and Concern.objects.filter(
            policy_id=pk, hotline_ticket=ticket.number).exists():
        raise TransitionError(_("工单 %(number)s 已关联该政策，关切已登记，无需重复关联。") % {
            "number": ticket.number})
    try:
        concern = services.policy_concern(ticket, policy, user, now)
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from exc
    note = services.policy_concern_note(concern)
    if ticket.policy_id and ticket.policy_id != concern.policy_id:
        note += _("原关联的政策《%(title)s》的关切登记保留。") % {"title": ticket.policy.title}
    ticket.policy_id = concern.policy_id
    return {"note": note}


HANDLERS = {
    "dispatch": do_dispatch, "close_at_intake": do_close_at_intake, "merge": do_merge,
    "link_repeat": do_link_repeat, "sign": do_sign, "object": do_object,
    "review_objection": do_review_objection, "redispatch": do_redispatch,
    "request_extension": do_request_extension, "review_extension": do_review_extension,
    "reply": do_reply, "return_reply": do_return_reply, "approve_reply": do_approve_reply,
    "callback": do_callback, "reopen": do_reopen, "supervise": do_supervise,
    "link_policy": do_link_policy,
}
assert set(HANDLERS) == set(TRANSITIONS)
