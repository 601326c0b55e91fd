from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionToken(models.Model):
    """One submitted form, by its idempotency token: a second submission with the same token
    (a double click, a retried request) finds this row and shows what the first one made
    instead of making it again (``core.idempotency``). The unique constraint decides between
    two submissions racing each other; rows are removed after a week
    (``core.tasks.purge_submission_tokens``). ``token`` holds the submission key: a digest of
    the form's hidden token and the data submitted with it."""

    scope = models.CharField(_("表单"), max_length=60)
    token = models.CharField(_("提交令牌"), max_length=64)
    reference = models.CharField(_("提交结果"), max_length=100, blank=True,
                                 help_text=_("首次提交生成的记录，例如工单编号。"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("表单提交令牌")
        verbose_name_plural = _("表单提交令牌")
        constraints = [models.UniqueConstraint(fields=["scope", "token"],
                                               name="core_submission_token_unique")]

    def __str__(self):
        return f"{self.scope}:{self.reference}"
