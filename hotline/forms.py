import os

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.idempotency import IdempotentFormMixin
from core.models import Division
from core.widgets import PhoneInput
from hotline import services
from hotline.models import Category, Channel, Satisfaction, Urgency
from hotline.policy_picker import PolicyField

MAX_UPLOAD = 5 * 1024 * 1024
# Extension → the type the file's content must be, told from its first bytes (``filetype``).
# Only formats with a signature are accepted, so a renamed program or script never passes.
UPLOAD_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                ".pdf": "application/pdf"}
SIGNATURE_BYTES = 8192  # enough for filetype to tell every type above


def division_choices():
    return Division.objects.filter(level__lte=Division.Level.TOWNSHIP).order_by("code")


def category_choices():
    return Category.objects.filter(is_active=True, children__isnull=True).select_related(
        "parent").order_by("parent__sort_order", "sort_order", "pk")


class CachedModelChoiceField(forms.ModelChoiceField):
    """A choice among ``queryset`` whose submitted value is looked up in the choices kept in
    memory (``services.cached_choices``) instead of one query per submission; a value not
    there yet (added in the last minute) is looked up in the database as usual."""

    def __init__(self, *args, cache_name, **kwargs):
        self.cache_name = cache_name
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            obj = services.cached_choices(self.cache_name, self.queryset).get(int(value))
        except (TypeError, ValueError):
            obj = None
        return obj if obj is not None else super().to_python(value)


class DivisionChoiceField(CachedModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class TicketFields(forms.Form):
    caller_name = forms.CharField(label=_("姓名"), max_length=40)
    caller_phone = forms.CharField(label=_("手机号码"), max_length=20, widget=PhoneInput,
                                   help_text=_("用于接收受理短信和查询办理进度。"))
    division = DivisionChoiceField(label=_("所在区域"), queryset=division_choices(),
                                   empty_label=_("请选择区县或街道"), cache_name="division")
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    category = CachedModelChoiceField(label=_("诉求分类"), queryset=category_choices(),
                                      empty_label=_("请选择分类"), cache_name="category")
    content = forms.CharField(label=_("诉求内容"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 6}), help_text=_("请写明时间、地点、事情经过和您的诉求，至少 10 个字。"))

    def clean_caller_phone(self):
        phone = services.normalise_phone(self.cleaned_data["caller_phone"])
        return services.validate_phone(phone)

    def clean_content(self):
        return services.validate_content(self.cleaned_data["content"])


def validate_attachment(upload):
    """An optional upload on any intake form (public, staff, 企业诉求): size, extension, and
    content — the file's signature must be the type its extension names."""
    if upload:
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("附件不能超过 5MB。"))
        expected = UPLOAD_TYPES.get(os.path.splitext(upload.name.lower())[1])
        if expected is None:
            raise ValidationError(_("附件只能是 JPG、PNG 图片或 PDF 文件。"))
        upload.seek(0)
        head = upload.read(SIGNATURE_BYTES)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime != expected:
            raise ValidationError(_("附件内容与文件类型不符：“%(name)s”不是有效的 JPG、PNG 图片或 "
                                    "PDF 文件，请上传原始文件。") % {"name": upload.name})
    return upload


class AttachmentField(forms.Form):
    """One optional attachment, checked the same way on every intake form."""

    attachment = forms.FileField(label=_("附件（可选）"), required=False,
                                 help_text=_("图片或 PDF，不超过 5MB。"))

    def clean_attachment(self):
        return validate_attachment(self.cleaned_data.get("attachment"))

    def attachments(self):
        """The uploads to hand to ``services.intake`` (an empty list when none)."""
        upload = self.cleaned_data.get("attachment")
        return [upload] if upload else []


class PublicTicketForm(IdempotentFormMixin, AttachmentField, TicketFields):
    agree = forms.BooleanField(label=_("我确认所填内容真实，并同意热线为办理本诉求使用上述信息。"))

    def file(self):
        """File the validated request (``services.intake``, channel 网站); the public view
        and the intake benchmark both go through here."""
        data = self.cleaned_data
        return services.intake(
            channel=Channel.WEB, caller_name=data["caller_name"],
            caller_phone=data["caller_phone"], category=data["category"],
            division=data["division"], address=data["address"], content=data["content"],
            attachments=self.attachments())


