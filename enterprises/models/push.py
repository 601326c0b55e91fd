"""Targeted push (精准推送): one ``Push`` per policy go-live, significant update or withdrawal,
one ``Delivery`` per enterprise and channel.

At most once holds in the database: a policy has one initial push, one update push per revision
and one withdrawal notice per reason (unique constraints), and a push has one delivery per
enterprise and channel (unique constraint), so re-running a task, a crash, re-publishing or a
second withdrawal cannot send the same thing twice.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interpretations.publishing import WithdrawalReason


class Push(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("首次推送")
        UPDATE = "update", _("更新推送")
        WITHDRAWAL = "withdrawal", _("撤回通知")

    Reason = WithdrawalReason  # of a withdrawal notice; the publishing rules own the list

    class Status(models.TextChoices):
        PENDING = "pending", _("待匹配")
        MATCHING = "matching", _("匹配中")
        DISPATCHING = "dispatching", _("发送中")
        DONE = "done", _("已完成")

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="pushes")
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("版本"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    note = models.CharField(_("变更说明"), max_length=200, blank=True)
    # A withdrawal notice: why the policy was withdrawn; its ``note`` says what happened, in
    # the words the messages use.
    reason = models.CharField(_("撤回原因"), max_length=10, choices=Reason.choices,
                              blank=True)
    title = models.CharField(_("推送标题"), max_length=255)
    summary = models.CharField(_("适用条件摘要"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    matched = models.PositiveIntegerField(_("匹配企业数"), default=0)
    # The campaign figures, kept by the pipeline in the same transactions as the rows they
    # count (``enterprises.push``), so the campaign view never counts a push's deliveries.
    recorded = models.PositiveIntegerField(_("推送记录数"), default=0)
    sent = models.PositiveIntegerField(_("已送达数"), default=0)
    failed = models.PositiveIntegerField(_("发送失败数"), default=0)
    digest = models.PositiveIntegerField(_("待汇总发送数"), default=0)
    read = models.PositiveIntegerField(_("已读企业数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    matched_at = models.DateTimeField(_("匹配完成时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy"], condition=Q(kind="initial"),
                                    name="push_one_initial_per_policy"),
            models.UniqueConstraint(fields=["policy", "revision"], condition=Q(kind="update"),
                                    name="push_one_update_per_revision"),
            models.UniqueConstraint(fields=["policy", "reason"], condition=Q(kind="withdrawal"),
                                    name="push_one_withdrawal_per_reason"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.title}（{self.get_kind_display()}）"


class Delivery(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("站内消息")
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DIGEST = "digest", _("待汇总发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("发送失败")

    # Written in bulk (one INSERT … SELECT per push, 100,000+ rows a second), so every index
    # and trigger counts: the foreign keys have no single-column indexes (the unique constraint
    # and the inbox index lead with them) and no database constraint (PostgreSQL checks those
    # row by row, which more than doubled the insert time). Rows are only ever inserted from
    # existing enterprises under the locked push, and deletes cascade through Django.
    push = models.ForeignKey(Push, verbose_name=_("推送"), on_delete=models.CASCADE,
                             related_name="deliveries", db_index=False, db_constraint=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.CASCADE, related_name="deliveries",
                                   db_index=False, db_constraint=False)
    channel = models.CharField(_("渠道"), max_length=5, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    retry_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        constraints = [
            models.UniqueConstraint(fields=["push", "enterprise", "channel"],
                                    name="delivery_once_per_enterprise_channel"),
        ]
        indexes = [
            # An enterprise's inbox, newest first.
            models.Index(fields=["enterprise", "-created_at"], condition=Q(channel="inbox"),
                         name="delivery_inbox"),
            # Work still to do per push (dispatch, retries, digests, recovery): small,
            # whatever the number of messages already sent.
            models.Index(fields=["push", "status", "retry_at"],
                         condition=Q(status__in=["pending", "sending", "digest"]),
                         name="delivery_unfinished"),
            # The campaign view's failure list and reads chart. Rows are inserted unread and
            # not failed, so recording never writes to these.
            models.Index(fields=["push"], condition=Q(status="failed"), name="delivery_failed"),
            models.Index(fields=["push", "read_at"], condition=Q(read_at__isnull=False),
                         name="delivery_read"),
        ]

    def __str__(self):
        return f"{self.push} → {self.enterprise_id} ({self.channel})"
