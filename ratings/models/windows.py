import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_phone


def new_window_key():
    return secrets.token_urlsafe(9)


class ServiceItem(models.Model):
    """A matter handled at a service-hall window (政务服务事项), e.g. 社保卡补办."""

    name = models.CharField(_("事项名称"), max_length=100)
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("实施部门"),
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="ratings_item_unique")]

    def __str__(self):
        return self.name


class ServiceWindow(models.Model):
    """One window (窗口) in a service hall; its QR code carries the random ``key``."""

    hall = models.CharField(_("服务大厅"), max_length=100)
    number = models.CharField(_("窗口号"), max_length=20)
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("进驻部门"),
                                     on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("二维码标识"), max_length=20, unique=True, default=new_window_key,
                           editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"],
                                               name="ratings_window_unique")]

    def __str__(self):
        return f"{self.hall} {self.number}号窗口"


class ServiceEvent(models.Model):
    """One service given at a window (一次一评): recorded by the window staff or imported."""

    window = models.ForeignKey(ServiceWindow, verbose_name=_("窗口"), on_delete=models.PROTECT,
                               related_name="events")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("责任部门"),
                                     on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务事项"), on_delete=models.PROTECT,
                             related_name="events")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("窗口工作人员"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    staff_name = models.CharField(_("工作人员姓名"), max_length=40, blank=True)
    phone = models.CharField(_("办事人手机"), max_length=20, blank=True)
    served_at = models.DateTimeField(_("办理时间"))
    source = models.CharField(_("来源"), max_length=10, default="window",
                              choices=[("window", _("窗口登记")), ("import", _("批量导入"))])

    class Meta:
        verbose_name = _("窗口服务记录")
        verbose_name_plural = _("窗口服务记录")
        ordering = ["-served_at"]
        indexes = [models.Index(fields=["window", "served_at"], name="ratings_event_window")]

    def __str__(self):
        return f"{self.window} {self.item} {self.served_at:%Y-%m-%d %H:%M}"

    @property
    def masked_phone(self):
        return mask_phone(self.phone)
