"""Enterprise services: profile changes, 企业诉求 and 线下帮办.

Matching rules live in ``enterprises/criteria.py``; the push pipeline in ``enterprises/push.py``.
Every portal and admin route calls these functions; each refuses bad input with a Chinese
message and then writes nothing.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging, roles
from core.models import User
from core.params import id_field
from core.permissions import organisation_scope
from core.privacy import mask_name, mask_phone
from enterprises.models import Assistance, AssistanceVisit, Enterprise, ProfileChange

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


# --- Profile and preferences ---------------------------------------------------------------------

# What an enterprise may correct itself; the registered facts (credit code, name, registration
# date, division, qualifications, operating status) come from the registration authorities and
# are corrected by filing a request.
EDITABLE_FIELDS = ("contact_name", "contact_phone", "contact_email", "headcount", "revenue",
                   "industry_code", "size_class")
PREFERENCE_FIELDS = ("notify_inbox", "notify_sms", "notify_email", "notify_frequency")


def display_value(enterprise, field):
    """A field's value as people read it in the change record."""
    value = getattr(enterprise, field)
    if value in (None, ""):
        return ""
    if isinstance(value, bool):
        return _("开启") if value else _("关闭")
    if field in ("size_class", "notify_frequency"):
        return str(getattr(enterprise, f"get_{field}_display")())
    if field == "industry_code":
        from enterprises.industries import label

        return label(value)
    return str(value)


def channel_problems(*, contact_phone, contact_email, notify_inbox, notify_sms, notify_email,
                     notify_frequency):
    """Why these notification settings cannot work, as {field: message}; empty when they can.

    SMS needs a mobile number and email an address on the profile; receiving pushes at all
    needs at least one channel.
    """
    from enterprises.models import Frequency

    problems = {}
    if notify_sms and not MOBILE_RE.match(contact_phone or ""):
        problems["notify_sms"] = _("短信推送需要联系人手机号码：请先在企业档案中填写 11 位手机号码，"
                                   "或关闭短信推送。")
    if notify_email and not contact_email:
        problems["notify_email"] = _("邮件推送需要联系邮箱：请先在企业档案中填写联系邮箱，或关闭邮件推送。")
    if notify_frequency != Frequency.NONE and not (notify_inbox or notify_sms or notify_email):
        problems["notify_frequency"] = _("请至少选择一种接收方式；不想接收推送请选择“不接收推送”。")
    return problems


def _channel_problems_of(enterprise):
    return channel_problems(**{f: getattr(enterprise, f) for f in (
        "contact_phone", "contact_email", *PREFERENCE_FIELDS)})


def change_profile(enterprise, user, changes, now=None):
    """Apply ``changes`` ({field: value}) to the enterprise's own fields and record each change
    (who, when, old → new). Returns the ProfileChange rows written (empty: nothing changed).

    A change may not make the notification settings unworkable (SMS on without a mobile number,
    email on without an address): the rule is checked on the row as locked in the database, so a
    concurrent edit cannot slip past it either. Raises ValidationError; nothing is written then.
    """
    allowed = set(EDITABLE_FIELDS) | set(PREFERENCE_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("以下信息不能由企业自行修改：%(fields)s。") % {
            "fields": "、".join(str(Enterprise._meta.get_field(f).verbose_name)
                               if f in {x.name for x in Enterprise._meta.fields} else f
                               for f in sorted(unknown))})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = {field: display_value(locked, field) for field in changes}
        problems_before = _channel_problems_of(locked)
        changed = [field for field, value in changes.items() if getattr(locked, field) != value]
        for field in changed:
            setattr(locked, field, changes[field])
        problems = {field: message for field, message in _channel_problems_of(locked).items()
                    if field not in problems_before}
        if problems:
            raise ValidationError(problems)
        if not changed:
            return []
        locked.save(update_fields=[*changed, "updated_at"])
        rows = ProfileChange.objects.bulk_create([
            ProfileChange(enterprise=locked, field=field,
                          label=str(Enterprise._meta.get_field(field).verbose_name),
                          old_value=before[field][:300],
                          new_value=display_value(locked, field)[:300],
                          changed_by=user if user and user.is_authenticated else None,
                          changed_at=now)
            for field in changed])
    for field in changed:
        setattr(enterprise, field, getattr(locked, field))
    return rows


# --- 企业诉求: requests that become 12345 tickets on the 政企通 channel ----------------------------


