from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.models import TaskState
from wagtail.signals import page_published, page_unpublished, task_submitted

from interpretations.cache import purge_all


def purge_after_commit(sender, instance, **kwargs):
    # Listings, related documents and the interpretation index all show policies, so a change
    # to any cached section purges the whole page cache once the change is committed.
    if getattr(instance.specific_class, "page_cache", False):
        transaction.on_commit(purge_all)


def invalidate_stale_signoffs(sender, instance, user=None, **kwargs):
    """A step that starts again on a newer revision (the document or package changed after it
    was approved) invalidates its earlier approvals; the 审签记录 keeps that on record."""
    from interpretations.models import PolicyPage, SignOff

    workflow_state = instance.workflow_state
    if not issubclass(workflow_state.content_type.model_class(), PolicyPage):
        return
    stale = SignOff.objects.filter(
        workflow_state=workflow_state, task_id=instance.task_id,
        result=SignOff.Result.APPROVED,
    ).exclude(revision_id=instance.revision_id)
    for record in stale:
        already = SignOff.objects.filter(
            workflow_state=workflow_state, task_id=instance.task_id,
            revision_id=record.revision_id, result=SignOff.Result.INVALIDATED).exists()
        if not already:
            SignOff.objects.create(
                page_id=record.page_id, revision_id=record.revision_id,
                revision_number=record.revision_number, workflow_state=workflow_state,
                task_id=record.task_id, task_name=record.task_name, approver=None,
                approver_name=_("系统"), result=SignOff.Result.INVALIDATED,
                note=_("第%(old)s版审签后内容被修改，须对第%(new)s版重新审签。")
                % {"old": record.revision_number, "new": instance.revision_id})


class ScopedReviewNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    """Wagtail emails every member of a step's groups when the step starts, which would tell
    every department's 审签人 the titles of other departments' drafts. Only the people who may
    review the step on this policy (``PackageReviewTask.scope_refusal``) are told."""

    def get_recipient_users(self, task_state, **kwargs):
        from core.models import User

        users = super().get_recipient_users(task_state, **kwargs)
        task = task_state.task.specific
        if not hasattr(task, "scope_refusal"):
            return users
        page = task_state.workflow_state.content_object
        allowed = [u.pk for u in users if task.scope_refusal(page, u) is None]
        return User.objects.filter(pk__in=allowed)


review_notifier = ScopedReviewNotifier()  # kept here: signals hold their receivers weakly


def connect():
    # Connected before wagtail.admin (earlier in INSTALLED_APPS) under Wagtail's own id, so
    # Wagtail's unscoped notifier is never connected.
    task_submitted.connect(review_notifier, sender=TaskState,
                           dispatch_uid="group_approval_task_submitted_email_notification")
    page_published.connect(purge_after_commit, dispatch_uid="interpretations.purge_published")
    page_unpublished.connect(purge_after_commit,
                             dispatch_uid="interpretations.purge_unpublished")
    task_submitted.connect(invalidate_stale_signoffs,
                           dispatch_uid="interpretations.invalidate_stale_signoffs")
