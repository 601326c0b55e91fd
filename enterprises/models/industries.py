from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """One node of GB/T 4754-2017 (国民经济行业分类).

    ``code`` is the path from the section letter down: ``C`` (门类), ``C39`` (大类), ``C391``
    (中类), ``C3911`` (小类). The 大类 numbers are unique across sections, so a bare ``39`` or
    ``3911`` maps to one path; every code at every level is a prefix of the codes below it, which
    is what lets matching treat "any of these industries" as prefix comparisons in the database.
    """

    class Level(models.IntegerChoices):
        SECTION = 1, _("门类")
        DIVISION = 2, _("大类")
        GROUP = 3, _("中类")
        CLASS = 4, _("小类")

    code = models.CharField(_("行业代码"), max_length=5, unique=True)
    name = models.CharField(_("行业名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级行业"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self):
        return f"{self.display_code} {self.name}"

    @property
    def display_code(self):
        """The code as GB/T 4754 prints it: the letter for a section, digits below it."""
        return self.code if self.level == self.Level.SECTION else self.code[1:]
