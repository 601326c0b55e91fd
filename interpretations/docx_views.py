"""同步起草 from a Word 公文: upload a .docx, check what was read, save it as a new draft.

Two steps on one address. Step 1 takes one .docx, checked by its content (``docx_import``).
What was read (body, attachments, proposed fields, warnings) waits in the cache for
``HOLD_SECONDS`` under a random token tied to the user and the policy (never in the session
cookie); the token travels in the address and the form. Step 2 shows the body as the public
page will show it, the attachments and the warnings, with the proposed 标题/发文字号/日期/发文机关
as fields to confirm or correct. Saving claims the token once — a double submit makes one
revision — and saves a new draft revision; nothing is published, the draft goes through its
sign-off like any other. The interpretation package stays in the same page, so it is drafted
beside the document in the same revision.

``import_docx`` fills a policy the user may edit; ``new_from_docx`` creates a draft policy in
the policy library, drafted by the user's organisation.
"""

import hashlib
import re
import secrets
import uuid

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.documents import get_document_model

from interpretations import docx_import
from interpretations.admin_views import edit_url, policy_for
from interpretations.models import PolicyAttachment, PolicyIndexPage, PolicyPage

HOLD_SECONDS = 2 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
FIELDS = ["title", "doc_number", "issuing_organ", "written_on", "published_on", "effective_on"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Word 公文（.docx）"),
        help_text=gettext_lazy("一个 .docx 文件，不超过 20 MB。旧版 .doc 请先在 Word 或 WPS 中另存为 .docx。"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".docx," + docx_import.DOCX_CONTENT_TYPE}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > docx_import.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请压缩图片或拆分后再上传。"))
        try:
            self.result = docx_import.import_docx(upload)
        except docx_import.DocxError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=255)
    doc_number = forms.CharField(label=gettext_lazy("发文字号"), max_length=60, required=False)
    issuing_organ = forms.ModelChoiceField(label=gettext_lazy("发文机关"), required=False,
                                           queryset=None)
    written_on = forms.DateField(label=gettext_lazy("成文日期"), required=False, widget=date_input())
    published_on = forms.DateField(label=gettext_lazy("发布日期"), required=False,
                                   widget=date_input())
    effective_on = forms.DateField(label=gettext_lazy("施行日期"), required=False,
                                   widget=date_input())
    replace = forms.BooleanField(
        label=gettext_lazy("用导入的内容替换现有正文和附件"), required=False, initial=True,
        help_text=gettext_lazy("不勾选时，导入的正文接在现有正文之后，附件加在现有附件之后。"
                               "申报指南不受影响。"))

    def __init__(self, *args, page, result, user, **kwargs):
        from core.models import Organisation

        self.page = page
        super().__init__(*args, **kwargs)
        self.fields["issuing_organ"].queryset = Organisation.objects.order_by("name")
        current = page.get_latest_revision_as_object() if page else None
        if current is None or not current.body:
            del self.fields["replace"]
        proposed = dict(result.proposed)
        proposed["issuing_organ"] = organisation_named(proposed.get("issuing_organ_name"))
        if current is None and proposed["issuing_organ"] is None:
            proposed["issuing_organ"] = getattr(user, "organisation", None)
            proposed["_organ_is_users"] = True
        for name in FIELDS:
            found = proposed.get(name)
            now = getattr(current, name, None) if current else None
            self.initial[name] = found if found not in (None, "") else now
            self.fields[name].help_text = hint(name, found, now, proposed)
        printed_on = proposed.get("published_on")
        if printed_on and current is not None and current.published_on:
            # 发布日期 is the day it went public; the 印发 date only stands in for a new one.
            self.initial["published_on"] = current.published_on
            self.fields["published_on"].help_text = _(
                "公文印发日期为 %(day)s；已有发布日期，保留不变。") % {"day": cn_date(printed_on)}

    def clean_doc_number(self):
        return docx_import.normalise_doc_number(self.cleaned_data["doc_number"])

    def clean(self):
        cleaned = super().clean()
        organ, number = cleaned.get("issuing_organ"), cleaned.get("doc_number")
        if organ and number and PolicyPage.objects.filter(
                issuing_organ=organ, doc_number=number).exclude(
                pk=getattr(self.page, "pk", None)).exists():
            self.add_error("doc_number", _("该发文机关已有相同发文字号的文件。"))
        return cleaned


def organisation_named(name):
    from core.models import Organisation

    if not name:
        return None
    return Organisation.objects.filter(Q(name=name) | Q(short_name=name)).order_by("pk").first()


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def hint(name, found, now, proposed):
    if name == "issuing_organ" and proposed.get("_organ_is_users"):
        return _("公文落款未能识别，暂填您所在的单位，请核对。")
    if found in (None, ""):
        if name == "issuing_organ" and proposed.get("issuing_organ_name"):
            return _("落款为“%(name)s”，未找到同名单位，请选择。") % {
                "name": proposed["issuing_organ_name"]}
        return _("未能从公文中识别，保留现有内容。") if now not in (None, "") else _(
            "未能从公文中识别，请填写。")
    text = _("从公文中识别，请核对。")
    if now not in (None, "") and now != found:
        shown = cn_date(now) if hasattr(now, "year") else str(now)
        text += _("现为：%(now)s") % {"now": shown}
    return text


# --- The two steps -----------------------------------------------------------------------------


