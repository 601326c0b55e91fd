"""惠企政策配套材料 (a new enterprise policy's 工作手册 and 申报指南): the reminder log that keeps
each reminder to one, and the editor's panel. The rule itself is
``interpretations.services.support_materials``."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class SupportStatus(models.TextChoices):
    COMPLETE = "complete", _("已齐全")
    PENDING = "pending", _("待补充")
    OVERDUE = "overdue", _("已超期")


@dataclass(frozen=True)
class SupportMaterials:
    """What ``services.support_materials`` says about one version of a policy."""

    applies: bool
    due_at: datetime | None = None
    missing: tuple = ()
    overdue: bool = False

    @property
    def status(self):
        if not self.missing:
            return SupportStatus.COMPLETE
        return SupportStatus.OVERDUE if self.overdue else SupportStatus.PENDING

    @property
    def status_label(self):
        return SupportStatus(self.status).label

    @property
    def missing_text(self):
        return "、".join(str(m) for m in self.missing)


class SupportMaterialsReminder(models.Model):
    """One reminder sent to a policy's drafting department. The unique constraint is the claim:
    the run that inserts the row sends the reminder, any other run (or a second run) does not."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已超期")

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="support_reminders")
    kind = models.CharField(_("提醒类型"), max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField(_("应完成时间"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("配套材料提醒")
        verbose_name_plural = _("配套材料提醒")
        constraints = [models.UniqueConstraint(fields=["policy", "kind"],
                                               name="support_reminder_once_per_kind")]

    def __str__(self):
        return f"{self.policy_id} {self.get_kind_display()}"


class SupportMaterialsPanel(Panel):
    """The editor's notice: for a live enterprise policy, when its 申报指南 and 工作手册 are due
    and what is still missing; for a draft enterprise policy, that they will be due."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "interpretations/admin/support_materials_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            from interpretations.services import support_materials_notice

            self.notice = support_materials_notice(self.instance)

        def is_shown(self):
            return self.notice is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["notice"] = self.notice
            return context
