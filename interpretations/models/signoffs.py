"""审签记录 and the workflow task that signs off a policy and its package as one unit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask


class SignOff(models.Model):
    """One decision of a reviewer on one exact revision of document + package."""

    class Result(models.TextChoices):
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回修改")
        INVALIDATED = "invalidated", _("失效（审签后内容被修改，须重新审签）")

    page = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                             on_delete=models.CASCADE, related_name="signoffs")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("审签版本"),
                                 null=True, on_delete=models.SET_NULL, related_name="+")
    revision_number = models.PositiveBigIntegerField(_("版本号"))
    workflow_state = models.ForeignKey("wagtailcore.WorkflowState", verbose_name=_("审签流程"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    task = models.ForeignKey("wagtailcore.Task", verbose_name=_("审签环节"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    task_name = models.CharField(_("环节名称"), max_length=255)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审签人"),
                                 null=True, on_delete=models.SET_NULL, related_name="+")
    approver_name = models.CharField(_("审签人姓名"), max_length=80)
    decided_at = models.DateTimeField(_("审签时间"), auto_now_add=True)
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("审签记录")
        verbose_name_plural = _("审签记录")
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return f"{self.task_name} {self.approver_name} #{self.revision_number}"


class PackageReviewTask(AbstractGroupApprovalTask):
    """A group approval step that reviews the document and its interpretation package together.

    Each step has its reviewer groups and a scope: the drafting department's own review, or a
    named organisation's (合法性审核 by the legality-review office, 办公室审签 by the government
    office). Approval is offered only while the package is complete, to someone in the step's
    scope who has not approved another step of the same revision (``publishing.step_refusal``);
    each decision is recorded as a ``SignOff`` pinned to the exact revision.
    """

    drafting_department_only = models.BooleanField(
        _("仅限起草部门审核"), default=False,
        help_text=_("勾选后，只有起草部门（或其上级机构）的上述用户组成员能审核本环节，"
                    "例如“起草部门审核”。"))
    reviewing_organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("审核机构"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("填写后，只有该机构（含其内设机构）的上述用户组成员能审核本环节，"
                    "例如合法性审核由市司法局、办公室审签由市政府办公室。"))

    admin_form_fields = AbstractGroupApprovalTask.admin_form_fields + [
        "drafting_department_only", "reviewing_organisation"]

    def scope_refusal(self, obj, user):
        """Why ``user`` is outside this step's scope for ``obj`` (a sentence), or None."""
        from interpretations.permissions import may_work_on

        if user is None or user.is_superuser:
            return None
        page = getattr(obj, "specific", obj)
        if self.drafting_department_only and not may_work_on(
                user, getattr(page, "drafting_department_id", None)):
            return _("本环节只能由起草部门审核。")
        if self.reviewing_organisation_id and user.organisation_id not in (
                self.reviewing_organisation.descendant_ids()):
            return _("本环节只能由%(org)s审核。") % {"org": self.reviewing_organisation}
        return None

    def _may_review(self, obj, user):
        return self.scope_refusal(obj, user) is None

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and self._may_review(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or not self._may_review(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and self._may_review(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        if self.reviewing_organisation_id and user.organisation_id not in (
                self.reviewing_organisation.descendant_ids()):
            return states.none()
        from interpretations.permissions import policies_in_scope

        mine = policies_in_scope(user)
        if not self.drafting_department_only or not mine:
            return states
        from django.db.models import CharField
        from django.db.models.functions import Cast

        from interpretations.models import PolicyPage

        keys = PolicyPage.objects.filter(mine).annotate(key=Cast("pk", CharField())).values("key")
        return states.filter(workflow_state__object_id__in=keys)

    def _problems(self, obj):
        from interpretations.publishing import package_problems

        latest = obj.get_latest_revision_as_object() if hasattr(
            obj, "get_latest_revision_as_object") else obj
        return package_problems(latest)

    def refusal(self, obj, user):
        """Why ``user`` may not approve this step of ``obj`` now, or None."""
        from interpretations.publishing import step_refusal

        return step_refusal(self, getattr(obj, "specific", obj), user,
                            workflow_state=getattr(obj, "current_workflow_state", None))

    def get_actions(self, obj, user):
        if not self._may_review(obj, user):
            return []
        actions = super().get_actions(obj, user)
        if actions and (self._problems(obj) or self.refusal(obj, user)):
            return [a for a in actions if a[0] != "approve"]
        return actions

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        page = task_state.workflow_state.content_object.specific
        scope = self.scope_refusal(page, user)
        if scope:
            raise PermissionDenied(scope)
        results = {"approve": SignOff.Result.APPROVED, "reject": SignOff.Result.RETURNED}
        if action_name in results:  # both decisions of a step go on the record
            from interpretations.publishing import record_signoff, step_refusal

            revision = page.get_latest_revision()
            if action_name == "approve":
                problems = self._problems(page)
                if problems:
                    raise PermissionDenied("；".join(str(p) for p in problems))
                refusal = step_refusal(self, page, user, revision=revision,
                                       workflow_state=task_state.workflow_state)
                if refusal:
                    raise PermissionDenied(refusal)
            record_signoff(page, revision, user, task=self,
                           workflow_state=task_state.workflow_state,
                           note=kwargs.get("comment", ""), result=results[action_name])
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("指定用户组（及审核机构）成员审核政策文件及其解读包；解读包不完整时不能通过；"
                 "同一人不能审签同一版本的两个环节。")

    class Meta:
        verbose_name = _("三同步审签环节")
        verbose_name_plural = _("三同步审签环节")
