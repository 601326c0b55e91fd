"""三同步 publishing, in one place: what keeps a policy revision from going live, and every route
that puts one live or takes one down.

Two rules decide whether a revision may go live; ``ensure_publishable`` asks both, and
``PolicyPage.publish`` (which every route ends in) calls it:

* ``package_problems`` (readiness): the document with a complete interpretation package.
* ``signoff_problems`` (sign-off): every step of the policy's workflow approved exactly this
  revision in one run of the workflow, each step by a different person
  (``PLATFORM["SIGNOFF_SEPARATE_DUTIES"]``); or the revision is an emergency publication
  (紧急发布, ``emergency_publish``) with its written reason and its 事后审签 under way.

The routes ask first so they can answer in words: the editor's form (publish and submit), the
workflow task and its finish action (``finish_workflow``), the bulk-publish hook, the API and
the command (``publish_policy``), scheduled go-live (``publish_due_revisions``; Wagtail's own
commands reach the same refusal through the model), emergency publishing, and withdrawal
(``withdraw``). A copied policy is always a draft (``PolicyPage.save``).

What a revision shows of media items and attached documents is fixed when it is saved
(``freeze_dependencies``), so what was signed is what goes live.
"""

import logging
import os
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import TextChoices
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

PLAN_FIELDS = ["plan_interpreters", "plan_forms", "plan_schedule", "plan_expected_concerns"]
MIN_REASON_LENGTH = 10
EMERGENCY_PERMISSION = "interpretations.emergency_publish"

# Sent when a live policy stops being in force for people: unpublished as 发布错误, or a signed
# revision marking it 已废止, 已失效 or 已被替代 went live. ``reason`` is a ``WithdrawalReason``.
policy_withdrawn = Signal()


class WithdrawalReason(TextChoices):
    ERROR = "error", gettext_lazy("发布错误（撤下页面）")
    REPEALED = "repealed", gettext_lazy("已废止")
    EXPIRED = "expired", gettext_lazy("已失效")
    REPLACED = "replaced", gettext_lazy("已被替代")


class PublishRefused(ValidationError):
    """A revision may not go live; ``problems`` says why, in Chinese."""

    prefix = gettext_lazy("政策文件未能发布：")

    def __init__(self, problems):
        self.problems = [str(p) for p in problems]
        super().__init__(self.problems)

    def __str__(self):
        return join_problems(self.prefix, self.problems)


class PackageIncomplete(PublishRefused):
    """The document would go live without a complete interpretation package."""

    prefix = gettext_lazy("政策文件与解读未能同步发布：")


class NotSignedOff(PublishRefused):
    """The revision has no complete sign-off of its own."""

    prefix = gettext_lazy("政策文件须经完整审签后才能发布：")


def join_problems(prefix, problems):
    return str(prefix) + "；".join(str(p).rstrip("。") for p in problems) + "。"


def message_for(problems):
    """The readiness refusal as one sentence (the editor's form, the bulk hook, the API)."""
    return join_problems(PackageIncomplete.prefix, problems)


# --- Readiness -----------------------------------------------------------------------------------


