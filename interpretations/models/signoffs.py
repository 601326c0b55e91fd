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

    Approval is offered only while the package is complete, and each approval is recorded as a
    ``SignOff`` pinned to the exact revision the reviewer approved.
    """

    def _problems(self, obj):
        from interpretations.services import package_problems

        latest = obj.get_latest_revision_as_object() if hasattr(
            obj, "get_latest_revision_as_object") else obj
        return package_problems(latest)

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if actions and self._problems(obj):
            return [a for a in actions if a[0] != "approve"]
        return actions

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            from interpretations.services import record_signoff

            page = task_state.workflow_state.content_object.specific
            problems = self._problems(page)
            if problems:
                raise PermissionDenied("；".join(str(p) for p in problems))
            record_signoff(page, page.get_latest_revision(), user, task=self,
                           workflow_state=task_state.workflow_state,
                           note=kwargs.get("comment", ""))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("指定用户组成员审核政策文件及其解读包；解读包不完整时不能通过。")

    class Meta:
        verbose_name = _("三同步审签环节")
        verbose_name_plural = _("三同步审签环节")
