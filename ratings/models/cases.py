from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ratings import Level, Reason


class BadRatingCase(models.Model):
    """差评整改: every 差评 opens one case for the responsible department.

    回访核实 (callback, due in ``RATINGS_CALLBACK_WORKING_DAYS``) → 整改 (due in
    ``RATINGS_RECTIFY_WORKING_DAYS``) → 反馈 (the rater is told and rates the rectification) →
    办结. A 差评 of the rectification starts the next round (``round``; 整改中 again, escalated to
    the supervisors); the loop ends only with a non-差评 rating, an upheld appeal or the
    supervisor's written decision (``ratings.services.conclude_round``). The rectification and
    rating fields hold the current round; ``history`` keeps every step of every round. Stages
    only move through ``ratings.services``.
    """

    class Stage(models.TextChoices):
        CALLBACK = "callback", _("待回访核实")
        RECTIFYING = "rectifying", _("整改中")
        FEEDBACK = "feedback", _("待群众评价整改")
        CLOSED = "closed", _("已办结")
        APPEAL_UPHELD = "withdrawn", _("申诉成立，已撤销")
        DECIDED = "decided", _("督办决定办结")

    FINISHED_STAGES = (Stage.CLOSED, Stage.APPEAL_UPHELD, Stage.DECIDED)

    rating = models.OneToOneField("ratings.Rating", verbose_name=_("评价"),
                                  on_delete=models.PROTECT, related_name="case")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("责任部门"),
                                     on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices,
                             default=Stage.CALLBACK)
    created_at = models.DateTimeField(_("立案时间"))
    round = models.PositiveSmallIntegerField(_("整改轮次"), default=1)
    callback_due = models.DateTimeField(_("回访期限"))
    rectify_due = models.DateTimeField(_("整改期限"))
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访核实情况"), blank=True)
    callback_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectify_note = models.TextField(_("整改情况"), blank=True)
    rectified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("整改填报人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    followup_level = models.PositiveSmallIntegerField(_("整改评价"), null=True, blank=True,
                                                      choices=Level.choices)
    followup_reason = models.CharField(_("整改评价差评原因"), max_length=12,
                                       choices=Reason.choices, blank=True)
    followup_comment = models.TextField(_("整改评价内容"), blank=True)
    followup_at = models.DateTimeField(_("整改评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False)
    escalated_at = models.DateTimeField(_("报送督办时间"), null=True, blank=True)
    ticket_reopened = models.BooleanField(_("已重办工单"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办决定人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("督办决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("督办决定及理由"), blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage", "organisation"], name="ratings_case_queue")]
        permissions = [("handle_case", "可以回访和整改本单位差评"),
                       ("decide_appeal", "可以裁定差评申诉")]

    def __str__(self):
        return f"{self.organisation} {self.get_stage_display()}"

    @property
    def open(self):
        return self.stage in (self.Stage.CALLBACK, self.Stage.RECTIFYING)

    @property
    def finished(self):
        return self.stage in self.FINISHED_STAGES

    @property
    def escalated(self):
        """A second (or later) round: the rater gave the rectification a 差评 too."""
        return self.round > 1


class CaseEvent(models.Model):
    """One step of a 差评整改 case, in every round: the history shown on the case page. Rows are
    only added (by ``ratings.services``), never changed."""

    class Action(models.TextChoices):
        OPENED = "opened", _("差评立案")
        CALLBACK = "callback", _("回访核实")
        RECTIFY = "rectify", _("整改完成并反馈")
        RATED = "rated", _("群众评价整改")
        REOPENED = "reopened", _("再次差评，重新整改并报送督办")
        CLOSED = "closed", _("办结")
        OVERDUE = "overdue", _("超期报送督办")
        APPEAL = "appeal", _("提出申诉")
        APPEAL_DECIDED = "appeal_decided", _("裁定申诉")
        DECIDED = "decided", _("督办决定办结")

    case = models.ForeignKey(BadRatingCase, verbose_name=_("差评整改"), on_delete=models.PROTECT,
                             related_name="history")
    round = models.PositiveSmallIntegerField(_("整改轮次"))
    action = models.CharField(_("环节"), max_length=16, choices=Action.choices)
    created_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("经办"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("评价等级"), null=True, blank=True,
                                             choices=Level.choices)
    reason = models.CharField(_("差评原因"), max_length=12, choices=Reason.choices, blank=True)
    note = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("差评整改记录")
        verbose_name_plural = _("差评整改记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.get_action_display()}"


class Appeal(models.Model):
    """申诉复核: a department asks that a mistaken or malicious 差评 not count."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待裁定")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    case = models.OneToOneField(BadRatingCase, verbose_name=_("差评整改"),
                                on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField(_("申诉理由"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"),
                                  on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("申诉时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-raised_at"]

    def __str__(self):
        return f"{self.case} {self.get_status_display()}"