def package_problems(page):
    """What keeps this version of a policy (document + package) from going live.

    Returns a list of Chinese messages; an empty list means the package is complete: the
    解读方案 is present and there is at least one public 解读材料 (with transcripts for audio
    and video, in the versions this revision shows), or the document carries a 不予解读 reason,
    signed off like a package.
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
            item = page.media_version(block.value.get("item"))
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


# --- Sign-off ------------------------------------------------------------------------------------


def separate_duties():
    return settings.PLATFORM["SIGNOFF_SEPARATE_DUTIES"]


def workflow_steps(workflow):
    """The active steps of ``workflow`` in order, as ``Task`` objects (specific)."""
    if workflow is None:
        return []
    return [wt.task.specific for wt in workflow.workflow_tasks.filter(task__active=True)
            .select_related("task").order_by("sort_order")]


def signoff_chains(page, revision):
    """``{workflow_state_id: {task_id: approver_id}}``: who approved ``revision`` at which step,
    per run of the workflow."""
    from interpretations.models import SignOff

    chains = defaultdict(dict)
    for state, task, approver in SignOff.objects.filter(
            page_id=page.pk, revision_id=revision.pk, result=SignOff.Result.APPROVED,
            task__isnull=False).values_list("workflow_state_id", "task_id", "approver_id"):
        chains[state][task] = approver
    return chains


def signoff_problems(page, revision, allow_emergency=True):
    """What keeps ``revision`` of ``page`` from going live on its sign-off ([] = nothing).

    Complete: in one run of the policy's workflow, every active step approved exactly this
    revision, and (with separate duties) no person approved two of those steps. An emergency
    publication of this revision counts unless ``allow_emergency`` is False.
    """
    from interpretations.models import EmergencyPublication

    if allow_emergency and EmergencyPublication.objects.filter(revision_id=revision.pk).exists():
        return []
    steps = workflow_steps(page.get_workflow())
    if not steps:
        return [_("本栏目未设置审签流程，政策文件无法经审签发布，请联系管理员。")]
    best = steps
    for approved in signoff_chains(page, revision).values():
        missing = [step for step in steps if step.pk not in approved]
        if not missing:
            approvers = [approved[step.pk] for step in steps]
            if separate_duties() and len(set(approvers)) < len(approvers):
                return [_("同一人审签了本版本的两个环节，须由不同人员分别审签。")]
            return []
        if len(missing) < len(best):
            best = missing
    return [_("本版本尚未经以下环节审签同意：%(steps)s。请提交审签。")
            % {"steps": "、".join(step.name for step in best)}]


def revision_object(revision):
    """``revision.as_object()``, read once per revision instance (every route that publishes
    asks the rules about the same revision several times)."""
    cached = getattr(revision, "_policy_object", None)
    if cached is None:
        cached = revision._policy_object = revision.as_object()
    return cached


def ensure_publishable(page, revision):
    """Raise ``PackageIncomplete`` or ``NotSignedOff`` unless ``revision`` may go live."""
    ensure_ready(revision_object(revision))
    problems = signoff_problems(page, revision)
    if problems:
        raise NotSignedOff(problems)


def step_refusal(task, page, user, revision=None, workflow_state=None):
    """Why ``user`` may not approve ``task`` on ``page`` now (a Chinese sentence), or None.

    A step limited to the drafting department is reviewed by that department (or one above
    it); a step of a named organisation by that organisation's people; and (with separate
    duties) nobody approves a second step of the same revision in the same run.
    """
    from interpretations.models import SignOff

    scope = task.scope_refusal(page, user)
    if scope:
        return scope
    if not separate_duties() or user is None or workflow_state is None:
        return None
    revision = revision or page.get_latest_revision()
    other = (SignOff.objects.filter(workflow_state=workflow_state, revision_id=revision.pk,
                                    result=SignOff.Result.APPROVED, approver=user)
             .exclude(task_id=task.pk).values_list("task_name", flat=True).first())
    if other:
        return _("您已审签本版本的“%(step)s”环节，同一人不能审签同一版本的两个环节。") % {
            "step": other}
    return None


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


def finish_workflow(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish the latest revision once every step approved
    exactly it (otherwise refuse: the approval rolls back). A revision that is already live (an
    emergency publication's 事后审签) is not published again: its 补签 is complete."""
    from wagtail.workflows import publish_workflow_state

    from interpretations.models import PolicyPage

    if not issubclass(workflow_state.content_type.model_class(), PolicyPage):
        return publish_workflow_state(workflow_state, user=user)
    # Read the latest revision from the database, not from a possibly stale instance.
    page = PolicyPage.objects.select_for_update().get(pk=workflow_state.object_id)
    revision = page.get_latest_revision()
    problems = signoff_problems(page, revision, allow_emergency=False)
    if problems:
        raise PermissionDenied(
            _("文件或解读在审签后被修改，须对最新版本重新审签：%(problems)s")
            % {"problems": "；".join(problems)})
    ensure_ready(revision_object(revision))
    if page.live and page.live_revision_id == revision.pk:
        complete_countersign(page, revision)
        return None
    # The workflow is the authority: its last reviewer need not hold page permissions.
    return revision.publish(user=user, skip_permission_checks=True)


# --- Publishing routes outside the page editor ----------------------------------------------------


def publish_policy(page, user=None):
    """Publish the latest revision of a policy for the API and management commands.

    Refuses with ``PermissionDenied`` when ``user`` may not publish it, ``PackageIncomplete``
    or ``NotSignedOff`` when the revision may not go live. Returns the published revision.
    """
    page = page.specific
    revision = page.get_latest_revision()
    if revision is None:
        revision = page.save_revision(user=user)
    if user is not None and not page.permissions_for_user(user).can_publish():
        raise PermissionDenied(_("您没有发布该政策文件的权限。"))
    ensure_publishable(page, revision)
    with transaction.atomic():
        revision.publish(user=user)
    return revision


