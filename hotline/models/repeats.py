from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JointHandling(models.Model):
    """会办: a matter that kept coming back is handled jointly, with a named responsible person,
    the departments involved, a deadline and the minutes of the meetings."""

    class Status(models.TextChoices):
        OPEN = "open", _("会办中")
        DONE = "done", _("已完成")

    matter = models.OneToOneField("hotline.Ticket", verbose_name=_("诉求事项（首件工单）"),
                                  on_delete=models.CASCADE, related_name="joint_handling")
    responsible_name = models.CharField(_("责任人"), max_length=40)
    responsible_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人账号"),
                                         null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    organisations = models.ManyToManyField("core.Organisation", verbose_name=_("参与单位"),
                                           related_name="+")
    deadline = models.DateTimeField(_("会办期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    repeat_count = models.PositiveIntegerField(_("触发时重复次数"))
    created_at = models.DateTimeField(_("发起时间"))
    conclusion = models.TextField(_("会办结论"), blank=True)

    class Meta:
        verbose_name = _("会办")
        verbose_name_plural = _("会办")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{_('会办')} {self.matter.number}"


class JointMinute(models.Model):
    joint = models.ForeignKey(JointHandling, verbose_name=_("会办"), on_delete=models.CASCADE,
                              related_name="minutes")
    held_at = models.DateTimeField(_("会议时间"))
    attendees = models.CharField(_("参会人员"), max_length=300)
    content = models.TextField(_("纪要内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("会办纪要")
        verbose_name_plural = _("会办纪要")
        ordering = ["held_at"]

    def __str__(self):
        return f"{self.joint} {self.held_at:%Y-%m-%d}"
