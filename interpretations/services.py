"""Search, the library's filters, concerns and 惠企政策配套材料 of the policy section.

The rules of publishing (readiness, sign-off and every publishing route) are in
``interpretations.publishing``.
"""

import logging
import re

import jieba
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.params import id_field, parameter, year_field

_WORD = re.compile(r"\w", re.UNICODE)
# jieba announces loading its dictionary on stderr ("Building prefix dict…"); say only problems.
jieba.setLogLevel(logging.WARNING)


# --- Chinese search ----------------------------------------------------------------------------


def segment(text, for_search=True):
    """Space-joined jieba words, so the database backends index Chinese words separately."""
    cut = jieba.cut_for_search if for_search else jieba.cut
    return " ".join(w for w in cut(text or "") if _WORD.search(w))


def search_policies(query, queryset):
    """Policies of ``queryset`` whose public text holds every word of a Chinese (or mixed)
    query: those with every word in the title first, then those matched in the text, each
    group newest first.

    The query is cut into jieba's words; when no policy holds them all, into its finer search
    words (the text is indexed cut that way), so a longer word still finds its parts.
    """
    words = segment(query, for_search=False).split()
    if not words:
        return queryset.none()
    matches = queryset.filter(pk__in=_policies_holding(words))
    finer = segment(query).split()
    if finer != words and not matches.exists():
        words, matches = finer, queryset.filter(pk__in=_policies_holding(finer))
    in_title = Case(When(Q(*[Q(title__icontains=w) for w in words]), then=1), default=0,
                    output_field=IntegerField())
    return matches.alias(in_title=in_title).order_by("-in_title", "-published_on", "-pk")


def _policies_holding(words):
    """Ids of the policies whose indexed public text (``PolicyPage.search_text``, which holds
    the title too) contains every word.

    On PostgreSQL this is a subquery on the search index's ``body`` column and its GIN index:
    Wagtail's own query matches ``title || body``, which no index covers, so it would read and
    concatenate every entry of the index on every search. Elsewhere (SQLite's FTS5, the
    embedded default) Wagtail's search is used as it is.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backend

    from interpretations.models import PolicyPage

    backend = get_search_backend()
    if connection.vendor == "postgresql":
        from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
        from wagtail.search.models import IndexEntry

        if isinstance(backend, PostgresSearchBackend):
            return IndexEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(PolicyPage),
                body=IndexedSearchQuery(" ".join(words), search_type="plain",
                                        config=backend.config),
            ).values(page_id=Cast("object_id", IntegerField()))
    return [p.pk for p in PolicyPage.objects.live().only("page_ptr").search(
        " ".join(words), operator="and", order_by_relevance=False)]


class IndexedSearchQuery(SearchQuery):
    """``(SELECT plainto_tsquery(config, words))``: the words parsed as ``to_tsvector`` parsed
    the indexed text, behind a scalar subquery so that the planner always reads the GIN index.
    Seeing the value, it scans the whole table for a word found in most policies, and that
    decompresses every entry's text vector: 35 ms against 7 ms at 10,000 policies."""

    template = "(SELECT %(function)s(%(expressions)s))"


def filter_policies(queryset, params):
    """Apply the library's filters (topic, organ, year, validity) from GET parameters; a bad
    organ or year answers 400 (``core.params``)."""
    from interpretations.models import PolicyPageTag, Validity

    filters = {}
    topic = params.get("topic", "").strip()
    if topic:
        queryset = queryset.filter(pk__in=PolicyPageTag.objects.filter(
            tag__name=topic).values("content_object_id"))
        filters["topic"] = topic
    organ = parameter(params, "organ", id_field())
    if organ:
        queryset = queryset.filter(issuing_organ_id=organ)
        filters["organ"] = organ
    year = parameter(params, "year", year_field())
    if year:
        queryset = queryset.filter(published_on__year=year)
        filters["year"] = year
    validity = params.get("validity", "")
    if validity in Validity.values:
        queryset = queryset.filter(validity=validity)
        filters["validity"] = validity
    return queryset, filters


def concern_response_hours():
    return settings.PLATFORM["CONCERN_RESPONSE_HOURS"]


# --- 惠企政策配套材料: a new enterprise policy's 工作手册 and 申报指南 ---------------------------
# Provincial practice (domain rules §4): a new enterprise-support policy's work manual and
# application guide within N working days (PLATFORM["SUPPORT_MATERIALS_WORKING_DAYS"]).
# ``support_materials`` is the one rule: the editor's panel, the admin list 惠企政策配套材料 and
# the daily reminders all call it.

SUPPORT_DUE_SOON_WORKING_DAYS = 2  # the reminder before the deadline


def support_materials_working_days():
    return settings.PLATFORM["SUPPORT_MATERIALS_WORKING_DAYS"]


def is_enterprise_policy(policy):
    """涉企: marked 涉企政策, or naming an enterprise audience (精准推送)."""
    from enterprises.criteria import has_criteria

    return bool(policy.concerns_enterprises or has_criteria(policy))


def support_materials(policy, now=None):
    """Whether the rule applies to this version of ``policy``, when its materials are due, what
    is missing and whether that is overdue (a ``SupportMaterials``).

    It applies to a live, current (现行有效) enterprise policy. Due: the close of the N-th working
    day after its first go-live (``hotline.calendar``: official holidays and make-up working
    days). Needed: a 申报指南 (a public attachment of that kind; none for 免申即享, where no one
    applies) and the internal 工作手册. Both are part of the page revision, so for a page row
    (the published version) only what was signed off and published counts; ``revision.as_object()``
    gives a draft's view.
    """
    from hotline.calendar import add_working_days
    from interpretations.models import PolicyAttachment, Validity
    from interpretations.models.support import SupportMaterials

    if not (policy.live and policy.first_published_at and policy.validity == Validity.CURRENT
            and is_enterprise_policy(policy)):
        return SupportMaterials(applies=False)
    missing = []
    if not policy.exempt_application and not any(
            a.kind == PolicyAttachment.Kind.GUIDE for a in policy.attachments.all()):
        missing.append(_("申报指南"))
    if not policy.work_manual_id:
        missing.append(_("工作手册"))
    due_at = add_working_days(policy.first_published_at, support_materials_working_days())
    overdue = bool(missing) and (now or timezone.now()) > due_at
    return SupportMaterials(applies=True, due_at=due_at, missing=tuple(missing), overdue=overdue)