def requests_for(enterprise):
    """The tickets the enterprise filed itself through its portal: the only ones it lists,
    opens, rates and downloads attachments of (every portal route asks here). A ticket staff
    recorded with the enterprise's credit code (涉及企业, e.g. a worker's complaint about it)
    is not among them."""
    from hotline.models import Ticket

    if enterprise is None or enterprise.pk is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(filed_by_enterprise=enterprise)


def request_for(enterprise, number):
    """The enterprise's own ticket with this number, or None (another's is not shown)."""
    return requests_for(enterprise).select_related("category", "lead_org", "merged_into").filter(
        number=number).first()


def live_policy(pk):
    """The policy a request may name: a live policy document, or None."""
    from interpretations.models import PolicyPage

    try:
        pk = id_field().clean(pk)
    except ValidationError:
        return None
    return PolicyPage.objects.live().filter(pk=pk).first() if pk else None


def request_limit_reached(enterprise, count=True):
    """At most ``ENTERPRISE_REQUEST_LIMIT`` requests per enterprise in the window."""
    from core import ratelimit

    return ratelimit.over_limit(
        "enterprises:request", f"enterprise:{enterprise.pk}", settings.ENTERPRISE_REQUEST_LIMIT,
        settings.ENTERPRISE_REQUEST_WINDOW_SECONDS, count)


def file_request(enterprise, *, subject, content, category, contact_name, contact_phone,
                 policy=None, attachments=()):
    """File a 企业诉求: a 12345 ticket on the 政企通 channel, linked to the enterprise (credit code,
    name, registered division) and to the policy it names. Raises ValidationError."""
    from hotline import services as hotline_services
    from hotline.models import Channel
    from interpretations.models import PolicyPage

    if policy is not None and not PolicyPage.objects.live().filter(pk=policy.pk).exists():
        raise ValidationError({"policy": _("所选政策不存在或已下线，请重新选择。")})
    subject = (subject or "").strip()
    text = (content or "").strip()
    return hotline_services.intake(
        channel=Channel.ENTERPRISE, caller_name=contact_name, caller_phone=contact_phone,
        category=category, division=enterprise.division,
        content=f"【{subject}】{text}" if subject else text, policy=policy,
        enterprise_credit_code=enterprise.credit_code, enterprise_name=enterprise.name[:100],
        filed_by_enterprise=enterprise, attachments=attachments)


def request_progress(ticket):
    """What the portal shows about one request: the resident's view of the ticket (status,
    public timeline, reply once approved) plus 线下帮办 visits and the follow-up date."""
    from hotline import public

    view = public.public_view(ticket)
    assistance = Assistance.objects.filter(ticket=ticket).select_related("helper").first()
    view["assistance"] = assistance
    view["visits"] = list(assistance.visits.all()) if assistance else []
    view["policy"] = live_policy(ticket.policy_id) if ticket.policy_id else None
    return view


# --- Rating one's own finished request -----------------------------------------------------------


def rating_state(ticket):
    """("rated", rating) · ("open", None) when it can be rated now · ("waiting", None) before
    the reply is approved · ("expired", None) after the rating period."""
    from ratings import services as ratings_services
    from ratings.models import Rating, RatingInvitation

    rating = Rating.objects.filter(ticket=ticket).first()
    if rating is not None:
        return "rated", rating
    if ticket.status not in ratings_services.RATABLE_TICKET_STATUSES or not ticket.lead_org_id:
        return "waiting", None
    invitation = RatingInvitation.objects.filter(
        ticket=ticket, kind=RatingInvitation.Kind.SERVICE).first()
    now = timezone.now()
    if invitation is not None:
        expired = invitation.used_at is not None or invitation.expires_at <= now
    else:
        days = ratings_services.platform("RATINGS_LINK_DAYS")
        expired = ratings_services.ticket_served_at(ticket) + timedelta(days=days) <= now
    return ("expired", None) if expired else ("open", None)


