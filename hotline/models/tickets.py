from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_name, mask_phone
from core.storage import private_storage

from .deadlines import Urgency


class Status(models.TextChoices):
    PENDING_DISPATCH = "dispatch", _("待派单")
    PENDING_SIGN = "sign", _("待签收")
    IN_PROGRESS = "handling", _("办理中")
    REPLIED = "replied", _("已答复")
    PENDING_CALLBACK = "callback", _("待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")


OPEN_STATUSES = [Status.PENDING_DISPATCH, Status.PENDING_SIGN, Status.IN_PROGRESS,
                 Status.REPLIED, Status.PENDING_CALLBACK]


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    MINIPROGRAM = "miniprogram", _("微信小程序")
    SMS = "sms", _("短信")
    ENTERPRISE = "enterprise", _("政企通")
    TRANSFERRED = "transferred", _("上级转办")


class Alert(models.TextChoices):
    NONE = "", _("正常")
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("超期")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    # Three callback attempts on different working days reached nobody: counted apart,
    # neither satisfied nor unsatisfied (``hotline.metrics``).
    UNREACHABLE = "unreachable", _("无法联系")


class Ticket(models.Model):
    """One 12345 request (工单). Its status only changes through ``hotline.workflows.perform``."""

    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    channel = models.CharField(_("受理渠道"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING_DISPATCH)
    alert = models.CharField(_("时限预警"), max_length=10, choices=Alert.choices, blank=True,
                             default=Alert.NONE)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    category = models.ForeignKey("hotline.Category", verbose_name=_("诉求分类"),
                                 on_delete=models.PROTECT, related_name="tickets")
    division = models.ForeignKey("core.Division", verbose_name=_("所属区划"),
                                 on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("事发地址"), max_length=200, blank=True)
    caller_name = models.CharField(_("诉求人姓名"), max_length=40)
    caller_phone = models.CharField(_("联系电话"), max_length=20)
    content = models.TextField(_("诉求内容"))
    policy = models.ForeignKey("wagtailcore.Page", verbose_name=_("涉及政策"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)
    # 涉及企业: the enterprise the request is about, as recorded (by staff, or by the portal
    # for the enterprise's own request). It links the ticket to the enterprise's profile and
    # grants the enterprise nothing: a worker's complaint about an employer carries its code.
    enterprise_credit_code = models.CharField(
        _("涉及企业统一社会信用代码"), max_length=18, blank=True,
        help_text=_("诉求涉及的企业，用于关联企业档案；企业凭此不能查看或评价本工单。"))  # indexed, see Meta
    enterprise_name = models.CharField(_("涉及企业名称"), max_length=100, blank=True)
    # The enterprise that filed the request itself through its portal (政企通): the only one
    # that sees it there and rates it (``enterprises.services.requests_for``).
    filed_by_enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("提交企业"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
        help_text=_("通过企业门户提交本诉求的企业，仅由门户填写。"))  # indexed, see Meta

    suggested_lead = models.ForeignKey("core.Organisation", verbose_name=_("建议主办单位"),
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", db_index=False)
    lead_org = models.ForeignKey("core.Organisation", verbose_name=_("主办单位"), null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="lead_tickets", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)

    received_at = models.DateTimeField(_("受理时间"))
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    sign_deadline = models.DateTimeField(_("签收期限"), null=True, blank=True)
    handle_deadline = models.DateTimeField(_("办理期限"), null=True, blank=True)
    callback_deadline = models.DateTimeField(_("回访期限"), null=True, blank=True)

    reply = models.TextField(_("答复内容"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices,
                                    blank=True)
    resolved = models.BooleanField(_("诉求已解决"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    pending_extension_days = models.PositiveSmallIntegerField(_("申请延期（工作日）"), null=True,
                                                              blank=True)
    pending_extension_reason = models.TextField(_("延期理由"), blank=True)

    merged_into = models.ForeignKey("self", verbose_name=_("并入工单"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_tickets",
                                    db_index=False)
    repeat_of = models.ForeignKey("self", verbose_name=_("重复于"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    repeat_root = models.ForeignKey("self", verbose_name=_("诉求事项"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="repeats",
                                    help_text=_("重复诉求所属事项的首件工单。"), db_index=False)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["caller_phone", "received_at"], name="hotline_ticket_phone"),
            models.Index(fields=["address", "category", "received_at"],
                         name="hotline_ticket_address"),
            models.Index(fields=["status", "lead_org"], name="hotline_ticket_queue"),
            models.Index(fields=["received_at"], name="hotline_ticket_received"),
            # Only tickets that are due soon or overdue are in the 临期/超期 index.
            models.Index(fields=["alert", "status"], name="hotline_ticket_alert",
                         condition=~models.Q(alert="")),
            # Most tickets have none of these links: partial indexes cost nothing on intake.
            *[models.Index(fields=[name], name=f"hotline_ticket_{name[:14]}",
                           condition=models.Q(**{f"{name}__isnull": False}))
              for name in ("merged_into", "repeat_root", "repeat_of", "policy", "lead_org",
                           "filed_by_enterprise")],
            models.Index(fields=["enterprise_credit_code"], name="hotline_ticket_enterprise",
                         condition=~models.Q(enterprise_credit_code="")),
        ]
        permissions = [
            ("dispatch_ticket", "可以派单、审核答复和回访"),
            ("handle_ticket", "可以签收和办理工单"),
            ("supervise_ticket", "可以督办工单"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_escalated_complaint(self):
        """越级: the request came down from a higher level."""
        return self.channel == Channel.TRANSFERRED

    @property
    def current_deadline(self):
        return {
            Status.PENDING_SIGN: self.sign_deadline,
            Status.IN_PROGRESS: self.handle_deadline,
            Status.REPLIED: self.handle_deadline,
            Status.PENDING_CALLBACK: self.callback_deadline,
        }.get(self.status)

    @property
    def matter(self):
        return self.repeat_root or self

    @property
    def masked_caller_name(self):
        return mask_name(self.caller_name)

    @property
    def masked_caller_phone(self):
        return mask_phone(self.caller_phone)


class TicketAssignment(models.Model):
    """Which organisation handles a ticket: one 主办 and any number of 协办."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("单位"),
                                     on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=6, choices=Role.choices)
    active = models.BooleanField(_("有效"), default=True)
    assigned_at = models.DateTimeField(_("派单时间"))

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["role", "pk"]

    def __str__(self):
        return f"{self.get_role_display()} {self.organisation}"


class TicketEvent(models.Model):
    """One line of a ticket's timeline: who did what, when, with which note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events",
                               db_index=False)  # (ticket, created_at) below serves it
    action = models.CharField(_("操作"), max_length=30)
    label = models.CharField(_("操作名称"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Status.choices,
                                   blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Status.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)
    actor_name = models.CharField(_("操作人姓名"), max_length=60, blank=True)
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("操作单位"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+",
                                     db_index=False)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("诉求人可见"), default=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="hotline_event_ticket")]

    def __str__(self):
        return f"{self.label} {self.created_at:%Y-%m-%d %H:%M}"


class TicketAttachment(models.Model):
    """A file a caller or enterprise sent with a request: personal data, so it is kept in the
    private storage (outside MEDIA_ROOT) and served only by ``hotline.attachments.download``."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="hotline/%Y/%m/", storage=private_storage)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.name


class TicketSequence(models.Model):
    """The last number handed out per day, so numbers are readable and never collide.

    PostgreSQL numbers from a sequence per day instead (``hotline_next_ticket_number``, see
    migration 0005), which starts after the number recorded here for that day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"

