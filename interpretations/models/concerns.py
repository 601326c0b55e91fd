"""重点评估: the concerns log of a key policy and readers' feedback on its interpretation."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Concern.Status.OPEN)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class Concern(models.Model):
    """A public concern (关切) or misreading (误读) about a policy, to be answered in time."""

    class Kind(models.TextChoices):
        CONCERN = "concern", _("关切")
        MISREADING = "misreading", _("误读")

    class Source(models.TextChoices):
        HOTLINE = "hotline", _("12345热线")
        MEDIA = "media", _("媒体报道")
        ONLINE = "online", _("网络舆情")
        FEEDBACK = "feedback", _("读者反馈")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待回应")
        ANSWERED = "answered", _("已回应")
        CLOSED = "closed", _("无需回应")

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="concerns")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.CONCERN)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    # Hotline tickets that name a policy enter the log with their number here.
    hotline_ticket = models.CharField(_("关联工单编号"), max_length=40, blank=True)
    content = models.TextField(_("关切内容"))
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    due_at = models.DateTimeField(_("回应时限"), editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    answered_at = models.DateTimeField(_("回应时间"), null=True, blank=True)
    answer = models.TextField(_("回应情况"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("关切登记")
        verbose_name_plural = _("关切登记")
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [models.UniqueConstraint(
            fields=["policy", "hotline_ticket"], condition=~models.Q(hotline_ticket=""),
            name="concern_once_per_ticket_and_policy")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.content[:30]}"

    def save(self, *args, **kwargs):
        hours = settings.PLATFORM["CONCERN_RESPONSE_HOURS"]
        self.due_at = self.registered_at + timedelta(hours=hours)
        if self.status == self.Status.ANSWERED and self.answered_at is None:
            self.answered_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class Feedback(models.Model):
    """A reader's 有帮助 / 没帮助 on a policy's interpretation, with an optional comment."""

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="feedback")
    followup = models.ForeignKey("interpretations.FollowUpInterpretation",
                                 verbose_name=_("后续解读"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    helpful = models.BooleanField(_("有帮助"))
    comment = models.TextField(_("意见"), blank=True)
    concern = models.OneToOneField(Concern, verbose_name=_("转入关切"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="feedback")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("解读评价")
        verbose_name_plural = _("解读评价")
        ordering = ["-created_at"]

    def __str__(self):
        return str(_("有帮助") if self.helpful else _("没帮助"))
