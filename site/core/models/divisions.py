from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """An administrative division: 市 → 区县 → 乡镇/街道 → 村/社区.

    ``code`` is the 12-digit statistical division code (统计用区划代码). Each level owns a fixed
    number of leading digits, so the divisions inside one are those whose code starts with its
    ``prefix``: one indexed range query instead of a walk down the tree.
    """

    class Level(models.IntegerChoices):
        CITY = 1, _("市")
        COUNTY = 2, _("区县")
        TOWNSHIP = 3, _("乡镇/街道")
        VILLAGE = 4, _("村/社区")

    PREFIX_LENGTH = {Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.full_name

    @property
    def prefix(self):
        return self.code[: self.PREFIX_LENGTH[self.level]]

    @property
    def full_name(self):
        names = [self.name]
        node = self.parent
        while node is not None and node.level > self.Level.CITY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    @classmethod
    def full_names(cls):
        """{id: full name} of every division from one query, for listings and exports."""
        rows = {pk: (name, parent, level) for pk, name, parent, level in
                cls.objects.values_list("pk", "name", "parent_id", "level")}
        names = {}
        for pk in rows:
            parts, node = [], pk
            while node is not None and rows[node][2] > cls.Level.CITY:
                parts.append(rows[node][0])
                node = rows[node][1]
            names[pk] = "".join(reversed(parts)) or rows[pk][0]
        return names

    def descendants(self, include_self=True):
        """All divisions inside this one (a district includes its streets and communities)."""
        qs = Division.objects.filter(code__startswith=self.prefix)
        return qs if include_self else qs.exclude(pk=self.pk)

    def clean(self):
        if not (len(self.code) == 12 and self.code.isdigit()):
            raise ValidationError({"code": _("区划代码必须是12位数字。")})
        if self.parent is None:
            if self.level != self.Level.CITY:
                raise ValidationError({"parent": _("只有市级区划可以没有上级区划。")})
            return
        if self.level != self.parent.level + 1:
            raise ValidationError({"level": _("层级必须比上级区划低一级。")})
        if not self.code.startswith(self.parent.prefix):
            raise ValidationError(
                {"code": _("区划代码必须以上级区划代码 %(prefix)s 开头。") % {"prefix": self.parent.prefix}}
            )
