from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_name, mask_phone
from enterprises.validators import validate_credit_code, validate_industry_code


class SizeClass(models.TextChoices):
    """企业规模 (大中小微企业划型)."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", _("存续（在营）")
    SUSPENDED = "suspended", _("停业")
    MOVED = "moved", _("迁出")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("即时推送")
    DIGEST = "digest", _("每日汇总")
    NONE = "none", _("不接收推送")


class Qualification(models.Model):
    """A qualification an enterprise holds (高新技术企业, 专精特新, 科技型中小企业, …)."""

    name = models.CharField(_("资质名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业资质")
        verbose_name_plural = _("企业资质")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    """An enterprise profile (企业画像), keyed by its 统一社会信用代码."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    name = models.CharField(_("企业名称"), max_length=200)
    industry_code = models.CharField(
        _("国民经济行业"), max_length=5, db_index=True, validators=[validate_industry_code],
        help_text=_("GB/T 4754-2017 行业代码，以门类字母开头，例如 C3911。"))
    size_class = models.CharField(_("企业规模"), max_length=10, choices=SizeClass.choices)
    division = models.ForeignKey("core.Division", verbose_name=_("注册地区划"),
                                 on_delete=models.PROTECT, related_name="enterprises")
    headcount = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=14, decimal_places=2,
                                  null=True, blank=True)
    registered_on = models.DateField(_("成立日期"))
    status = models.CharField(_("经营状态"), max_length=10, choices=OperatingStatus.choices,
                              default=OperatingStatus.OPERATING)
    qualifications = models.ManyToManyField(Qualification, verbose_name=_("资质"), blank=True,
                                            related_name="enterprises")

    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)

    notify_inbox = models.BooleanField(_("站内消息"), default=True)
    notify_sms = models.BooleanField(_("短信"), default=True)
    notify_email = models.BooleanField(_("电子邮件"), default=False)
    notify_frequency = models.CharField(_("推送频率"), max_length=10, choices=Frequency.choices,
                                        default=Frequency.IMMEDIATE)

    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("企业门户账号"),
                                   blank=True, related_name="enterprises")
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def masked_contact_name(self):
        return mask_name(self.contact_name)

    @property
    def masked_contact_phone(self):
        return mask_phone(self.contact_phone)
