"""线下帮办: a named helper visits an enterprise about its request and follows it up."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assistance(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("帮办中")
        CLOSED = "closed", _("已完成")

    ticket = models.OneToOneField("hotline.Ticket", verbose_name=_("企业诉求"),
                                  on_delete=models.CASCADE, related_name="assistance")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("帮办人"),
                               on_delete=models.PROTECT, related_name="assistances")
    follow_up_on = models.DateField(_("下次跟进日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True, editable=False,
                                   help_text=_("跟进提醒每天最多发送一次。"))

    class Meta:
        verbose_name = _("线下帮办")
        verbose_name_plural = _("线下帮办")
        ordering = ["follow_up_on", "-created_at"]

    def __str__(self):
        return f"{self.ticket.number} {self.helper}"


class AssistanceVisit(models.Model):
    assistance = models.ForeignKey(Assistance, verbose_name=_("线下帮办"),
                                   on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    people = models.CharField(_("参与人员"), max_length=200)
    outcome = models.TextField(_("走访结果"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["visited_on", "pk"]

    def __str__(self):
        return f"{self.visited_on} {self.people}"
