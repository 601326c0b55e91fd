import copy

from django import forms
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


class PolicyPageForm(WagtailAdminPageForm):
    """The policy editor. Publishing, submitting for sign-off and workflow actions validate the
    package with the same rule as every other route; saving a draft does not."""

    def clean(self):
        cleaned = super().clean()
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
