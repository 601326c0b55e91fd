"""What happens around a policy's go-live: emergency publications awaiting their 事后审签, the
public 修订说明 of significant revisions, and expiring read-only links for outside experts.
The rules that use them live in ``interpretations.publishing``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmergencyPublicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class EmergencyPublication(models.Model):
    """紧急发布: a revision that went live before its sign-off, with the written reason. The
    事后审签 workflow starts at once and must finish by ``due_at`` (working days)."""

    page = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                             on_delete=models.CASCADE, related_name="emergency_publications")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("发布版本"),
                                 on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("紧急发布理由"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    published_by_name = models.CharField(_("发布人姓名"), max_length=80)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    due_at = models.DateTimeField(_("补签期限"))
    workflow_state = models.ForeignKey("wagtailcore.WorkflowState", verbose_name=_("事后审签流程"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    completed_at = models.DateTimeField(_("补签完成时间"), null=True, blank=True)
    completed_revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name=_("补签版本"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    objects = EmergencyPublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("紧急发布")
        verbose_name_plural = _("紧急发布")
        ordering = ["-published_at"]
        constraints = [models.UniqueConstraint(fields=["revision"],
                                               name="emergency_once_per_revision")]
        indexes = [models.Index(fields=["due_at"], condition=Q(completed_at__isnull=True),
                                name="emergency_open_due")]

    def __str__(self):
        return f"{self.page.title}（{timezone.localtime(self.published_at):%Y-%m-%d %H:%M}）"

    @property
    def is_overdue(self):
        return self.completed_at is None and self.due_at < timezone.now()

    @property
    def status_label(self):
        if self.completed_at:
            return _("已补签")
        return _("补签超期") if self.is_overdue else _("待补签")


class PolicyChangeNote(models.Model):
    """修订说明: what a significant revision changed, shown on the policy with its date."""

    page = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                             on_delete=models.CASCADE, related_name="change_notes")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("版本"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("修订说明"))
    published_at = models.DateTimeField(_("修订发布时间"))

    class Meta:
        verbose_name = _("修订说明")
        verbose_name_plural = _("修订说明")
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["revision"],
                                               name="change_note_once_per_revision")]

    def __str__(self):
        return self.note[:40]


class ExpertPreviewLink(models.Model):
    """A signed, expiring, read-only link to one draft revision for an outside 解读专家. Only a
    hash of the token is kept; the link itself is shown once, to the editor who made it."""

    page = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                             on_delete=models.CASCADE, related_name="expert_links")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("草稿版本"),
                                 on_delete=models.CASCADE, related_name="+")
    expert_name = models.CharField(_("专家"), max_length=80)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    show_plan = models.BooleanField(
        _("同时提供解读方案"), default=False,
        help_text=_("解读方案是内部材料，仅在需要专家审阅时勾选。"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家预览链接")
        verbose_name_plural = _("专家预览链接")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.expert_name}：{self.page.title}"

    def is_active(self, now=None):
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at

    @property
    def status_label(self):
        if self.revoked_at:
            return _("已失效（已发布或已收回）")
        return _("有效") if self.is_active() else _("已过期")


class ExpertPreviewOpening(models.Model):
    """One opening of an expert preview link (the log the editor reads)."""

    link = models.ForeignKey(ExpertPreviewLink, verbose_name=_("预览链接"),
                             on_delete=models.CASCADE, related_name="openings")
    opened_at = models.DateTimeField(_("打开时间"), default=timezone.now)
    client = models.CharField(_("来源地址（已脱敏）"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("专家预览记录")
        verbose_name_plural = _("专家预览记录")
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.link_id} {self.opened_at:%Y-%m-%d %H:%M}"
