"""Hotline rules that are not transitions: intake, numbering, the dispatch catalogue, time
limits, repeat candidates and escalation to 会办. Every route (admin, public form, bench) calls
these functions; status changes go through ``hotline.workflows.perform``."""

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Max, Q
from django.db.models.functions import Cast, Substr
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging, roles
from core.models import Division, User
from hotline import calendar
from hotline.models import (
    Category,
    Channel,
    DispatchRule,
    JointHandling,
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketSequence,
    TimeLimit,
    Urgency,
)

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
DEFAULT_LIMITS = {  # used only when the time-limit table has no row at all
    Urgency.URGENT: (1, 0, 1),
    Urgency.PRIORITY: (2, 3, 1),
    Urgency.NORMAL: (4, 15, 1),
}


def platform(name):
    return settings.PLATFORM[name]


def normalise_phone(phone):
    phone = re.sub(r"[\s()（）]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def validate_phone(phone):
    if not PHONE_RE.match(phone or ""):
        raise ValidationError(_("请填写正确的手机号码或带区号的固定电话。"))
    return phone


# --- Numbers -----------------------------------------------------------------------------------


def next_number(moment):
    """``12345-YYYYMMDD-NNNNNN``: the day's next number, safe when many intakes run at once.

    One rule on every database: a day counts on from the numbers it already has (its
    ``TicketSequence`` counter, or numbers on tickets), and a number some ticket already
    carries (an import, demo data) is skipped. On PostgreSQL the database function
    ``hotline_next_ticket_number`` (migration 0005) applies it with the day's own sequence: no
    lock, one round-trip, and ``_insert_with_event`` calls it inside the INSERT itself.
    Elsewhere ``TicketSequence`` counts, inside the intake's transaction."""
    day = timezone.localtime(moment).date()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT hotline_next_ticket_number(%s)", [day])
            return cursor.fetchone()[0]
    prefix = f"12345-{day:%Y%m%d}-"
    counter = TicketSequence.objects.filter(day=day)
    with transaction.atomic():
        if not counter.update(last=F("last") + 1):
            on_tickets = Ticket.objects.filter(number__startswith=prefix).aggregate(
                n=Max(Cast(Substr("number", len(prefix) + 1), BigIntegerField())))["n"]
            TicketSequence.objects.create(day=day, last=(on_tickets or 0) + 1)
        while True:
            number = f"{prefix}{counter.values_list('last', flat=True).get():06d}"
            if not Ticket.objects.filter(number=number).exists():
                return number
            counter.update(last=F("last") + 1)


def _insert_with_event(ticket, event):
    """Write a new ticket (numbered here) and the first line of its timeline.

    On PostgreSQL one statement takes the number and inserts both rows: one round-trip and no
    lock held. Column values come from the model instances, exactly as ``save()`` prepares
    them, and ``pre_save``/``post_save`` are sent for both as ``save()`` would."""
    if connection.vendor != "postgresql":
        ticket.number = next_number(ticket.received_at)
        ticket.save(force_insert=True)
        event.ticket = ticket
        event.save(force_insert=True)
        return ticket
    for obj in (ticket, event):
        pre_save.send(type(obj), instance=obj, raw=False, using=connection.alias,
                      update_fields=None)
    day = timezone.localtime(ticket.received_at).date()
    ticket_columns, ticket_values = _insert_row(ticket, skip=("id", "number"))
    event_columns, event_values = _insert_row(event, skip=("id", "ticket_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH t AS (INSERT INTO hotline_ticket (number, {ticket_columns}) "
            f"VALUES (hotline_next_ticket_number(%s), "
            f"{', '.join(['%s'] * len(ticket_values))}) "
            f"RETURNING id, number), "
            f"e AS (INSERT INTO hotline_ticketevent (ticket_id, {event_columns}) "
            f"VALUES ((SELECT id FROM t), {', '.join(['%s'] * len(event_values))}) "
            f"RETURNING id) "
            f"SELECT t.id, t.number, e.id FROM t, e",
            [day, *ticket_values, *event_values])
        ticket.pk, ticket.number, event.pk = cursor.fetchone()
    event.ticket = ticket
    for obj in (ticket, event):
        obj._state.adding, obj._state.db = False, connection.alias
        post_save.send(type(obj), instance=obj, created=True, raw=False,
                       using=connection.alias, update_fields=None)
    return ticket


def _insert_row(obj, skip):
    """(quoted column list, values) of a new row for ``obj``, prepared like ``save()``."""
    fields = [f for f in obj._meta.concrete_fields if f.attname not in skip]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return columns, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


# --- Dispatch catalogue and time limits ----------------------------------------------------------


_CACHE = {}  # name → (time.monotonic() when built, data)
CATALOGUE_SECONDS = 60


def clear_catalogue_cache(**kwargs):
    _CACHE.clear()


def _cached(name, build):
    """Reference data kept in memory for a minute (it changes rarely; an edit in this process
    clears the copies at once, see ``connect_signals``)."""
    now = time.monotonic()
    entry = _CACHE.get(name)
    if entry is None or now - entry[0] > CATALOGUE_SECONDS:
        entry = _CACHE[name] = (now, build())
    return entry[1]


def cached_choices(name, queryset):
    """``{pk: object}`` of a form field's choices (``queryset``), kept like the catalogue, so
    validating a submitted choice needs no query."""
    return _cached(f"choices:{name}", lambda: {obj.pk: obj for obj in queryset})


def _catalogue():
    """The category tree and the active catalogue lines."""

    def build():
        parents = dict(Category.objects.values_list("pk", "parent_id"))
        rules = {}
        for category_id, code, level, lead_id in DispatchRule.objects.filter(
                is_active=True).values_list("category_id", "division__code", "division__level",
                                            "lead_id"):
            prefix = code[:Division.PREFIX_LENGTH[level]] if code else ""
            rules.setdefault(category_id, []).append((prefix, lead_id))
        return parents, rules

    return _cached("catalogue", build)


def suggested_lead_id(category, division):
    """The catalogue's 主办 for intake: the same rule as ``suggest_dispatch`` (deepest
    category, then deepest division), answered from memory."""
    parents, rules = _catalogue()
    code = division.code if division else ""
    node, seen = category.pk, set()
    while node is not None and node not in seen:
        seen.add(node)
        matches = [(len(prefix), lead) for prefix, lead in rules.get(node, [])
                   if code.startswith(prefix)]
        if matches:
            return max(matches)[1]
        node = parents.get(node)
    return None


def connect_signals():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete):
        for model in (DispatchRule, Category, Division):
            signal.connect(clear_catalogue_cache, sender=model,
                           dispatch_uid=f"hotline_catalogue_{model.__name__}_{signal is post_save}")
    m2m_changed.connect(clear_catalogue_cache, sender=DispatchRule.assisting.through,
                        dispatch_uid="hotline_catalogue_m2m")


def suggest_dispatch(category, division):
    """The catalogue's 主办 and 协办 for a category and division, or (None, [])."""
    chain = category.ancestors()
    rules = list(DispatchRule.objects.filter(category__in=chain, is_active=True)
                 .select_related("lead", "division").prefetch_related("assisting"))
    code = division.code if division else ""
    best, best_key = None, None
    for rule in rules:
        if rule.division is not None and not code.startswith(rule.division.prefix):
            continue
        key = (chain.index(next(c for c in chain if c.pk == rule.category_id)),
               -(len(rule.division.prefix) if rule.division else 0))
        if best_key is None or key < best_key:
            best, best_key = rule, key
    if best is None:
        return None, []
    return best.lead, list(best.assisting.all())


def time_limit_for(category, urgency):
    """(签收 working hours, 办理 working days, 回访 working days) for a category and urgency."""
    chain = category.ancestors() if category else []
    rows = {(row.category_id, row.urgency): row for row in TimeLimit.objects.filter(
        Q(category__in=chain) | Q(category__isnull=True), urgency=urgency)}
    for node in [*chain, None]:
        row = rows.get((node.pk if node else None, urgency))
        if row:
            return row.sign_hours, row.handle_days, row.callback_days
    return DEFAULT_LIMITS[Urgency(urgency)]


# --- Intake ------------------------------------------------------------------------------------


@dataclass
class Caller:
    name: str
    phone: str


MIN_CONTENT = 10


def validate_content(content):
    """The request text, stripped; too short to act on → ValidationError (every intake form
    and ``intake`` itself check it here)."""
    content = (content or "").strip()
    if len(content) < MIN_CONTENT:
        raise ValidationError(_("请把诉求内容写清楚，至少 %(n)d 个字。") % {"n": MIN_CONTENT})
    return content


def intake(*, channel, caller_name, caller_phone, category, division, content, address="",
           urgency=Urgency.NORMAL, user=None, policy=None, enterprise_credit_code="",
           enterprise_name="", attachments=(), received_at=None, answer="", notify=True,
           filed_by_enterprise=None):
    """Register a new request. Returns the ticket (status 待派单, or 已办结 when ``answer``
    is given: 直接办结 at intake, which needs the dispatcher role).

    ``filed_by_enterprise`` is the enterprise filing its own request through the portal
    (``enterprises.services.file_request``); ``enterprise_credit_code``/``enterprise_name`` only
    record which enterprise the request is about and give it no access.

    Raises ValidationError with a Chinese message for bad input; nothing is written then.
    """
    caller_phone = normalise_phone(caller_phone)
    errors = {}
    if not (caller_name or "").strip():
        errors["caller_name"] = _("请填写诉求人姓名。")
    try:
        validate_phone(caller_phone)
    except ValidationError as exc:
        errors["caller_phone"] = exc.messages[0]
    try:
        validate_content(content)
    except ValidationError as exc:
        errors["content"] = exc.messages[0]
    if category is None or not category.is_active:
        errors["category"] = _("请选择有效的诉求分类。")
    if division is None:
        errors["division"] = _("请选择诉求所在区划。")
    if channel not in Channel.values:
        errors["channel"] = _("受理渠道无效。")
    if errors:
        raise ValidationError(errors)
    now = received_at or timezone.now()
    staff = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        ticket = _insert_with_event(Ticket(
            channel=channel, urgency=urgency, category=category, division=division,
            address=(address or "").strip(), caller_name=caller_name.strip(),
            caller_phone=caller_phone, content=content.strip(), policy=policy,
            enterprise_credit_code=enterprise_credit_code, enterprise_name=enterprise_name,
            filed_by_enterprise=filed_by_enterprise,
            suggested_lead_id=suggested_lead_id(category, division), created_by=staff,
            received_at=now,
        ), TicketEvent(
            action="intake", label=_("受理"), to_status=Status.PENDING_DISPATCH, actor=staff,
            actor_name=actor_name(user), organisation_id=getattr(staff, "organisation_id", None),
            note=_("通过%(channel)s受理。") % {"channel": Channel(channel).label},
            created_at=now,
        ))
        for upload in attachments:
            TicketAttachment.objects.create(ticket=ticket, file=upload, name=upload.name[:200])
        if policy is not None:
            concern = policy_concern(ticket, policy, staff, now)
            TicketEvent.objects.create(
                ticket=ticket, action="link_policy", label=_("关联政策"),
                from_status=ticket.status, to_status=ticket.status, actor=staff,
                actor_name=actor_name(user), organisation_id=getattr(staff, "organisation_id", None),
                note=policy_concern_note(concern), public=False, created_at=now)
        if notify:
            messaging.send(
                "sms", _("【12345】您的诉求已受理，编号 %(number)s。可凭编号和手机号在网站查询办理进度。")
                % {"number": ticket.number},
                recipient=caller_phone, kind="hotline.receipt")
        if answer:
            from hotline.workflows import perform

            ticket = perform(ticket, "close_at_intake", user, reply=answer)
    return ticket


def policy_concern(ticket, policy, user, now=None):
    """Enter ``ticket`` in the concerns log of ``policy`` (``interpretations.services.
    register_ticket_concern``, once per ticket and policy); a policy that is not live →
    ValidationError on the field ``policy``."""
    from interpretations.services import register_ticket_concern

    try:
        return register_ticket_concern(ticket, policy, user=user, at=now)
    except ValidationError as exc:
        raise ValidationError({"policy": exc.messages}) from exc


def policy_concern_note(concern):
    """The timeline's line for a ticket entered in a policy's concerns log."""
    policy = concern.policy
    return _("涉及政策《%(title)s》%(number)s，已登记为该政策的关切，回应时限 %(due)s。") % {
        "title": policy.title, "number": f"（{policy.doc_number}）" if policy.doc_number else "",
        "due": timezone.localtime(concern.due_at).strftime("%Y-%m-%d %H:%M")}


def actor_name(user):
    if user is None or not user.is_authenticated:
        return _("诉求人")
    return user.display_name


# --- Repeat requests ---------------------------------------------------------------------------


def bigrams(text):
    text = re.sub(r"[\W_]+", "", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def text_similarity(a, b):
    """Character-bigram Jaccard similarity (0…1): the SQLite stand-in for pg_trgm."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


@dataclass
class Candidate:
    ticket: Ticket
    similarity: float
    reasons: list


def repeat_candidates(*, phone, address, category_id, content, at=None, exclude_pk=None,
                      limit=10):
    """Earlier requests from the same phone, or at the same address in the same category,
    within ``HOTLINE_REPEAT_WINDOW_DAYS``; most similar text first. Merged tickets are left
    out (their open ticket stands for them)."""
    at = at or timezone.now()
    since = at - timedelta(days=platform("HOTLINE_REPEAT_WINDOW_DAYS"))
    match = Q(caller_phone=phone)
    if address:
        match |= Q(address=address, category_id=category_id)
    qs = (Ticket.objects.filter(match, received_at__gte=since, received_at__lte=at)
          .exclude(status=Status.MERGED).select_related("category", "lead_org"))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        rows = list(qs.annotate(similarity=TrigramSimilarity("content", content))
                    .order_by("-similarity", "-received_at")[:limit])
        scored = [(row, float(row.similarity)) for row in rows]
    else:
        rows = list(qs.order_by("-received_at")[:500])
        scored = sorted(((row, text_similarity(content, row.content)) for row in rows),
                        key=lambda pair: (-pair[1], -pair[0].received_at.timestamp()))[:limit]
    result = []
    for row, score in scored:
        reasons = []
        if row.caller_phone == phone:
            reasons.append(_("同一来电号码"))
        if address and row.address == address and row.category_id == category_id:
            reasons.append(_("同一地址同一分类"))
        result.append(Candidate(row, round(score, 3), reasons))
    return result


def candidates_for(ticket, limit=10):
    return repeat_candidates(phone=ticket.caller_phone, address=ticket.address,
                             category_id=ticket.category_id, content=ticket.content,
                             at=ticket.received_at, exclude_pk=ticket.pk, limit=limit)


def matter_size(root):
    """How many requests a matter has: its first ticket plus every repeat linked or merged."""
    return 1 + Ticket.objects.filter(repeat_root=root).count()


def escalate_if_needed(root, user, now):
    """At ``HOTLINE_REPEAT_THRESHOLD`` requests, open 会办 for the matter (once). The caller
    holds the lock on ``root``."""
    size = matter_size(root)
    if size < platform("HOTLINE_REPEAT_THRESHOLD") or JointHandling.objects.filter(
            matter=root).exists():
        return None
    members = Ticket.objects.filter(Q(pk=root.pk) | Q(repeat_root=root))
    orgs = {t.lead_org for t in members.select_related("lead_org") if t.lead_org}
    orgs.update(a.organisation for a in root.assignments.filter(active=True)
                .select_related("organisation"))
    lead = root.lead_org or next(iter(orgs), None)
    responsible = (lead.principal if lead and lead.principal else actor_name(user))
    joint = JointHandling.objects.create(
        matter=root, responsible_name=responsible, repeat_count=size, created_at=now,
        deadline=calendar.add_working_days(now, platform("HOTLINE_JOINT_DAYS")),
    )
    joint.organisations.set(orgs)
    TicketEvent.objects.create(
        ticket=root, action="escalate", label=_("启动会办"), from_status=root.status,
        to_status=root.status, actor=user, actor_name=actor_name(user), note=_(
            "同一事项已累计 %(n)d 件诉求，启动会办，责任人：%(who)s，期限：%(due)s。") % {
            "n": size, "who": responsible,
            "due": timezone.localtime(joint.deadline).strftime("%Y-%m-%d")},
        created_at=now)
    for person in User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True):
        messaging.send("inbox", _("工单 %(number)s 所属事项重复诉求达到 %(n)d 件，已启动会办。")
                       % {"number": root.number, "n": size}, user=person,
                       subject=_("启动会办"), kind="hotline.joint")
    return joint


# --- Notices to departments ---------------------------------------------------------------------


def notice_date(moment, with_time=False):
    """A deadline as notices write it: "12月18日" ("2027年1月8日" in another year; with the
    time when ``with_time``), marked 待核定 when its year's holidays are not entered yet."""
    if moment is None:
        return _("未定")
    if isinstance(moment, datetime):
        local = timezone.localtime(moment)
        day = local.date()
    else:
        local, day = None, moment
    text = _("%(month)d月%(day)d日") % {"month": day.month, "day": day.day}
    if day.year != timezone.localdate().year:
        text = _("%(year)d年") % {"year": day.year} + text
    if with_time and local is not None:
        text += local.strftime(" %H:%M")
    if calendar.is_provisional(day):
        text += _("（待核定）")
    return text


def notify_department(ticket, body, *, subject, kind, organisation_id=None):
    """A work notice about ``ticket`` to the handlers of its lead department (or of
    ``organisation_id``) in the platform's inbox. Every dispatch, reassignment, return,
    extension and reopen notice goes through here and names the ticket and its deadline."""
    from django.urls import reverse

    organisation_id = organisation_id or ticket.lead_org_id
    if organisation_id is None:
        return
    link = reverse("hotline_ticket_detail", args=[ticket.pk])
    for person in User.objects.filter(organisation_id=organisation_id,
                                      groups__name=roles.HANDLER, is_active=True):
        messaging.send("inbox", body, user=person, subject=subject, link=link, kind=kind)


# --- Who sees which tickets --------------------------------------------------------------------


def visible_tickets(user, queryset=None):
    """Tickets ``user`` may see in the workbench: city-wide roles see all; a department sees the
    tickets it leads or assists on (its own organisation and those below it)."""
    from django.db.models import Exists, OuterRef

    from core.permissions import organisation_scope
    from hotline.models import TicketAssignment

    qs = Ticket.objects.all() if queryset is None else queryset
    scope = organisation_scope(user)
    if scope is None:
        return qs
    assisting = TicketAssignment.objects.filter(ticket=OuterRef("pk"), organisation__in=scope,
                                                active=True)
    return qs.filter(Q(lead_org__in=scope) | Exists(assisting))
