from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message to one person over one channel: the outbox every module sends through.

    A row is written first and the delivery task runs after the transaction commits, so a message
    is never sent for work that rolled back, and one that a dead worker left pending is sent by the
    recovery task (``core.tasks.requeue_unsent_messages``). Sending is idempotent per row.

    A message carrying a usable link (a rating token) is stored masked; ``secret_seed`` lets the
    delivery task derive the real token again (``core.messaging``, "Secrets in messages").
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        INBOX = "inbox", _("站内消息")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("接收地址"), max_length=200, blank=True,
                                 help_text=_("手机号码或电子邮箱；站内消息可留空。"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收用户"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    secret_seed = models.CharField(_("链接密钥种子"), max_length=64, blank=True, editable=False,
                                   help_text=_("仅供发送时还原链接，本身不能使用。"))
    kind = models.CharField(_("类别"), max_length=50, blank=True,
                            help_text=_("产生消息的业务，例如 ticket.receipt。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # 我的消息: the unread badge counts one user's unread inbox rows on every admin page.
            models.Index(fields=["user", "channel", "read_at"], name="core_message_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.subject or self.body[:20]}"
