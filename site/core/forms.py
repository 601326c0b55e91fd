from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from core.accounts import lockout_message
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


class LockoutMessageMixin:
    """A login refused because of a lockout (django-axes marks the request) says so, in place
    of "wrong username or password". A username longer than any account's is refused at the
    field (Django only sets the widget's maxlength), before it reaches authentication and the
    lock-out log."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class SiteLoginForm(LockoutMessageMixin, AuthenticationForm):
    """The site login (``/accounts/login/``)."""


class AdminLoginForm(LockoutMessageMixin, LoginForm):
    """Wagtail's login form names its password field without a translatable label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("密码")
