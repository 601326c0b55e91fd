from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.models import Level, Reason

REASON_CHOICES = [(v, label) for v, label in Reason.choices if v != Reason.UNSPECIFIED]


class RatingForm(forms.Form):
    """The rating page: level, and for a 差评 a reason from the list plus free text. The rules
    themselves (reason required for 差评, length) live in ratings.services._clean."""

    level = forms.TypedChoiceField(label=_("您对这次服务的评价"), coerce=int,
                                   choices=Level.choices, widget=forms.RadioSelect,
                                   error_messages={"required": _("请选择评价等级。")})
    reason = forms.ChoiceField(label=_("不满意的原因（差评必选）"), required=False,
                               choices=[("", _("请选择"))] + REASON_CHOICES)
    comment = forms.CharField(label=_("具体情况或建议（选填）"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 4}))


class RectificationForm(RatingForm):
    """The rating of a rectification: the same levels and, for a 差评, the same reasons as a
    first rating (a 差评 starts another round of rectification, see
    ratings.services.conclude_round)."""

    level = forms.TypedChoiceField(label=_("您对整改结果的评价"), coerce=int,
                                   choices=Level.choices, widget=forms.RadioSelect,
                                   error_messages={"required": _("请选择评价等级。")})


class WindowRatingForm(RatingForm):
    phone_check = forms.CharField(label=_("办事时登记的手机号码后四位"), required=False,
                                  max_length=4, min_length=4,
                                  widget=forms.TextInput(attrs={
                                      "inputmode": "numeric", "autocomplete": "off",
                                      "pattern": "[0-9]{4}",
                                      "aria-describedby": "phone-check-help"}))


class EventForm(forms.Form):
    """Window staff record a service just given (一次一评)."""

    window = forms.ModelChoiceField(label=_("窗口"), queryset=None)
    item = forms.ModelChoiceField(label=_("服务事项"), queryset=None)
    phone = forms.RegexField(label=_("办事人手机号码"), regex=r"^1[3-9]\d{9}$", required=False,
                             error_messages={"invalid": _("请填写11位手机号码。")},
                             help_text=_("填写后发送评价短信；扫码评价时需核对后四位。"))

    def __init__(self, *args, windows, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows
        self.fields["item"].queryset = items
