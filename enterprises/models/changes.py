"""The record of every change an enterprise makes to its own profile and preferences."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileChange(models.Model):
    """One field of one enterprise changed: who, when, old → new (as shown to people)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.CASCADE, related_name="profile_changes")
    field = models.CharField(_("字段"), max_length=40)
    label = models.CharField(_("项目"), max_length=60)
    old_value = models.CharField(_("原值"), max_length=300, blank=True)
    new_value = models.CharField(_("新值"), max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("档案修改记录")
        verbose_name_plural = _("档案修改记录")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "-changed_at"],
                                name="enterprises_change_recent")]

    def __str__(self):
        return f"{self.label}: {self.old_value} → {self.new_value}"
