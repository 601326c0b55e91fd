from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A body that acts in the platform: a department, a district government, a street office,
    a village or community committee, or the 12345 hotline centre. Each sits in a division and
    under a parent organisation."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        DEPARTMENT = "department", _("政府部门")
        HOTLINE = "hotline", _("12345热线中心")
        STREET_OFFICE = "street_office", _("乡镇人民政府/街道办事处")
        VILLAGE_COMMITTEE = "village_committee", _("村（居）民委员会")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    principal = models.CharField(_("主要负责人"), max_length=40, blank=True)
    phone = models.CharField(_("办公电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["division__code", "kind", "name"]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("上级机构不能是本机构或其下级机构。")})
            node = node.parent

    def descendant_ids(self):
        """Ids of this organisation and every organisation below it."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            frontier = [pk for pk in frontier if pk not in ids]
            ids.update(frontier)
        return ids
