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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
    """Live policies in ``queryset`` matching a Chinese (or mixed) query, newest first."""
    from interpretations.models import PolicyPage

    base = PolicyPage.objects.live().only("page_ptr")
    pks = []
    for terms in (segment(query, for_search=False), segment(query)):
        if not terms:
            continue
        pks = [p.pk for p in base.search(terms, operator="and", order_by_relevance=False)]
        if pks:
            break
    return queryset.filter(pk__in=pks).order_by("-published_on", "-pk")


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