def rate_request(ticket, user, *, level, reason="", comment="", client=None):
    """A logged-in enterprise rates its own finished request (一事一评) through the rating
    rules every channel uses: the ticket's one invitation (the one the rating SMS carries, or
    issued now) is consumed by ``ratings.services.submit_rating`` on the 企业门户 channel, so a
    ticket is rated once whichever way the enterprise answers. Raises RatingError."""
    from enterprises.access import enterprise_for
    from ratings import services as ratings_services
    from ratings.models import Channel, RatingInvitation

    if not requests_for(enterprise_for(user)).filter(pk=ticket.pk).exists():
        raise ratings_services.RatingError(_("只能评价本企业通过企业门户提交的诉求。"))
    state, _rating = rating_state(ticket)
    if state == "rated":
        raise ratings_services.RatingError(_("该诉求已评价，评价提交后不能修改。"))
    if state == "waiting":
        raise ratings_services.RatingError(_("诉求办理完毕、答复经审核后才能评价。"))
    if state == "expired":
        raise ratings_services.RatingError(_("已超过评价期限。超过期限未评价的按“基本满意”计。"))
    invitation = RatingInvitation.objects.filter(
        ticket=ticket, kind=RatingInvitation.Kind.SERVICE).first()
    if invitation is None:
        ratings_services.invite(phone=ticket.caller_phone, ticket=ticket,
                                served_at=ratings_services.ticket_served_at(ticket))
        invitation = RatingInvitation.objects.get(ticket=ticket,
                                                  kind=RatingInvitation.Kind.SERVICE)
    return ratings_services.submit_rating(invitation, level=level, reason=reason,
                                          comment=comment, channel=Channel.PORTAL,
                                          client=client, user=user)


# --- 线下帮办 --------------------------------------------------------------------------------------


class AssistanceError(Exception):
    """A refused 线下帮办 action; ``str(error)`` is the Chinese message for the user."""


def is_enterprise_request(ticket):
    from hotline.models import Channel

    return ticket.channel == Channel.ENTERPRISE or bool(ticket.enterprise_credit_code)


def can_assign(user, ticket):
    """Dispatchers and supervisors for every ticket; the lead department's handlers for their
    own (the same roles the ticket's workflow gives them)."""
    from hotline.workflows import user_roles

    return bool(user_roles(user, ticket))


def can_record(user, assistance):
    """Who may record visits and follow-ups: whoever may assign, and the named helper."""
    return (user.is_authenticated and user.is_active and assistance.helper_id == user.pk) or \
        can_assign(user, assistance.ticket)


def visible_assistances(user, queryset=None):
    """City-wide roles see every 线下帮办; others those of tickets their organisation leads,
    and the ones they are the helper of."""
    qs = Assistance.objects.all() if queryset is None else queryset
    scope = organisation_scope(user)
    if scope is None:
        return qs
    return qs.filter(Q(ticket__lead_org__in=scope) | Q(helper=user))


def helper_choices(user):
    """Who may be named helper: active staff of the organisations the user may see."""
    staff_groups = [role.name for role in roles.ROLES if role.staff]
    qs = User.objects.filter(is_active=True, organisation__isnull=False,
                             groups__name__in=staff_groups).distinct()
    scope = organisation_scope(user)
    if scope is not None:
        qs = qs.filter(organisation__in=scope)
    return qs.select_related("organisation").order_by("organisation__name", "last_name",
                                                       "first_name", "username")


def _check_follow_up(follow_up_on, today):
    if follow_up_on is not None and follow_up_on < today:
        raise AssistanceError(_("下次跟进日期不能早于今天。"))


def assign_helper(ticket, helper, user, follow_up_on=None, now=None):
    """Name (or change) the helper of an enterprise request. Returns the Assistance."""
    from hotline.models import Status, Ticket

    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_enterprise_request(ticket):
        raise AssistanceError(_("只有企业诉求可以安排线下帮办。"))
    if not can_assign(user, ticket):
        raise AssistanceError(_("您没有权限为工单 %(number)s 安排线下帮办。") % {
            "number": ticket.number})
    if helper is None or not helper_choices(user).filter(pk=helper.pk).exists():
        raise AssistanceError(_("请选择有效的帮办人。"))
    _check_follow_up(follow_up_on, today)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Status.MERGED:
            raise AssistanceError(_("工单 %(number)s 已并单，请在主工单上安排帮办。") % {
                "number": locked.number})
        assistance = Assistance.objects.filter(ticket=locked).first()
        if assistance is None:
            assistance = Assistance.objects.create(ticket=locked, helper=helper, created_by=user,
                                                   follow_up_on=follow_up_on)
        else:
            if assistance.status == Assistance.Status.CLOSED:
                raise AssistanceError(_("该线下帮办已完成，不能再更换帮办人。"))
            assistance.helper = helper
            if follow_up_on is not None:
                assistance.follow_up_on = follow_up_on
            assistance.save(update_fields=["helper", "follow_up_on"])
        messaging.send("inbox", _("您被指派为企业诉求 %(number)s（%(name)s）的线下帮办人%(due)s。") % {
            "number": locked.number, "name": locked.enterprise_name,
            "due": (_("，请于 %(day)s 前跟进") % {"day": follow_up_on}) if follow_up_on else ""},
            user=helper, subject=_("线下帮办"), link=assistance_url(locked),
            kind="enterprises.assistance")
    return assistance


