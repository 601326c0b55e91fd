from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    PRIORITY = "priority", _("较急")
    NORMAL = "normal", _("一般")


class TimeLimit(models.Model):
    """Time limits of one category (and its sub-categories) and urgency, per stage.

    The most specific row wins: the ticket's own category, then its parents, then the row with
    no category (the city-wide default for that urgency).
    """

    category = models.ForeignKey("hotline.Category", verbose_name=_("分类"), null=True,
                                 blank=True, on_delete=models.CASCADE, related_name="time_limits",
                                 help_text=_("留空表示所有分类的默认时限。"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    sign_hours = models.PositiveSmallIntegerField(_("签收时限（工作小时）"), default=2)
    handle_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), default=15, help_text=_("0 表示当日办结（按签收时限小时计）。"))
    callback_days = models.PositiveSmallIntegerField(_("回访时限（工作日）"), default=1)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["category__pk", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="hotline_limit_unique"),
            models.UniqueConstraint(fields=["urgency"], condition=models.Q(category=None),
                                    name="hotline_limit_default_unique"),
        ]

    def __str__(self):
        return f"{self.category or _('默认')} · {self.get_urgency_display()}"


class CalendarDay(models.Model):
    """An administrator's entry in the holiday calendar: it wins over the chinese_calendar
    package. Enter a year the package does not know yet (its holidays and 调休 working
    weekends), or correct a day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"),
                                     help_text=_("勾选＝上班（含调休上班的周末）；不勾选＝放假。"))
    note = models.CharField(_("说明"), max_length=60, blank=True,
                            help_text=_("例如：国庆节、国庆节调休上班。"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.note}"


class CalendarYear(models.Model):
    """An administrator's confirmation that a year's 放假 and 调休 days are all entered (from the
    State Council's notice). Until then a year the chinese_calendar package does not know counts
    Monday to Friday, and deadlines falling in it are shown as 待核定 (``hotline.calendar``)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    basis = models.CharField(_("依据"), max_length=100, blank=True,
                             help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知。"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}"
