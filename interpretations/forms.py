import copy

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.routes import PageForm
from enterprises.forms import (
    IndustryCodesField,
    SizeClassesField,
    criteria_division_choices,
    criteria_problems,
)


class PolicyPageForm(PageForm):
    """The policy editor. Publishing, submitting for sign-off and workflow actions validate the
    package with the same rule as every other route; saving a draft does not."""

    # 精准推送: who the policy is for (semantics in enterprises/criteria.py).
    audience_industries = IndustryCodesField(label=gettext_lazy("适用行业"))
    audience_exclude_industries = IndustryCodesField(label=gettext_lazy("排除行业"))
    audience_sizes = SizeClassesField(label=gettext_lazy("适用企业规模"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if "drafting_department" in self.fields and user is not None:
            from interpretations.permissions import drafting_department_choices

            self.fields["drafting_department"].queryset = drafting_department_choices(
                user, self.instance.drafting_department_id)
        for name in ("audience_divisions", "audience_exclude_divisions"):
            if name in self.fields:
                self.fields[name].queryset = criteria_division_choices()
        if "audience_qualification_mode" in self.fields:
            self.fields["audience_qualification_mode"].required = False
        if "body" in self.fields and not self.instance.pk and not self.initial.get("body"):
            # A new document opens with its text box ready (tables are added as blocks).
            self.initial["body"] = self.fields["body"].block.to_python(
                [{"type": "text", "value": ""}])
        if "change_kind" in self.fields:  # two answers, none chosen until the editor chooses
            from interpretations.models import PolicyPage

            self.fields["change_kind"].choices = PolicyPage.ChangeKind.choices
        # What a revision changes is said for that revision: an edit that starts from the live
        # version starts blank (a draft under sign-off keeps what its editor said).
        if self.instance.pk and self.instance.latest_revision_id == self.instance.live_revision_id:
            self.initial["change_kind"] = ""
            self.initial["change_note"] = ""

    def clean_audience_qualification_mode(self):
        return self.cleaned_data.get("audience_qualification_mode") or "any"

    def clean(self):
        cleaned = super().clean()
        for field, message in criteria_problems(cleaned).items():
            # A draft may be saved before its criteria are complete.
            if field in self.fields and not (self.is_deferred_validation
                                             and field == "exempt_application"):
                self.add_error(field, message)
        if self.is_deferred_validation:
            return cleaned
        from interpretations.publishing import message_for, package_problems

        candidate = copy.copy(self.instance)
        for field in candidate._meta.concrete_fields:
            if field.name in cleaned and field.name not in ("id", "page_ptr"):
                setattr(candidate, field.name, cleaned[field.name])
        problems = package_problems(candidate)
        if problems:
            raise forms.ValidationError(message_for(problems), code="package_incomplete")
        validity = cleaned.get("validity")
        if validity in ("revised", "replaced") and not cleaned.get("replaced_by"):
            self.add_error("replaced_by", _("已修订或已被替代的文件须注明替代它的文件。"))
        self.clean_change(cleaned)
        if "action-publish" in self.data:
            # Publishing from the editor makes a new revision, which no step has signed yet.
            raise forms.ValidationError(self.unsigned_message(), code="not_signed_off")
        return cleaned

    def clean_change(self, cleaned):
        """A revision of a policy that has been published says what it changes."""
        if not (self.instance.pk and self.instance.first_published_at):
            return
        kind = cleaned.get("change_kind")
        if not kind:
            self.add_error("change_kind", _("修改已发布的文件，请选择修改类型：重要修订或细微修改。"))
        elif kind == "significant" and not (cleaned.get("change_note") or "").strip():
            self.add_error("change_note", _("重要修订须填写修订说明，说明修订了哪些内容。"))

    def unsigned_message(self):
        from interpretations.publishing import may_emergency_publish, workflow_steps

        steps = "、".join(step.name for step in workflow_steps(self.instance.get_workflow()))
        task = self.instance.current_workflow_task if self.instance.pk else None
        if task is not None:
            message = _("政策文件须经完整审签后才能发布。本文件正在审签（当前环节：%(task)s），"
                        "全部环节同意后自动发布；直接发布会生成一个未经审签的新版本。") % {
                "task": task.name}
        else:
            message = _("政策文件须经完整审签后才能发布：本次保存的版本尚未经过审签（%(steps)s）。"
                        "请点击“提交审签”（在“发布”旁的下拉菜单中）送审，全部环节同意后自动发布。"
                        ) % {"steps": steps or _("未设置审签流程")}
        user = getattr(self, "for_user", None)
        if user is not None and may_emergency_publish(user, self.instance):
            message += _("确属紧急情况的，可保存草稿后在“审签与发布”中使用“紧急发布”并写明理由。")
        return message