def import_docx(request, pk):
    page = policy_for(request, pk)
    if page.permissions_for_user(request.user).page_locked():
        messages.error(request, _("该文件已被他人锁定，暂不能导入。"))
        return redirect(edit_url(page))
    return two_steps(request, page=page, parent=page.get_parent())


def new_from_docx(request):
    parent = PolicyIndexPage.objects.first()
    if parent is None:
        raise Http404
    if not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    return two_steps(request, page=None, parent=parent)


def held_key(user, page, token):
    return f"docx-import:{user.pk}:{page.pk if page else 'new'}:{token}"


def two_steps(request, page, parent):
    token = request.POST.get("token") or request.GET.get("t")
    if token is not None:
        return confirm(request, page, parent, token)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        token = secrets.token_urlsafe(24)
        cache.set(held_key(request.user, page, token),
                  {"result": form.result, "filename": form.cleaned_data["file"].name},
                  HOLD_SECONDS)
        return redirect(f"{request.path}?t={token}")
    return TemplateResponse(request, "interpretations/admin/import_docx.html", {
        "page_title": _("从公文导入（Word）"), "header_icon": "doc-full", "form": form,
        "page": page or parent, "new": page is None,
        "back_url": edit_url(page) if page else reverse("wagtailadmin_explore", args=[parent.pk]),
    })


def confirm(request, page, parent, token):
    key = held_key(request.user, page, token)
    held = cache.get(key) if TOKEN.fullmatch(token) else None
    if held is None:
        return gone(request, key, page)
    result = held["result"]
    form = ConfirmForm(request.POST if request.method == "POST" else None, page=page,
                       result=result, user=request.user, initial={"token": token})
    if request.method == "POST" and form.is_valid():
        if not cache.delete(key):  # a second submit of the same form
            return gone(request, key, page)
        try:
            saved = save(request.user, page, parent, result, form.cleaned_data)
        except Exception:
            cache.set(key, held, HOLD_SECONDS)
            raise
        cache.set(key + ":done", saved.pk, HOLD_SECONDS)
        messages.success(request, _("已从《%(file)s》导入正文%(attachments)s，保存为草稿（未发布）。"
                                    "请核对后完善解读材料并提交审签。") % {
            "file": held["filename"],
            "attachments": _("和 %(n)d 个附件") % {"n": len(result.attachments)}
            if result.attachments else ""})
        return redirect(edit_url(saved))
    body = PolicyPage._meta.get_field("body")
    return TemplateResponse(request, "interpretations/admin/import_docx_confirm.html", {
        "page_title": _("核对导入内容"), "header_icon": "doc-full", "form": form,
        "page": page or parent, "new": page is None, "filename": held["filename"],
        "warnings": result.warnings,
        "preview": body.to_python(raw_blocks(result.blocks)),
        "attachments": [{"label": a.label, "filename": a.filename,
                         "preview": body.to_python(raw_blocks(a.blocks))}
                        for a in result.attachments],
        "upload_url": request.path,
        "back_url": edit_url(page) if page else reverse("wagtailadmin_explore", args=[parent.pk]),
    })


def gone(request, key, page):
    """The token is used or expired: to the draft it made, or back to step 1."""
    done = cache.get(key + ":done")
    if done is not None:
        messages.info(request, _("该文件已经导入，这是导入后的草稿。"))
        return redirect(reverse("wagtailadmin_pages:edit", args=[done]))
    messages.warning(request, _("上传的文件已过期或已经导入，请重新上传。"))
    return redirect(request.path)


# --- Saving -----------------------------------------------------------------------------------


def raw_blocks(blocks):
    return [{"type": kind, "value": value, "id": str(uuid.uuid4())} for kind, value in blocks]


def attachment_rows(result, user):
    """Each 附件 section as a document in the library and a row of the policy's 附件 list."""
    Document = get_document_model()
    rows = []
    for attachment in result.attachments:
        document = Document(title=attachment.label, uploaded_by_user=user)
        document.file.save(attachment.filename, ContentFile(attachment.content), save=False)
        document.file_size = len(attachment.content)
        document.file_hash = hashlib.sha1(attachment.content).hexdigest()
        document.save()
        rows.append(PolicyAttachment(kind=PolicyAttachment.Kind.ATTACHMENT,
                                     title=attachment.label, document=document))
    return rows


@transaction.atomic
def save(user, page, parent, result, data):
    """A new draft revision of ``page`` (or a new draft policy under ``parent``) holding the
    imported body and attachments and the confirmed fields. Never publishes."""
    imported = raw_blocks(result.blocks)
    fields = {name: data[name] for name in FIELDS}
    fields["doc_number"] = fields["doc_number"] or ""
    if page is None:
        page = PolicyPage(live=False, owner=user, body=imported,
                          drafting_department=getattr(user, "organisation", None), **fields)
        page.attachments = attachment_rows(result, user)
        parent.add_child(instance=page)
        page.save_revision(user=user, log_action=True, clean=False)
        return page
    draft = page.get_latest_revision_as_object()
    replace = data.get("replace", False)
    draft.body = imported if replace or not draft.body else (
        list(draft.body.raw_data) + imported)
    for name, value in fields.items():
        setattr(draft, name, value)
    kept = [a for a in draft.attachments.all()
            if not replace or a.kind != PolicyAttachment.Kind.ATTACHMENT]
    draft.attachments = kept + attachment_rows(result, user)
    draft.save_revision(user=user, log_action=True, clean=False)
    return page
