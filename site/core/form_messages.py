"""Plain Chinese for Django's built-in form messages.

Django's and Wagtail's Chinese catalogues word several messages as a programmer would: "确保该
变量包含不超过 20 字符", "必需字段", "选择一个有效的选项", "不允许是用空字符串". A form that gives no
message of its own shows these to residents, so every form on the site (and in the admin) uses
the wording below instead. Written in Chinese as source strings: no catalogue has them, so they
show as written. ``install`` runs once, from ``CoreConfig.ready``, before any form module is
imported (a field copies its class's messages when it is made)."""

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

REQUIRED = _("此项为必填项。")
INVALID_CHOICE = _("所选的选项无效，请重新选择。")


def install():
    validators.MaxLengthValidator.message = ngettext_lazy(
        "最多可填写 %(limit_value)d 个字符，现在是 %(show_value)d 个。",
        "最多可填写 %(limit_value)d 个字符，现在是 %(show_value)d 个。", "limit_value")
    validators.MinLengthValidator.message = ngettext_lazy(
        "至少需要填写 %(limit_value)d 个字符，现在是 %(show_value)d 个。",
        "至少需要填写 %(limit_value)d 个字符，现在是 %(show_value)d 个。", "limit_value")
    validators.MaxValueValidator.message = _("不能大于 %(limit_value)s。")
    validators.MinValueValidator.message = _("不能小于 %(limit_value)s。")
    validators.ProhibitNullCharactersValidator.message = _(
        "内容中有无法识别的字符，请删除后重新填写。")
    validators.EmailValidator.message = _("请填写正确的电子邮箱地址。")
    forms.Field.default_error_messages["required"] = REQUIRED
    for field in (forms.ChoiceField, forms.ModelChoiceField, forms.MultipleChoiceField,
                  forms.ModelMultipleChoiceField):
        field.default_error_messages["invalid_choice"] = INVALID_CHOICE
    forms.FileField.default_error_messages["invalid"] = _("文件没有上传成功，请重新选择文件。")
