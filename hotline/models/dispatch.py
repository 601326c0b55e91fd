from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchRule(models.Model):
    """One line of the dispatch catalogue (派单目录): category × division → 主办 + 协办.

    The most specific line wins: the deepest matching category, then the deepest matching
    division; a line without a division applies city-wide.
    """

    category = models.ForeignKey("hotline.Category", verbose_name=_("分类"),
                                 on_delete=models.CASCADE, related_name="dispatch_rules")
    division = models.ForeignKey("core.Division", verbose_name=_("区划"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+",
                                 help_text=_("留空表示全市。"))
    lead = models.ForeignKey("core.Organisation", verbose_name=_("主办单位"),
                             on_delete=models.PROTECT, related_name="+")
    assisting = models.ManyToManyField("core.Organisation", verbose_name=_("协办单位"),
                                       blank=True, related_name="+")
    basis = models.CharField(_("职责依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["category__pk", "division__code"]
        constraints = [models.UniqueConstraint(fields=["category", "division"],
                                               name="hotline_rule_unique")]

    def __str__(self):
        return f"{self.category} · {self.division or _('全市')} → {self.lead}"


class DispatchObjection(models.Model):
    """派单异议: a department says a ticket is not its own; the hotline reviews it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        UPHELD = "upheld", _("异议成立（已改派）")
        REJECTED = "rejected", _("异议不成立")

    ticket = models.ForeignKey("hotline.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="objections")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("提出单位"),
                                     on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"),
                                  null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("异议理由"))
    suggested = models.ForeignKey("core.Organisation", verbose_name=_("建议承办单位"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("审核结果"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("提出时间"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单异议")
        verbose_name_plural = _("派单异议")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["ticket"], condition=models.Q(status="pending"),
            name="hotline_one_pending_objection")]

    def __str__(self):
        return f"{self.ticket} · {self.organisation} · {self.get_status_display()}"
