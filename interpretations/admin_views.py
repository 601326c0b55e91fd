"""Admin screens of the publishing rules beside the page editor: 紧急发布 (with its reason) and
typed withdrawal (撤回). Every unpublish of a policy in the admin arrives at the withdrawal
screen (``unpublish_or_withdraw`` answers Wagtail's unpublish address). The rules themselves are
in ``interpretations.publishing``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interpretations import publishing
from interpretations.models import PolicyPage


def policy_for(request, pk):
    """The policy ``pk`` as its latest revision, if ``request.user`` may open its editor."""
    page = get_object_or_404(PolicyPage, pk=pk)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def apply_errors(form, exc):
    """Put a ``ValidationError`` from the rules next to its field (or above the form)."""
    if isinstance(exc, publishing.PublishRefused):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class EmergencyForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("紧急发布理由"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("写明为何不能等待审签（例如：突发事件须立即发布的应急措施）。"
                               "理由记入操作记录，并显示在督办人的补签清单中。"),
        error_messages={"required": gettext_lazy("请写明紧急发布的理由。")})
    confirm = forms.BooleanField(label=gettext_lazy(
        "我确认本文件须立即发布，并将在规定期限内完成事后审签。"),
        error_messages={"required": gettext_lazy("请勾选确认后再紧急发布。")})


def emergency_publish(request, pk):
    page = policy_for(request, pk)
    if not publishing.may_emergency_publish(request.user, page):
        raise PermissionDenied
    latest = page.get_latest_revision_as_object()
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = publishing.emergency_publish(page, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.warning(request, _("《%(title)s》已紧急发布。事后审签已开始，须于 %(due)s 前完成。")
                             % {"title": page.title,
                                "due": f"{timezone.localtime(record.due_at):%Y年%m月%d日 %H:%M}"})
            return redirect(edit_url(page))
    return TemplateResponse(request, "interpretations/admin/emergency_publish.html", {
        "page_title": _("紧急发布"), "header_icon": "warning", "page": page, "form": form,
        "problems": publishing.package_problems(latest),
        "days": publishing.countersign_working_days(), "edit_url": edit_url(page),
    })


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("撤回原因"),
                               choices=publishing.WithdrawalReason.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": gettext_lazy("请选择撤回原因。")})
    effective_on = forms.DateField(
        label=gettext_lazy("废止、失效或被替代的日期"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("留空为今天。发布错误时不需要。"))
    replaced_by = forms.ModelChoiceField(
        label=gettext_lazy("替代它的文件"), required=False, queryset=PolicyPage.objects.none(),
        help_text=gettext_lazy("已被替代时必选；已废止的文件如有新文件也可选择。"))
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("废止、失效或被替代时显示在文件顶部；发布错误时记入操作记录。"))

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaced_by"].queryset = (PolicyPage.objects.live().exclude(pk=page.pk)
                                               .order_by("-published_on", "title"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == publishing.WithdrawalReason.REPLACED and not cleaned.get(
                "replaced_by"):
            self.add_error("replaced_by", _("已被替代的文件须选择替代它的文件。"))
        return cleaned


def withdraw(request, pk):
    page = policy_for(request, pk)
    if not page.live or not page.permissions_for_user(request.user).can_unpublish():
        raise PermissionDenied
    form = WithdrawForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = publishing.withdraw(page, request.user, data["reason"], note=data["note"],
                                           effective_on=data["effective_on"],
                                           replaced_by=data["replaced_by"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if revision is None:
                messages.success(request, _("《%(title)s》已撤下（发布错误）。") % {"title": page.title})
            else:
                messages.success(request, _(
                    "《%(title)s》的撤回（%(reason)s）已提交审签：全部环节同意后，文件页面显示该说明，"
                    "符合条件的企业将收到通知。") % {
                    "title": page.title,
                    "reason": publishing.WithdrawalReason(data["reason"]).label})
            return redirect(edit_url(page))
    return TemplateResponse(request, "interpretations/admin/withdraw.html", {
        "page_title": _("撤回政策文件"), "header_icon": "doc-empty-inverse", "page": page,
        "form": form, "edit_url": edit_url(page),
    })


def unpublish_or_withdraw(request, page_id):
    """Wagtail's unpublish address: a policy is withdrawn with a reason; other pages are
    unpublished by Wagtail as usual."""
    from wagtail.admin.views.pages.unpublish import UnpublishView
    from wagtail.models import Page

    page = get_object_or_404(Page, pk=page_id)
    if issubclass(page.specific_class, PolicyPage):
        return redirect("interpretations_admin:withdraw", page_id)
    return UnpublishView.as_view()(request, page_id)
