"""Who a policy is for: the criteria fields that ``interpretations.PolicyPage`` carries.

They live on the page (an abstract mixin), so they are drafted, signed off and published with the
document in one revision. The semantics of each criterion are defined once, in
``enterprises/criteria.py``, both as a database filter and as an explanation for one enterprise.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField


class QualificationMode(models.TextChoices):
    ANY = "any", _("具备其中任一项")
    ALL = "all", _("须全部具备")


class AudienceCriteria(models.Model):
    audience_industries = models.JSONField(
        _("适用行业"), default=list, blank=True,
        help_text=_("GB/T 4754-2017 行业代码，任一级别（门类、大类、中类、小类），满足其一即可。"))
    audience_sizes = models.JSONField(_("适用企业规模"), default=list, blank=True)
    audience_divisions = ParentalManyToManyField(
        "core.Division", verbose_name=_("适用区域"), blank=True, related_name="+",
        help_text=_("选择区县即包含其下所有街道、乡镇和村社区。"))
    audience_qualifications = ParentalManyToManyField(
        "enterprises.Qualification", verbose_name=_("要求资质"), blank=True, related_name="+")
    audience_qualification_mode = models.CharField(
        _("资质要求方式"), max_length=3, choices=QualificationMode.choices,
        default=QualificationMode.ANY)
    audience_headcount_min = models.PositiveIntegerField(_("从业人数不少于"), null=True, blank=True)
    audience_headcount_max = models.PositiveIntegerField(_("从业人数不超过"), null=True, blank=True)
    audience_revenue_min = models.DecimalField(_("营业收入不少于（万元）"), max_digits=14,
                                               decimal_places=2, null=True, blank=True)
    audience_revenue_max = models.DecimalField(_("营业收入不超过（万元）"), max_digits=14,
                                               decimal_places=2, null=True, blank=True)
    audience_age_min = models.PositiveSmallIntegerField(_("成立年限不少于（年）"), null=True,
                                                        blank=True)
    audience_age_max = models.PositiveSmallIntegerField(_("成立年限不超过（年）"), null=True,
                                                        blank=True)
    audience_exclude_industries = models.JSONField(_("排除行业"), default=list, blank=True)
    audience_exclude_divisions = ParentalManyToManyField(
        "core.Division", verbose_name=_("排除区域"), blank=True, related_name="+")
    audience_exclude_qualifications = ParentalManyToManyField(
        "enterprises.Qualification", verbose_name=_("排除资质"), blank=True, related_name="+",
        help_text=_("具备其中任一项的企业不适用（例如失信被执行人）。"))
    exempt_application = models.BooleanField(
        _("免申即享"), default=False,
        help_text=_("无需企业申请，由部门根据符合条件的企业名单直接兑现。"))

    class Meta:
        abstract = True
