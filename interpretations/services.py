"""The rules of 三同步 publishing, in one place.

``package_problems`` is the single readiness rule. Every publishing route calls it: the page
form (editor publish and submit), the workflow task (approve) and finish action, the model's
``publish`` (scheduled publishing, bulk actions, the API, management commands, and as the last
line of defence for everything else).
"""

import logging
import re

import jieba
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PLAN_FIELDS = ["plan_interpreters", "plan_forms", "plan_schedule", "plan_expected_concerns"]
MIN_REASON_LENGTH = 10
_WORD = re.compile(r"\w", re.UNICODE)


class PackageIncomplete(ValidationError):
    """Raised when a policy would go live without a complete interpretation package."""

    def __init__(self, problems):
        self.problems = [str(p) for p in problems]
        super().__init__(self.problems)

    def __str__(self):
        return message_for(self.problems)


def message_for(problems):
    parts = [str(p).rstrip("。") for p in problems]
    return _("政策文件与解读未能同步发布：") + "；".join(parts) + "。"


def package_problems(page):
    """What keeps this version of a policy (document + package) from going live.

    Returns a list of Chinese messages; an empty list means the package is complete: the
    解读方案 is present and there is at least one public 解读材料 (with transcripts for audio
    and video), or the document carries a 不予解读 reason, signed off like a package.
    """
    from interpretations.models import PolicyPage

    problems = []
    if not getattr(page, "drafting_department_id", None):
        problems.append(_("未填写起草部门（谁起草、谁解读）。"))
    if not (page.first_interpreter or "").strip() and not (
        page.drafting_department_id and page.drafting_department.principal
    ):
        problems.append(_("未填写第一解读人。"))
    if page.no_interpretation:
        if isinstance(page, PolicyPage) and page.is_key_policy:
            problems.append(_("涉企或涉及民生的重点政策必须解读，不能不予解读。"))
        if len((page.no_interpretation_reason or "").strip()) < MIN_REASON_LENGTH:
            problems.append(_("选择不予解读时须填写不少于%(n)d字的理由。") % {"n": MIN_REASON_LENGTH})
        return problems

    missing = [str(PolicyPage._meta.get_field(name).verbose_name)
               for name in PLAN_FIELDS if not (getattr(page, name) or "").strip()]
    if missing:
        problems.append(_("解读方案不完整，缺少：%(fields)s。") % {"fields": "、".join(missing)})
    materials = list(page.materials or [])
    if not materials:
        problems.append(_("尚无公开的解读材料（文字解读、图解、问答、音视频等至少一项），"
                          "或填写不予解读理由。"))
    for block in materials:
        if block.block_type == "media":
            item = block.value.get("item")
            if item is None:
                problems.append(_("音视频材料未选择文件。"))
            else:
                problems.extend(item.accessibility_problems())
    if page.is_key_policy and not (page.assessment_plan or "").strip():
        problems.append(_("重点政策（涉企或涉及民生）须填写跟踪评估方案。"))
    return problems


def ensure_ready(page):
    problems = package_problems(page)
    if problems:
        raise PackageIncomplete(problems)


# --- Publishing routes outside the page editor -------------------------------------------------


def publish_policy(page, user=None):
    """Publish the latest revision of a policy for the API and management commands.

    Refuses with ``PackageIncomplete`` when the package is incomplete and ``PermissionDenied``
    when ``user`` may not publish it. Returns the published revision.
    """
    page = page.specific
    revision = page.get_latest_revision()
    if revision is None:
        revision = page.save_revision(user=user)
    if user is not None and not page.permissions_for_user(user).can_publish():
        raise PermissionDenied(_("您没有发布该政策文件的权限。"))
    ensure_ready(revision.as_object())
    with transaction.atomic():
        revision.publish(user=user)
    return revision


def publish_due_revisions(now=None):
    """Scheduled go-live: publish every policy revision whose time has come.

    Each revision is published in its own transaction; one whose package is incomplete is
    taken off the schedule (and logged) instead of blocking the others. Returns
    (published, refused) counts. Other content is left to Wagtail's ``publish_scheduled``.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision

    from interpretations.models import PolicyPage

    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(PolicyPage)
    due = Revision.objects.filter(content_type=content_type,
                                  approved_go_live_at__lte=now).order_by("approved_go_live_at")
    published = refused = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            revision = Revision.objects.select_for_update().filter(
                pk=pk, approved_go_live_at__lte=now).first()
            if revision is None:
                continue
            try:
                revision.publish(log_action="wagtail.publish.scheduled")
                published += 1
            except PackageIncomplete as exc:
                Revision.objects.filter(pk=pk).update(approved_go_live_at=None)
                refused += 1
                logger.warning("Scheduled go-live refused for revision %s: %s", pk, exc)
    return published, refused


# --- Workflow ----------------------------------------------------------------------------------


def record_signoff(page, revision, user, task=None, workflow_state=None, note="",
                   result=None):
    from interpretations.models import SignOff

    return SignOff.objects.create(
        page=page, revision=revision, revision_number=revision.pk,
        workflow_state=workflow_state, task=task,
        task_name=task.name if task else _("直接签发"),
        approver=user, approver_name=(user.get_full_name() or user.username) if user else "",
        result=result or SignOff.Result.APPROVED, note=note or "",
    )


def missing_signoffs(workflow_state, revision):
    """Names of the package-review steps of this workflow not signed off on ``revision``."""
    from interpretations.models import PackageReviewTask, SignOff

    tasks = PackageReviewTask.objects.filter(
        workflow_tasks__workflow=workflow_state.workflow, active=True).distinct()
    signed = set(SignOff.objects.filter(
        workflow_state=workflow_state, revision=revision, result=SignOff.Result.APPROVED,
    ).values_list("task_id", flat=True))
    return [t.name for t in tasks if t.pk not in signed]


def finish_workflow(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish only a complete package whose exact latest
    revision every review step approved; otherwise refuse (the approval rolls back)."""
    from wagtail.workflows import publish_workflow_state

    from interpretations.models import PolicyPage

    if not issubclass(workflow_state.content_type.model_class(), PolicyPage):
        return publish_workflow_state(workflow_state, user=user)
    # Read the latest revision from the database, not from a possibly stale instance.
    page = PolicyPage.objects.select_for_update().get(pk=workflow_state.object_id)
    revision = page.get_latest_revision()
    missing = missing_signoffs(workflow_state, revision)
    if missing:
        raise PermissionDenied(
            _("文件或解读在审签后被修改，以下环节须对最新版本重新审签：%(steps)s")
            % {"steps": "、".join(missing)})
    ensure_ready(revision.as_object())
    revision.publish(user=user)


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
    """Apply the library's filters (topic, organ, year, validity) from GET parameters."""
    from interpretations.models import PolicyPageTag, Validity

    filters = {}
    topic = params.get("topic", "").strip()
    if topic:
        queryset = queryset.filter(pk__in=PolicyPageTag.objects.filter(
            tag__name=topic).values("content_object_id"))
        filters["topic"] = topic
    organ = params.get("organ", "")
    if organ.isdigit():
        queryset = queryset.filter(issuing_organ_id=int(organ))
        filters["organ"] = int(organ)
    year = params.get("year", "")
    if year.isdigit() and len(year) == 4:
        queryset = queryset.filter(published_on__year=int(year))
        filters["year"] = int(year)
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
