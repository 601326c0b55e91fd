from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingDay(models.Model):
    """Per-day counts of the counted ratings, by department, service item and channel.

    Derived data only, written by ``ratings.rollup.refresh`` from the ratings table with the
    conditions of ``ratings.metrics.COUNTS``; the figures are computed from these counts at
    read time. Database triggers put every day touched by a rating or case change into
    ``DirtyDay``, and ``refresh`` runs before every read, so the figures are always exact.
    """

    day = models.DateField(_("日期"))
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE,
                                     related_name="+", db_index=False)
    item = models.CharField(max_length=100)
    channel = models.CharField(max_length=10)
    total = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    defaults = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    active_good = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    bad_replied = models.PositiveIntegerField(default=0)
    bad_rectified = models.PositiveIntegerField(default=0)
    followed = models.PositiveIntegerField(default=0)
    followed_good = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("评价日汇总")
        verbose_name_plural = _("评价日汇总")
        constraints = [models.UniqueConstraint(fields=["day", "organisation", "item", "channel"],
                                               name="ratings_day_unique")]
        indexes = [models.Index(fields=["organisation", "day"], name="ratings_day_org")]

    def __str__(self):
        return f"{self.day} {self.item}"


class DirtyDay(models.Model):
    """A day whose RatingDay rows must be recomputed (filled by database triggers)."""

    day = models.DateField(primary_key=True)

    def __str__(self):
        return str(self.day)