def support_materials_rows(policies, now=None):
    """``(policy, SupportMaterials)`` for each published policy of ``policies`` the rule applies
    to, read in a handful of queries."""
    from interpretations.models import Validity

    policies = (policies.live().filter(validity=Validity.CURRENT, first_published_at__isnull=False)
                .select_related("drafting_department")
                .prefetch_related("attachments", "audience_divisions", "audience_qualifications",
                                  "audience_exclude_divisions", "audience_exclude_qualifications"))
    rows = []
    for policy in policies:
        state = support_materials(policy, now)
        if state.applies:
            rows.append((policy, state))
    return rows


def support_materials_notice(page):
    """What the policy editor tells about ``page`` (the version being edited), or None.

    For a published enterprise policy: the rule on the published version, and what the edited
    version adds (it counts once signed off and published). For an enterprise policy not yet
    published: that the materials will be due.
    """
    from interpretations.models import PolicyPage

    if page.pk is None:
        return None
    days = support_materials_working_days()
    published = PolicyPage.objects.filter(pk=page.pk).first()
    state = support_materials(published) if published is not None else None
    if state is not None and state.applies:
        draft = support_materials(page)
        added = [m for m in state.missing if draft.applies and m not in draft.missing]
        return {"state": state, "added": "、".join(str(m) for m in added), "days": days}
    if not page.live and is_enterprise_policy(page):
        return {"state": None, "days": days, "exempt": page.exempt_application}
    return None


def remind_support_materials(now=None):
    """Remind the drafting department's editors and approvers of missing materials: once when
    they are due within ``SUPPORT_DUE_SOON_WORKING_DAYS`` working days, once when overdue.

    Each reminder is claimed by inserting its ``SupportMaterialsReminder`` row (unique per policy
    and kind) in the transaction that queues the messages, so a second run, or two runs at
    once, never remind twice. Returns how many reminders were sent.
    """
    from django.urls import reverse

    from core import messaging
    from hotline.calendar import working_days_between
    from interpretations.models import PolicyPage, SupportMaterialsReminder
    from interpretations.permissions import department_staff

    Kind = SupportMaterialsReminder.Kind
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for policy, state in support_materials_rows(PolicyPage.objects.all(), now):
        if not state.missing:
            continue
        due_day = timezone.localdate(state.due_at)
        if state.overdue:
            kind = Kind.OVERDUE
            body = _("惠企政策《%(title)s》的%(missing)s已超过期限（%(due)s）仍未发布，"
                     "请尽快补充并随文件审签发布。")
        elif working_days_between(today, due_day) <= SUPPORT_DUE_SOON_WORKING_DAYS:
            kind = Kind.DUE_SOON
            body = _("惠企政策《%(title)s》的%(missing)s尚未发布，须于 %(due)s 前随文件审签发布"
                     "（首次发布后%(days)d个工作日内）。")
        else:
            continue
        body = body % {"title": policy.title, "missing": state.missing_text,
                       "due": f"{due_day:%Y-%m-%d}", "days": support_materials_working_days()}
        with transaction.atomic():
            _row, created = SupportMaterialsReminder.objects.get_or_create(
                policy=policy, kind=kind, defaults={"due_at": state.due_at})
            if not created:
                continue
            messaging.notify_staff(
                department_staff(policy), body,
                subject=_("惠企政策配套材料%(kind)s") % {"kind": Kind(kind).label},
                link=reverse("wagtailadmin_pages:edit", args=[policy.pk]),
                kind=f"interpretations.support_{kind}")
        sent += 1
    return sent


# --- 12345 tickets in a policy's concerns log ------------------------------------------------------


def register_ticket_concern(ticket, policy, user=None, at=None):
    """Enter a 12345 ticket about ``policy`` into that policy's concerns log (source 12345热线,
    the ticket's number and request text); the response clock (``CONCERN_RESPONSE_HOURS``)
    starts at ``at``, by default now: when the ticket is linked. Returns the concern.

    Once per ticket and policy: a repeated call, or two at once, find the same concern (the
    unique constraint ``concern_once_per_ticket_and_policy`` decides a race). Linking the ticket
    to another policy later enters it in that policy's log too; the first entry stays.
    Raises ValidationError when ``policy`` (a page or its id) is not a live policy document.
    The hotline calls this (``hotline.services.intake`` and its 关联政策 action)."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from interpretations.models import Concern, PolicyPage

    page = PolicyPage.objects.live().filter(pk=getattr(policy, "pk", policy)).first()
    if page is None:
        raise ValidationError(_("所选政策不存在或已下线，请重新选择。"))
    staff = user if user is not None and user.is_authenticated else None
    lookup = {"policy": page, "hotline_ticket": ticket.number}
    try:
        with transaction.atomic():
            concern, _created = Concern.objects.get_or_create(**lookup, defaults={
                "source": Concern.Source.HOTLINE, "kind": Concern.Kind.CONCERN,
                "content": ticket.content, "registered_at": at or timezone.now(),
                "registered_by": staff})
    except IntegrityError:  # registered by a concurrent call between our read and insert
        concern = Concern.objects.get(**lookup)
    return concern