SCHEDULED = "wagtail.publish.scheduled"


def publish_due_revisions(now=None):
    """Scheduled go-live: publish every policy revision whose time has come.

    Each revision in its own transaction; one that may not go live is taken off the schedule,
    and its editor and the department's approvers are told (``refuse_scheduled``), instead of
    blocking the others. Returns (published, refused) counts. Other content is left to Wagtail's
    ``publish_scheduled``.
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
            page = PolicyPage.objects.get(pk=revision.object_id)
            if refused_on_schedule(page, revision):
                refused += 1
                continue
            revision.publish(log_action=SCHEDULED, skip_permission_checks=True)
            published += 1
    return published, refused


def refused_on_schedule(page, revision):
    """Whether the scheduled go-live of ``revision`` is refused: it is then taken off the
    schedule, logged on the policy and told to its editor and the department's approvers."""
    try:
        ensure_publishable(page, revision)
    except PublishRefused as exc:
        refuse_scheduled(page, revision, exc)
        return True
    return False


def refuse_scheduled(page, revision, refusal):
    from django.urls import reverse
    from wagtail.log_actions import log
    from wagtail.models import Revision

    from core import messaging, roles
    from interpretations.permissions import department_staff

    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
    text = str(refusal)
    log(page, "interpretations.schedule_refused", revision=revision, data={"reason": text})
    people = set(department_staff(page).filter(groups__name=roles.APPROVER))
    if revision.user_id and revision.user.is_active:
        people.add(revision.user)
    messaging.notify_staff(
        sorted(people, key=lambda u: u.pk),
        _("政策文件《%(title)s》的定时发布未能执行，已撤出定时发布：%(reason)s")
        % {"title": page.title, "reason": text},
        subject=_("定时发布被拒绝"), link=reverse("wagtailadmin_pages:edit", args=[page.pk]),
        kind="interpretations.schedule_refused")
    logger.warning("Scheduled go-live refused for revision %s: %s", revision.pk, text)


# --- Go-live and what follows it -----------------------------------------------------------------


def live_state(page):
    """What was live before a publish: ``(live_revision_id, validity)`` or None."""
    from interpretations.models import PolicyPage

    return PolicyPage.objects.filter(pk=page.pk, live=True).values_list(
        "live_revision_id", "validity").first()


def after_go_live(page, revision, before):
    """Called by ``PolicyPage.publish`` in the publishing transaction once ``revision`` went
    live: its 修订说明, the end of any 补签, the end of expert previews, and (when the policy
    just stopped being in force) the withdrawal notice."""
    from interpretations.models import ExpertPreviewLink, PolicyChangeNote, PolicyPage

    now = timezone.now()
    published = revision_object(revision)
    if published.change_kind == PolicyPage.ChangeKind.SIGNIFICANT and published.change_note:
        PolicyChangeNote.objects.get_or_create(
            revision=revision, defaults={"page_id": page.pk, "note": published.change_note,
                                         "published_at": now})
    if not signoff_problems(page, revision, allow_emergency=False):
        complete_countersign(page, revision)
    ExpertPreviewLink.objects.filter(page_id=page.pk, revoked_at__isnull=True).update(
        revoked_at=now)
    was_current = before is not None and before[1] == "current"
    if was_current and published.validity in WithdrawalReason.values:
        transaction.on_commit(lambda: policy_withdrawn.send(
            sender=PolicyPage, policy=PolicyPage.objects.get(pk=page.pk),
            reason=published.validity))


# --- 紧急发布 and 事后审签 ------------------------------------------------------------------------


def may_emergency_publish(user, page):
    """Only holders of the named permission, on policies they may work on."""
    from interpretations.permissions import may_work_on

    return (user.is_active and user.has_perm(EMERGENCY_PERMISSION)
            and may_work_on(user, page.drafting_department_id))


def countersign_working_days():
    return settings.PLATFORM["EMERGENCY_COUNTERSIGN_WORKING_DAYS"]