def record_visit(assistance, user, *, visited_on, people, outcome, follow_up_on=None,
                 now=None):
    """Record one visit; optionally set the next follow-up date. Returns the visit."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people, outcome = (people or "").strip(), (outcome or "").strip()
    if not can_record(user, assistance):
        raise AssistanceError(_("您没有权限记录该线下帮办。"))
    if visited_on is None:
        raise AssistanceError(_("请填写走访日期。"))
    if visited_on > today:
        raise AssistanceError(_("走访日期不能晚于今天。"))
    if not people:
        raise AssistanceError(_("请填写参与人员。"))
    if len(people) > 200:
        raise AssistanceError(_("参与人员不能超过 200 字。"))
    if len(outcome) < 5:
        raise AssistanceError(_("请写清走访结果，至少 5 个字。"))
    _check_follow_up(follow_up_on, today)
    with transaction.atomic():
        locked = Assistance.objects.select_for_update().get(pk=assistance.pk)
        if locked.status != Assistance.Status.OPEN:
            raise AssistanceError(_("该线下帮办已完成，不能再记录走访。"))
        visit = AssistanceVisit.objects.create(assistance=locked, visited_on=visited_on,
                                               people=people, outcome=outcome, recorded_by=user)
        if follow_up_on is not None:
            locked.follow_up_on = follow_up_on
            locked.save(update_fields=["follow_up_on"])
    assistance.follow_up_on = locked.follow_up_on
    return visit


def set_follow_up(assistance, user, follow_up_on, now=None):
    today = timezone.localdate(now or timezone.now())
    if not can_record(user, assistance):
        raise AssistanceError(_("您没有权限修改该线下帮办。"))
    _check_follow_up(follow_up_on, today)
    changed = Assistance.objects.filter(pk=assistance.pk, status=Assistance.Status.OPEN).update(
        follow_up_on=follow_up_on)
    if not changed:
        raise AssistanceError(_("该线下帮办已完成，不能再修改跟进日期。"))
    assistance.follow_up_on = follow_up_on
    return assistance


def close_assistance(assistance, user):
    if not can_record(user, assistance):
        raise AssistanceError(_("您没有权限办结该线下帮办。"))
    if not assistance.visits.exists():
        raise AssistanceError(_("请先记录至少一次走访，再办结线下帮办。"))
    changed = Assistance.objects.filter(pk=assistance.pk, status=Assistance.Status.OPEN).update(
        status=Assistance.Status.CLOSED, follow_up_on=None)
    if not changed:
        raise AssistanceError(_("该线下帮办已经完成。"))
    assistance.refresh_from_db()
    return assistance


def assistance_url(ticket):
    return reverse("enterprises_assistance_detail", args=[ticket.pk])


def follow_ups_due(today):
    """Open 线下帮办 whose follow-up date is today or already past."""
    return Assistance.objects.filter(status=Assistance.Status.OPEN, follow_up_on__lte=today)


def remind_follow_ups(now=None):
    """Tell each helper, in-app, about follow-ups due today (and overdue ones), at most once a
    day per 线下帮办: the conditional update lets only one run of the task claim it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for assistance in follow_ups_due(today).select_related("ticket", "helper"):
        with transaction.atomic():
            claimed = Assistance.objects.filter(pk=assistance.pk).filter(
                Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).update(
                reminded_on=today)
            if not claimed:
                continue
            ticket = assistance.ticket
            if assistance.follow_up_on == today:
                body = _("企业诉求 %(number)s（%(name)s）今天需要跟进。")
            else:
                body = _("企业诉求 %(number)s（%(name)s）的跟进已逾期（应于 %(day)s 跟进），请尽快跟进。")
            messaging.send("inbox", body % {"number": ticket.number, "name": ticket.enterprise_name,
                                            "day": assistance.follow_up_on},
                           user=assistance.helper, subject=_("线下帮办跟进提醒"),
                           link=assistance_url(ticket), kind="enterprises.follow_up")
            sent += 1
    return sent


def staff_contact(name, phone, *, paying_department):
    """An enterprise's contact person and phone as a staff list or export shows them: the one
    rule for every such list. The department that pays the enterprises of its 免申即享 policy
    must reach them to pay, so that policy's eligible list and its export show both in full
    (``paying_department=True``); every other list and export (the push campaign lists, the
    enterprise register) masks them."""
    if paying_department:
        return name, phone
    return mask_name(name), mask_phone(phone)