class IntakeForm(IdempotentFormMixin, AttachmentField, TicketFields):
    """Hotline staff entering a call (or any channel) in the workbench."""

    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices,
                                initial=Channel.PHONE)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    caller_phone = forms.CharField(label=_("联系电话"), max_length=20, widget=PhoneInput)
    policy = PolicyField(label=_("涉及政策（可选）"), required=False)
    enterprise_credit_code = forms.CharField(label=_("企业统一社会信用代码（可选）"),
                                             max_length=18, required=False)
    enterprise_name = forms.CharField(label=_("企业名称（可选）"), max_length=100,
                                      required=False)
    answer = forms.CharField(label=_("直接答复并办结（可选）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("咨询类诉求当场答复的，填写答复内容即直接办结。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["channel", "urgency", "caller_name", "caller_phone", "division",
                           "address", "category", "content", "attachment", "policy",
                           "enterprise_credit_code", "enterprise_name", "answer"])

    def file(self, user):
        """File the validated call as ``user`` (``services.intake``); with an answer it is
        closed at once (直接办结)."""
        data = self.cleaned_data
        return services.intake(
            channel=data["channel"], urgency=data["urgency"], caller_name=data["caller_name"],
            caller_phone=data["caller_phone"], category=data["category"],
            division=data["division"], address=data["address"], content=data["content"],
            policy=data["policy"], enterprise_credit_code=data["enterprise_credit_code"],
            enterprise_name=data["enterprise_name"], answer=data["answer"],
            attachments=self.attachments(), user=user)

    def clean_enterprise_credit_code(self):
        code = self.cleaned_data["enterprise_credit_code"].strip().upper()
        if code and len(code) != 18:
            raise ValidationError(_("统一社会信用代码应为 18 位。"))
        return code


class LinkPolicyForm(forms.Form):
    """关联政策 on the ticket page: the policy the ticket is about (``perform`` "link_policy")."""

    policy = PolicyField(label=_("涉及政策"),
                         error_messages={"required": _("请选择工单涉及的政策。")})


class CallbackForm(forms.Form):
    """回访办结 on the ticket page. It only carries and shows the choices: nothing is preselected
    and nothing is checked here; ``perform`` ("callback", ``hotline.workflows.do_callback``) is
    the rule, and its field errors are put back beside these fields."""

    use_required_attribute = False  # the server's Chinese messages, not the browser's

    outcome = forms.ChoiceField(label=_("回访结果"), required=False, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(
        label=_("诉求人评价"), required=False, widget=forms.RadioSelect,
        choices=[(Satisfaction.SATISFIED.value, Satisfaction.SATISFIED.label),
                 (Satisfaction.BASIC.value, Satisfaction.BASIC.label)],
        help_text=_("联系不上时不填。诉求人不满意的，请使用「重办」。"))
    resolved = forms.ChoiceField(label=_("诉求是否解决"), required=False,
                                 widget=forms.RadioSelect,
                                 choices=[("1", _("已解决")), ("0", _("未解决"))],
                                 help_text=_("按诉求人的回答选择；联系不上时不填。"))
    note = forms.CharField(label=_("回访记录"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("与诉求人沟通的情况；联系不上的，写明拨打的时间和情况。"))

    def __init__(self, *args, **kwargs):
        from hotline.workflows import CALLBACK_OUTCOMES

        kwargs.setdefault("auto_id", "cb-%s")
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = CALLBACK_OUTCOMES
        for name, field in self.fields.items():
            field.required_note = (_("（联系上时必填）") if name in ("satisfaction", "resolved")
                                   else _("（必填）"))
        self.fields["note"].widget.attrs["aria-describedby"] = "cb-note-help"

    def show_errors(self, errors):
        """Put ``perform``'s field errors (``TransitionError.errors``) beside the fields."""
        self.is_valid()
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        first = next((name for name in self.fields if name in errors), None)
        if first:  # the page opens at the first problem, on a phone too
            self.fields[first].widget.attrs["autofocus"] = True
        if "note" in errors:
            self.fields["note"].widget.attrs.update({
                "aria-invalid": "true", "aria-describedby": "cb-note-error cb-note-help"})


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单编号"), max_length=24,
                             help_text=_("例如 12345-20261126-000123"))
    phone = forms.CharField(label=_("手机号码"), max_length=20, widget=PhoneInput,
                            help_text=_("提交诉求时填写的号码。"))

    def clean_phone(self):
        return services.normalise_phone(self.cleaned_data["phone"])

    def clean_number(self):
        return self.cleaned_data["number"].strip()
