"""兑现台账: what a 免申即享 policy has paid to which enterprise, and the reminders sent about its
payout deadline. The rules (deadline, figures, recording, reminders) are in
``enterprises/payouts.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Payout(models.Model):
    """One payout of one 免申即享 policy to one enterprise (at most one per pair)."""

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="payouts",
                               db_index=False)  # the unique constraint's index leads with it
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.CASCADE, related_name="payouts")
    amount = models.DecimalField(_("兑现金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("兑现日期"))
    voucher = models.CharField(_("凭证号"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("兑现记录")
        verbose_name_plural = _("兑现记录")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"],
                                    name="payout_once_per_policy_enterprise"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self):
        return f"{self.policy_id} → {self.enterprise_id}: {self.amount}"


class PayoutReminder(models.Model):
    """A reminder sent to the drafting department about a policy's payout deadline; one per
    policy and kind, so the daily task never sends the same reminder twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("兑现期限临近")
        OVERDUE = "overdue", _("兑现已超期")

    policy = models.ForeignKey("interpretations.PolicyPage", verbose_name=_("政策文件"),
                               on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    unpaid = models.PositiveIntegerField(_("未兑现企业数"))
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("兑现提醒")
        verbose_name_plural = _("兑现提醒")
        constraints = [models.UniqueConstraint(fields=["policy", "kind"],
                                               name="payout_reminder_once")]

    def __str__(self):
        return f"{self.policy_id} {self.kind}"
