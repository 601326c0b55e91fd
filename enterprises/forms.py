"""Forms of 企业服务. Sections: calculator and criteria (matching), portal (profile,
preferences, requests, 线下帮办), 免申即享 payouts."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.idempotency import IdempotentFormMixin
from core.widgets import PhoneInput
from enterprises.models import Frequency, SizeClass


def headcount_field(label):
    """从业人数 as the calculator and the profile ask for it."""
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=10_000_000,
        error_messages={"invalid": _("从业人数请填写整数。"),
                        "min_value": _("从业人数不能为负数。"),
                        "max_value": _("从业人数超出合理范围，请核对。")})


def revenue_field(label):
    """营业收入 in 万元 as the calculator and the profile ask for it."""
    too_large = _("营业收入超出合理范围，请核对（单位为万元）。")
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=14, decimal_places=2,
        error_messages={"invalid": _("营业收入请填写数字，单位为万元。"),
                        "min_value": _("营业收入不能为负数。"), "max_digits": too_large,
                        "max_decimal_places": _("营业收入最多保留两位小数。"),
                        "max_whole_digits": too_large})


# --- calculator and criteria ---------------------------------------------------------------------


class IndustryCodesField(forms.CharField):
    """GB/T 4754 codes typed as text (``C, I65, 3911``) → a list of canonical paths."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _(
            "填写 GB/T 4754-2017 行业代码，多个用逗号或空格分隔，任一级别均可：门类字母（如 C）、"
            "大类（如 39）、中类（如 391）或小类（如 3911）。"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            from enterprises.industries import display_code

            return ", ".join(display_code(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = " ".join(value)
        parts = [p for p in re.split(r"[\s,，、;；]+", value or "") if p]
        from enterprises.industries import canonical_codes

        return canonical_codes(parts)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class SizeClassesField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("choices", SizeClass.choices)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("error_messages", {"invalid_choice": _("请选择有效的企业规模。")})
        super().__init__(**kwargs)

    def clean(self, value):
        chosen = super().clean(value)
        return [s for s in SizeClass.values if s in chosen]  # canonical order


RANGES = [("audience_headcount_min", "audience_headcount_max", _("从业人数")),
          ("audience_revenue_min", "audience_revenue_max", _("营业收入")),
          ("audience_age_min", "audience_age_max", _("成立年限"))]


def criteria_problems(data):
    """{field: message} for contradictory criteria in a policy form's cleaned data."""
    problems = {}
    for low, high, label in RANGES:
        if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
            problems[high] = _("%(label)s的上限不能小于下限。") % {"label": label}
    overlap = set(data.get("audience_industries") or []) & set(
        data.get("audience_exclude_industries") or [])
    if overlap:
        problems["audience_exclude_industries"] = _("同一行业不能既适用又排除：%(codes)s。") % {
            "codes": "、".join(sorted(overlap))}
    if data.get("exempt_application") and not any(_given(data.get(n)) for n in CRITERIA_FIELDS):
        problems["exempt_application"] = _("免申即享政策须设置适用企业条件，才能生成符合条件企业名单。")
    return problems


def _given(value):
    if hasattr(value, "exists"):  # the queryset of a many-to-many field
        return value.exists()
    return value not in (None, "", [], ())


CRITERIA_FIELDS = ["audience_industries", "audience_sizes", "audience_divisions",
                   "audience_qualifications", "audience_headcount_min", "audience_headcount_max",
                   "audience_revenue_min", "audience_revenue_max", "audience_age_min",
                   "audience_age_max", "audience_exclude_industries",
                   "audience_exclude_divisions", "audience_exclude_qualifications"]


def criteria_division_choices():
    """Divisions a policy can target: the city, its districts and their streets/townships."""
    from core.models import Division

    return Division.objects.filter(level__lte=Division.Level.TOWNSHIP).order_by("code")


class CalculatorForm(forms.Form):
    """政策计算器: a visitor describes an enterprise; anything left blank is unknown."""

    section = forms.ChoiceField(label=_("行业门类"), required=False)
    division_code = forms.ChoiceField(label=_("行业大类"), required=False,
                                      help_text=_("先选门类，再选大类；知道具体代码也可直接填写下一项。"))
    industry_code = forms.CharField(label=_("行业代码（可选）"), required=False, max_length=8,
                                    help_text=_("例如 3911 或 C3911，填写后以此为准。"))
    size_class = forms.ChoiceField(label=_("企业规模"), required=False,
                                   choices=[("", _("不确定"))] + list(SizeClass.choices),
                                   error_messages={"invalid_choice": _("请选择有效的企业规模。")})
    division = forms.ModelChoiceField(
        label=_("注册地（区县或街道）"), required=False, queryset=None, empty_label=_("不确定"),
        error_messages={"invalid_choice": _("请选择有效的区县或街道。")})
    qualifications = forms.ModelMultipleChoiceField(
        label=_("已具备的资质"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未勾选的资质视为不具备。"),
        error_messages={"invalid_choice": _("请选择有效的资质。"),
                        "invalid_pk_value": _("请选择有效的资质。")})
    headcount = headcount_field(_("从业人数（可选）"))
    revenue = revenue_field(_("上年营业收入（万元，可选）"))
    registered_on = forms.DateField(
        label=_("成立日期（可选）"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请填写正确的日期，例如 2018-05-20。")})

    def __init__(self, *args, **kwargs):
        from core.models import Division
        from enterprises import industries
        from enterprises.models import Qualification

        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("不确定"))] + [
            (code, f"{code} {name}") for code, name in industries.sections()]
        self.fields["division_code"].choices = [("", _("不确定"))] + [
            (industries.names().get(letter, letter), options)
            for letter, options in industries.divisions_by_section().items()]
        self.fields["division"].queryset = Division.objects.filter(
            level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP]).order_by("code")
        self.fields["division"].label_from_instance = lambda d: (
            d.name if d.level == Division.Level.COUNTY else f"\u3000{d.name}")
        self.fields["qualifications"].queryset = Qualification.objects.order_by("name")

    def clean_industry_code(self):
        from enterprises.industries import canonical_code

        value = self.cleaned_data["industry_code"].strip()
        return canonical_code(value) if value else ""

    def clean_registered_on(self):
        from enterprises.criteria import reference_date

        value = self.cleaned_data["registered_on"]
        if value and value > reference_date():
            raise ValidationError(_("成立日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        section, division = data.get("section"), data.get("division_code")
        if section and division and not division.startswith(section):
            self.add_error("division_code", _("所选大类不属于所选门类，请重新选择。"))
        return data

    def profile(self):
        """The visitor's answers as a ``criteria.Profile`` (blank → unknown)."""
        from enterprises.criteria import Profile

        data = self.cleaned_data
        return Profile(
            industry_code=data.get("industry_code") or data.get("division_code")
            or data.get("section") or None,
            size_class=data.get("size_class") or None,
            division=data.get("division"),
            headcount=data.get("headcount"),
            revenue=data.get("revenue"),
            registered_on=data.get("registered_on"),
            qualifications={q.pk for q in data.get("qualifications") or []},
        )


class EnterpriseAdminForm(WagtailAdminModelForm):
    """企业档案 in the admin: the credit code and industry code are normalised, then checked."""

    def clean_credit_code(self):
        from enterprises.validators import normalise_credit_code, validate_credit_code

        code = normalise_credit_code(self.cleaned_data.get("credit_code"))
        validate_credit_code(code)
        return code

    def clean_industry_code(self):
        from enterprises.industries import canonical_code

        return canonical_code(self.cleaned_data.get("industry_code"))


# --- portal: profile, preferences, requests, 线下帮办 ----------------------------------------------

# An ISO date whatever the locale, as <input type="date"> needs it.
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ProfileForm(forms.Form):
    """The fields an enterprise corrects itself. Saving goes through
    ``services.change_profile``, which records every change."""

    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                    widget=PhoneInput,
                                    help_text=_("手机号码或带区号的固定电话；接收短信推送需填写手机号码。"))
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False,
                                     error_messages={"invalid": _("请填写正确的电子邮箱地址。")})
    headcount = headcount_field(_("从业人数"))
    revenue = revenue_field(_("营业收入（万元）"))
    industry_code = forms.CharField(
        label=_("国民经济行业代码"), max_length=8,
        help_text=_("GB/T 4754-2017 行业代码，例如 C3911 或 3911。"),
        error_messages={"required": _("请填写国民经济行业代码。")})
    size_class = forms.ChoiceField(label=_("企业规模"), choices=SizeClass.choices,
                                   error_messages={"required": _("请选择企业规模。"),
                                                   "invalid_choice": _("请选择有效的企业规模。")})

    def __init__(self, *args, enterprise=None, **kwargs):
        from enterprises.industries import label

        super().__init__(*args, **kwargs)
        if enterprise is not None and enterprise.industry_code:
            self.fields["industry_code"].help_text = _(
                "GB/T 4754-2017 行业代码，例如 C3911 或 3911。当前：%(label)s。") % {
                "label": label(enterprise.industry_code)}

    def clean_contact_name(self):
        return self.cleaned_data["contact_name"].strip()

    def clean_contact_phone(self):
        from hotline.services import normalise_phone, validate_phone

        phone = normalise_phone(self.cleaned_data["contact_phone"])
        return validate_phone(phone) if phone else ""

    def clean_industry_code(self):
        from enterprises.industries import canonical_code

        return canonical_code(self.cleaned_data["industry_code"])

    @classmethod
    def initial_for(cls, enterprise):
        return {name: getattr(enterprise, name) for name in cls.base_fields}


class PreferencesForm(forms.Form):
    notify_inbox = forms.BooleanField(label=_("站内消息"), required=False,
                                      help_text=_("在“政策消息”中查看。"))
    notify_sms = forms.BooleanField(label=_("短信"), required=False)
    notify_email = forms.BooleanField(label=_("电子邮件"), required=False)
    notify_frequency = forms.ChoiceField(
        label=_("推送频率"), choices=Frequency.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择推送频率。"),
                        "invalid_choice": _("请选择有效的推送频率。")})

    def __init__(self, *args, enterprise, **kwargs):
        self.enterprise = enterprise
        super().__init__(*args, **kwargs)
        self.fields["notify_sms"].help_text = (
            _("发送到 %(phone)s。") % {"phone": enterprise.masked_contact_phone}
            if enterprise.contact_phone else _("需先在企业档案中填写联系人手机号码。"))
        self.fields["notify_email"].help_text = (
            _("发送到 %(email)s。") % {"email": enterprise.contact_email}
            if enterprise.contact_email else _("需先在企业档案中填写联系邮箱。"))

    def clean(self):
        from enterprises.services import channel_problems

        data = super().clean()
        if "notify_frequency" in data:
            for field, message in channel_problems(
                    contact_phone=self.enterprise.contact_phone,
                    contact_email=self.enterprise.contact_email, **data).items():
                self.add_error(field, message)
        return data


class RequestForm(IdempotentFormMixin, forms.Form):
    """企业诉求: becomes a 12345 ticket on the 政企通 channel (content and attachment checked
    as on every intake form)."""

    subject = forms.CharField(label=_("诉求事项"), max_length=60,
                              help_text=_("一句话概括，例如“稳岗返还资金未到账”。"),
                              error_messages={"required": _("请填写诉求事项。")})
    content = forms.CharField(label=_("具体内容"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("请写明情况经过和希望解决的问题，至少 10 个字。"),
                              error_messages={"required": _("请填写诉求的具体内容。")})
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=None,
                                      empty_label=_("请选择分类"),
                                      error_messages={"required": _("请选择诉求分类。"),
                                                      "invalid_choice": _("请选择有效的诉求分类。")})
    policy = forms.ModelChoiceField(label=_("涉及政策（可选）"), queryset=None, required=False,
                                    empty_label=_("不涉及具体政策"),
                                    error_messages={"invalid_choice": _(
                                        "所选政策不存在或已下线，请重新选择。")})
    contact_name = forms.CharField(label=_("联系人"), max_length=40,
                                   error_messages={"required": _("请填写联系人姓名。")})
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, widget=PhoneInput,
                                    help_text=_("用于接收受理短信和办理人员联系。"),
                                    error_messages={"required": _("请填写联系电话。")})

    attachment = forms.FileField(label=_("附件（可选）"), required=False,
                                 help_text=_("图片或 PDF，不超过 5MB。"))

    def __init__(self, *args, **kwargs):
        from hotline.forms import category_choices
        from interpretations.models import PolicyPage

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()
        self.fields["category"].label_from_instance = lambda c: c.full_name
        self.fields["policy"].queryset = PolicyPage.objects.live().order_by(
            "-published_on", "-pk")

    def clean_contact_phone(self):
        from hotline.services import normalise_phone, validate_phone

        return validate_phone(normalise_phone(self.cleaned_data["contact_phone"]))

    def clean_content(self):
        from hotline.services import validate_content

        return validate_content(self.cleaned_data["content"])

    def clean_attachment(self):
        from hotline.forms import validate_attachment

        return validate_attachment(self.cleaned_data.get("attachment"))


