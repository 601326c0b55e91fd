from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from core.models import Organisation


class OrganisationFieldsMixin(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True), required=False, label=_("所属机构")
    )
    phone = forms.RegexField(
        regex=r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$",
        required=False,
        label=_("手机号码"),
        error_messages={"invalid": _("请输入11位手机号码或带区号的固定电话。")},
    )


class PlatformUserCreationForm(OrganisationFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"organisation", "phone"}


class PlatformUserEditForm(OrganisationFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"organisation", "phone"}


class AdminLoginForm(LoginForm):
    """Wagtail's login form names its password field without a translatable label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("密码")