def emergency_publish(page, user, reason):
    """紧急发布: put the latest revision live before its sign-off, with a written reason. The
    package must still be complete. The 事后审签 workflow starts at once and must finish within
    ``EMERGENCY_COUNTERSIGN_WORKING_DAYS`` working days. Returns the ``EmergencyPublication``."""
    from wagtail.log_actions import log

    from hotline.calendar import add_working_days
    from interpretations.models import EmergencyPublication

    page = page.specific
    if not may_emergency_publish(user, page):
        raise PermissionDenied(_("您没有紧急发布该政策文件的权限。"))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": _("请写明紧急发布的理由（不少于%(n)d字）。")
                               % {"n": MIN_REASON_LENGTH}})
    workflow = page.get_workflow()
    if workflow is None:
        raise ValidationError(_("本栏目未设置审签流程，无法安排事后审签。"))
    with transaction.atomic():
        page = type(page).objects.select_for_update().get(pk=page.pk)
        revision = page.get_latest_revision() or page.save_revision(user=user)
        if page.live and page.live_revision_id == revision.pk:
            raise ValidationError(_("当前版本已经发布，无需紧急发布。"))
        ensure_ready(revision.as_object())
        now = timezone.now()
        record = EmergencyPublication.objects.create(
            page=page, revision=revision, reason=reason, published_by=user,
            published_by_name=user.get_full_name() or user.username, published_at=now,
            due_at=add_working_days(now, countersign_working_days()))
        revision.publish(user=user, skip_permission_checks=True)
        log(page, "interpretations.emergency_publish", user=user, revision=revision,
            data={"reason": reason})
        state = page.current_workflow_state
        if state is None:
            state = workflow.start(page, user)
        EmergencyPublication.objects.filter(pk=record.pk).update(workflow_state=state)
    record.refresh_from_db()
    return record


def complete_countersign(page, revision):
    """A signed revision is live: every open emergency publication of the page is 补签完成."""
    from interpretations.cache import purge_all
    from interpretations.models import EmergencyPublication

    done = EmergencyPublication.objects.open().filter(page_id=page.pk).update(
        completed_at=timezone.now(), completed_revision=revision)
    if done:
        transaction.on_commit(purge_all)  # the public page drops its 待补签 notice
    return done


def remind_overdue_countersign(now=None):
    """Daily: each overdue 补签 reminds the drafting department and the supervisors, once a
    day (the day is claimed with a conditional update, so two runs remind once)."""
    from django.db.models import Q
    from django.urls import reverse

    from core import messaging, roles
    from interpretations.models import EmergencyPublication
    from interpretations.permissions import department_staff

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for record in EmergencyPublication.objects.overdue(now).select_related("page"):
        claimed = EmergencyPublication.objects.filter(
            Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today),
            pk=record.pk, completed_at__isnull=True).update(last_reminded_on=today)
        if not claimed:
            continue
        people = set(department_staff(record.page)) | set(roles.members(roles.SUPERVISOR))
        messaging.notify_staff(
            sorted(people, key=lambda u: u.pk),
            _("紧急发布的政策文件《%(title)s》补签已超期（期限 %(due)s），请尽快完成事后审签。")
            % {"title": record.page.title,
               "due": f"{timezone.localtime(record.due_at):%Y-%m-%d %H:%M}"},
            subject=_("紧急发布补签超期"),
            link=reverse("wagtailadmin_pages:edit", args=[record.page_id]),
            kind="interpretations.countersign_overdue")
        sent += 1
    return sent


# --- Typed withdrawal -------------------------------------------------------------------------------


def withdraw(page, user, reason, note="", effective_on=None, replaced_by=None):
    """Take a live policy out of force, for a stated reason.

    发布错误: the page goes at once (an unpublish, on the record with the reason). 已废止,
    已失效, 已被替代: the page stays with a notice, its date and the replacing document; that is a
    new revision, signed like any other (it is submitted to the workflow here and goes live on
    the last approval). Returns the new revision, or None for 发布错误.
    """
    from wagtail.actions.unpublish_page import UnpublishPageAction
    from wagtail.log_actions import log

    from interpretations.models import PolicyPage

    page = page.specific
    if reason not in WithdrawalReason.values:
        raise ValidationError({"reason": _("请选择撤回原因。")})
    if not page.live:
        raise ValidationError(_("该政策文件尚未发布。"))
    if not page.permissions_for_user(user).can_unpublish():
        raise PermissionDenied(_("您没有撤回该政策文件的权限。"))
    note = (note or "").strip()
    with transaction.atomic():
        if reason == WithdrawalReason.ERROR:
            UnpublishPageAction(page, user=user).execute(skip_permission_checks=True)
            log(page, "interpretations.withdraw", user=user,
                data={"reason": WithdrawalReason(reason).label, "note": note})
            transaction.on_commit(lambda: policy_withdrawn.send(
                sender=PolicyPage, policy=PolicyPage.objects.get(pk=page.pk), reason=reason))
            return None
        if reason == WithdrawalReason.REPLACED and replaced_by is None:
            raise ValidationError({"replaced_by": _("已被替代的文件须选择替代它的文件。")})
        if page.current_workflow_state is not None:
            raise ValidationError(_("该文件正在审签中，请先完成或撤回当前审签，再办理撤回。"))
        draft = page.live_revision.as_object() if page.live_revision_id else page
        draft.validity = reason
        draft.validity_changed_on = effective_on or timezone.localdate()
        draft.validity_note = note
        if replaced_by is not None:
            draft.replaced_by = replaced_by
        draft.change_kind = PolicyPage.ChangeKind.MINOR
        draft.change_note = ""
        revision = draft.save_revision(user=user)
        log(page, "interpretations.withdraw", user=user, revision=revision,
            data={"reason": WithdrawalReason(reason).label, "note": note})
        page.get_workflow().start(PolicyPage.objects.get(pk=page.pk), user)
    return revision


