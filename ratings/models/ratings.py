from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_phone


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.UNSATISFIED, Level.VERY_UNSATISFIED)  # 差评


class Reason(models.TextChoices):
    """Why a 差评 was given: the short list shown on the rating page."""

    UNSOLVED = "unsolved", _("问题没有解决")
    SLOW = "slow", _("办理时间太长")
    ATTITUDE = "attitude", _("服务态度不好")
    ERRANDS = "errands", _("多次跑腿、材料反复要求")
    UNCLEAR = "unclear", _("告知不清楚、政策解释不明白")
    OTHER = "other", _("其他")
    UNSPECIFIED = "unspecified", _("短信评价，未说明原因")


class Channel(models.TextChoices):
    SMS_LINK = "sms_link", _("短信链接")
    SMS_REPLY = "sms_reply", _("短信回复")
    QR = "qr", _("窗口二维码")
    DEFAULT = "default", _("超期默认")
    PORTAL = "portal", _("企业门户")


class RatingQuerySet(models.QuerySet):
    def delete(self):
        # A bulk delete skips ``Rating.delete``; on SQLite no trigger stops it either (test
        # databases are emptied with DELETE there), so the ORM refuses it here.
        raise ValidationError(_("评价不得删除；申诉成立的评价只会不计入统计。"))

    delete.queryset_only = True


class Rating(models.Model):
    """One rating of one service: a finished ticket (一事一评) or a window service (一次一评).

    A rating is never changed after it is given: the unique one-to-one links allow one per
    target, ``save`` refuses to rewrite a stored rating, and a database trigger (migration 0002)
    refuses UPDATEs of its content. Only ``status`` moves (flagged for review, excluded by an
    upheld appeal), and only through ``ratings.services``; nothing is ever deleted: not one by
    one, not in bulk (``RatingQuerySet``), and on PostgreSQL not in SQL either (the trigger).
    """

    class Status(models.TextChoices):
        COUNTED = "counted", _("计入统计")
        FLAGGED = "flagged", _("疑似刷评，待审核")
        EXCLUDED = "excluded", _("不计入统计")

    ticket = models.OneToOneField("hotline.Ticket", verbose_name=_("工单"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="rating")
    event = models.OneToOneField("ratings.ServiceEvent", verbose_name=_("窗口服务"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="rating")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("责任部门"),
                                     on_delete=models.PROTECT, related_name="+", db_index=False)
    item = models.CharField(_("服务事项"), max_length=100)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    is_default = models.BooleanField(_("默认评价"), default=False,
                                     help_text=_("超过期限未评价，按基本满意计。"))
    reason = models.CharField(_("差评原因"), max_length=12, choices=Reason.choices, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    phone = models.CharField(_("评价人手机"), max_length=20, blank=True)
    served_at = models.DateTimeField(_("服务时间"))
    rated_at = models.DateTimeField(_("评价时间"))
    ip_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("统计状态"), max_length=10, choices=Status.choices,
                              default=Status.COUNTED)
    status_note = models.TextField(_("状态说明"), blank=True)

    CONTENT_FIELDS = ("ticket", "event", "organisation", "item", "channel", "level",
                      "is_default", "reason", "comment", "phone", "served_at", "rated_at",
                      "ip_hash", "device_hash")

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ticket__isnull=False, event__isnull=True)
                           | Q(ticket__isnull=True, event__isnull=False)),
                name="ratings_rating_one_target"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5),
                                   name="ratings_rating_level_range"),
            models.CheckConstraint(condition=Q(is_default=False) | Q(level=3),
                                   name="ratings_rating_default_is_basic"),
        ]
        indexes = [
            models.Index(fields=["organisation", "served_at"], name="ratings_rating_org"),
            models.Index(fields=["served_at"], name="ratings_rating_served"),
            models.Index(fields=["ip_hash", "rated_at"], name="ratings_rating_ip"),
            models.Index(fields=["device_hash", "rated_at"], name="ratings_rating_device"),
            models.Index(fields=["status"], name="ratings_rating_flagged",
                         condition=Q(status="flagged")),
        ]
        permissions = [("review_rating", "可以审核疑似刷评的评价")]

    def __str__(self):
        return f"{self.get_level_display()} {self.item}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or [])
            if not fields or fields - {"status", "status_note"}:
                raise ValidationError(_("评价一经作出不得修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("评价不得删除；申诉成立的评价只会不计入统计。"))

    @property
    def is_bad(self):
        return not self.is_default and self.level in BAD_LEVELS

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def target_label(self):
        if self.ticket_id:
            return _("工单 %(number)s") % {"number": self.ticket.number}
        return str(self.event.window)


class RatingInvitation(models.Model):
    """A rating link sent by SMS: a random token of which only the SHA-256 hash is stored.

    Single use (``used_at`` is set by a conditional update in the same transaction that stores
    the rating) and expiring (``expires_at``). ``kind`` says what is rated: the service itself,
    or the rectification of a 差评.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务评价")
        RECTIFICATION = "rectification", _("整改评价")

    kind = models.CharField(_("类别"), max_length=14, choices=Kind.choices, default=Kind.SERVICE)
    ticket = models.ForeignKey("hotline.Ticket", verbose_name=_("工单"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    event = models.ForeignKey("ratings.ServiceEvent", verbose_name=_("窗口服务"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    case = models.ForeignKey("ratings.BadRatingCase", verbose_name=_("差评整改"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="invitations",
                             db_index=False)
    phone = models.CharField(_("手机号码"), max_length=20, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    served_at = models.DateTimeField(_("服务时间"))
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("整改轮次"), default=1,
                                             help_text=_("整改评价：评价的是第几轮整改。"))

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False),
                                    name="ratings_invite_one_per_ticket"),
            models.UniqueConstraint(fields=["event"], condition=Q(event__isnull=False),
                                    name="ratings_invite_one_per_event"),
            models.UniqueConstraint(fields=["case", "round"], condition=Q(case__isnull=False),
                                    name="ratings_invite_one_per_case_round"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {mask_phone(self.phone)}"