class AssignHelperForm(forms.Form):
    helper = forms.ModelChoiceField(label=_("帮办人"), queryset=None, empty_label=_("请选择帮办人"),
                                    error_messages={"required": _("请选择帮办人。"),
                                                    "invalid_choice": _("请选择有效的帮办人。")})
    follow_up_on = forms.DateField(label=_("下次跟进日期"), required=False,
                                   widget=DATE_WIDGET,
                                   error_messages={"invalid": _("日期格式不正确。")})

    def __init__(self, *args, user, **kwargs):
        from enterprises.services import helper_choices

        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helper_choices(user)
        self.fields["helper"].label_from_instance = (
            lambda u: f"{u.display_name}（{u.organisation}）")


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE_WIDGET,
                                 error_messages={"required": _("请填写走访日期。"),
                                                 "invalid": _("日期格式不正确。")})
    people = forms.CharField(label=_("参与人员"), max_length=200,
                             help_text=_("例如：市人社局 郭伟；企业 人事经理 王敏"),
                             error_messages={"required": _("请填写参与人员。")})
    outcome = forms.CharField(label=_("走访结果"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写走访结果。")})
    follow_up_on = forms.DateField(label=_("下次跟进日期（可选）"), required=False,
                                   widget=DATE_WIDGET,
                                   error_messages={"invalid": _("日期格式不正确。")})


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(label=_("下次跟进日期"), required=False,
                                   widget=DATE_WIDGET,
                                   help_text=_("留空表示暂不安排跟进。"),
                                   error_messages={"invalid": _("日期格式不正确。")})


# --- 免申即享 兑现台账 (the checks themselves are in enterprises/payouts.py) ---------------------------


class PayoutUploadForm(forms.Form):
    file = forms.FileField(label=_("兑现记录文件（CSV）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
                           error_messages={"required": _("请选择要上传的 CSV 文件。"),
                                           "empty": _("上传的文件是空的。")})


class PayoutForm(forms.Form):
    """One payout typed in by hand; every field is checked by ``payouts.record``, as an
    uploaded row is, so both give the same messages."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False)
    amount = forms.CharField(label=_("兑现金额（元）"), required=False)
    paid_on = forms.CharField(label=_("兑现日期"), required=False, widget=DATE_WIDGET)
    voucher = forms.CharField(label=_("凭证号"), required=False)