# --- What a revision shows of other objects -------------------------------------------------------


def freeze_dependencies(page):
    """Fix what this revision of ``page`` shows of other objects, as they are now: the version
    of each media item (``media_pins``) and a copy of each attached document's file. Editing a
    media item or a document afterwards changes nothing here; a new revision, signed again, takes
    the new version."""
    pins = {}
    for block in page.materials or []:
        item = block.value.get("item") if block.block_type == "media" else None
        if item is not None:
            revision = item.latest_revision or item.save_revision(clean=False)
            pins[str(item.pk)] = revision.pk
    page.media_pins = pins
    # The in-memory relation hands out copies: freeze them, then put them back.
    attachments = list(page.attachments.all())
    for attachment in attachments:
        freeze_attachment(attachment)
    page.attachments = attachments


FROZEN_FILES = "policy-files"


def freeze_attachment(attachment):
    """Give ``attachment`` its own copy of its document's file, named by content, unless it
    already holds that content."""
    document = attachment.document
    digest = document.get_file_hash()  # Wagtail keeps it, and updates it on replacement
    if attachment.file and attachment.file_hash == digest:
        return
    name = f"{FROZEN_FILES}/{digest}/{os.path.basename(document.file.name)}"
    if not default_storage.exists(name):
        with document.file.open("rb") as source:
            name = default_storage.save(name, File(source))
    attachment.file.name = name
    attachment.file_hash = digest
    attachment.document_title = document.title


# --- What the editor shows -------------------------------------------------------------------------


def publishing_status(page, user):
    """The editor's 审签与发布 panel for ``page`` (its latest revision): who signed which step, an
    open 紧急发布, the last refused scheduled go-live, media items with a newer version, and
    which of the actions (紧急发布, 撤回, 专家预览) ``user`` may take."""
    from wagtail.models import PageLogEntry

    from core.models import User

    if page.pk is None:
        return None
    revision = page.get_latest_revision()
    steps = workflow_steps(page.get_workflow())
    chains = signoff_chains(page, revision) if revision else {}
    state = page.current_workflow_state
    chain = chains.get(state.pk if state else None) or (
        max(chains.values(), key=len) if chains else {})
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=chain.values())}
    refused = PageLogEntry.objects.filter(
        page_id=page.pk, action="interpretations.schedule_refused").order_by("-timestamp").first()
    if refused and page.last_published_at and refused.timestamp < page.last_published_at:
        refused = None
    newer_media = []
    for block in page.materials or []:
        item = block.value.get("item") if block.block_type == "media" else None
        pinned = (page.media_pins or {}).get(str(item.pk)) if item else None
        if item is not None and pinned and item.latest_revision_id != pinned:
            newer_media.append(item.title)
    is_live_revision = bool(revision) and page.live and page.live_revision_id == revision.pk
    return {
        "revision": revision,
        "steps": [{"name": step.name, "approver": names.get(chain.get(step.pk))}
                  for step in steps],
        "signed": bool(revision) and not signoff_problems(page, revision, allow_emergency=False),
        "emergency": page.emergency_publications.open().first(),
        "refused": refused,
        "newer_media": newer_media,
        "may_emergency": may_emergency_publish(user, page) and not is_live_revision,
        "may_withdraw": page.live and page.permissions_for_user(user).can_unpublish(),
        "may_share": user.has_perm("interpretations.add_expertpreviewlink") and bool(revision),
    }
