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
        # A significant change is marked for the revision being edited, never carried over.
        self.initial["push_significant_change"] = False
        self.initial["push_change_note"] = ""

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
        from interpretations.services import message_for, package_problems

        candidate = copy.copy(self.instance)
        for field in candidate._meta.concrete_fields:
            if field.name in cleaned and field.name not in ("id", "page_ptr"):
                setattr(candidate, field.name, cleaned[field.name])
        problems = package_problems(candidate)
        if problems:
            raise forms.ValidationError(message_for(problems), code="package_incomplete")
        validity = cleaned.get("validity")
        if validity in ("revised", "repealed") and not cleaned.get("replaced_by"):
            self.add_error("replaced_by", _("已修订或已废止的文件须注明替代它的文件。"))
        return cleaned
