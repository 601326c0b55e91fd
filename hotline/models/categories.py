from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the editable category tree (e.g. 城乡建设 › 物业管理 › 小区环境)."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("咨询")
        HELP = "help", _("求助")
        COMPLAINT = "complaint", _("投诉")
        REPORT = "report", _("举报")
        SUGGESTION = "suggestion", _("建议")

    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("上级分类"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    kind = models.CharField(_("诉求类型"), max_length=20, choices=Kind.choices,
                            default=Kind.COMPLAINT)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"],
                                               name="hotline_category_unique_name")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))

    def ancestors(self, include_self=True):
        """This category and its parents, nearest first."""
        chain, node = [], self if include_self else self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("上级分类不能是本分类或其下级分类。")})
            node = node.parent
