"""专家预览: signed, expiring, read-only links to a draft revision for an outside 解读专家.

The editor makes a link beside the page editor (``expert_links``) and sees it once; only the
SHA-256 of its token is stored. The expert opens it without an account (``expert_preview``):
each opening is logged with a masked address; the link is refused once revoked, expired or the
policy published (``publishing.after_go_live`` revokes a page's links when it goes live). The
internal 解读方案 is shown only on links made with it ticked.
"""

import hashlib
import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import ratelimit
from core.privacy import mask_address
from interpretations.admin_views import edit_url, policy_for
from interpretations.models import ExpertPreviewLink, ExpertPreviewOpening, PolicyPage

ADD_PERMISSION = "interpretations.add_expertpreviewlink"
DEFAULT_DAYS = 7
FORM_NONCE_SECONDS = 12 * 3600  # a create form may be submitted once within this time
OPENINGS_SHOWN = 5
PREVIEW_PER_HOUR = 60  # openings (and refused attempts) per client address
PLAN_FIELDS = ["plan_interpreters", "plan_forms", "plan_schedule", "plan_expected_concerns",
               "plan_media", "assessment_plan"]
PRIVATE_HEADERS = {"Cache-Control": "no-store, private", "X-Robots-Tag": "noindex, nofollow",
                   "Referrer-Policy": "no-referrer"}


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


# --- Admin: make, list and revoke links -----------------------------------------------------------


def max_days():
    return settings.PLATFORM["EXPERT_PREVIEW_MAX_DAYS"]


class ExpertLinkForm(forms.Form):
    expert_name = forms.CharField(
        label=gettext_lazy("专家姓名"), max_length=80,
        error_messages={"required": gettext_lazy("请填写专家姓名。")},
        help_text=gettext_lazy("记入链接清单，便于核对谁打开过；不显示在预览页面上。"))
    days = forms.IntegerField(
        label=gettext_lazy("有效天数"), initial=DEFAULT_DAYS, min_value=1,
        error_messages={"required": gettext_lazy("请填写有效天数。"),
                        "invalid": gettext_lazy("请填写整数天数。"),
                        "min_value": gettext_lazy("有效天数至少为 1 天。"),
                        "max_value": gettext_lazy("有效天数最多为 %(limit_value)s 天。")})
    show_plan = forms.BooleanField(
        label=gettext_lazy("同时提供解读方案"), required=False,
        help_text=gettext_lazy("解读方案（解读人、预判关切及回应口径、媒体安排等）是内部材料，"
                               "仅在需要专家审阅时勾选。"))
    # One per rendered form: a second submit of the same form makes no second link.
    nonce = forms.CharField(label=gettext_lazy("表单"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.max_value = max_days()
        days.validators.append(MaxValueValidator(days.max_value))
        days.widget.attrs.update({"min": 1, "max": days.max_value, "inputmode": "numeric"})
        days.help_text = _("1 至 %(max)s 天。到期、收回或文件发布后，链接即失效。") % {
            "max": days.max_value}
        if not self.is_bound:
            self.initial["nonce"] = secrets.token_urlsafe(16)

    def clean_nonce(self):
        nonce = self.cleaned_data["nonce"]
        if not 16 <= len(nonce) <= 64:
            raise forms.ValidationError(_("页面已过期，请刷新后重新填写。"))
        return nonce


def claim_nonce(user, nonce):
    """Whether this form's nonce is used for the first time (atomic ``cache.add``)."""
    key = "expert-link-form:" + hashlib.sha256(f"{user.pk}:{nonce}".encode()).hexdigest()
    return cache.add(key, 1, FORM_NONCE_SECONDS)


def shareable_policy(request, pk):
    """The policy ``pk`` if ``request.user`` may edit it and make expert links."""
    page = policy_for(request, pk)
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    return page


def create_link(page, user, expert_name, days, show_plan):
    """A new link to ``page``'s latest revision: (link, token). The token is not stored."""
    token = secrets.token_urlsafe(32)
    link = ExpertPreviewLink.objects.create(
        page=page, revision=page.get_latest_revision(), expert_name=expert_name,
        token_hash=token_hash(token), show_plan=show_plan, created_by=user,
        expires_at=timezone.now() + timedelta(days=days))
    return link, token


def expert_links(request, pk):
    page = shareable_policy(request, pk)
    latest = page.get_latest_revision()
    has_draft = latest is not None and not (page.live and page.live_revision_id == latest.pk)
    created_url = None
    form = ExpertLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not has_draft:
            form.add_error(None, _("本文件没有未发布的草稿，无需专家预览；已发布的内容请直接查看公开页面。"))
        elif not claim_nonce(request.user, data["nonce"]):
            messages.warning(request, _(
                "这份表单已经提交过，链接已生成（见下方清单），未再生成新链接。链接只显示一次；"
                "如未复制，请收回该链接后重新生成。"))
            return redirect("interpretations_admin:expert_links", page.pk)
        else:
            link, token = create_link(page, request.user, data["expert_name"], data["days"],
                                      data["show_plan"])
            created_url = request.build_absolute_uri(
                reverse("interpretations:expert_preview", args=[token]))
            form = ExpertLinkForm()  # a fresh form (and nonce) for the next link
    links = (page.expert_links.select_related("created_by")
             .annotate(opening_count=Count("openings"))
             .prefetch_related(Prefetch("openings", to_attr="all_openings",
                                        queryset=ExpertPreviewOpening.objects.order_by("-opened_at"))))
    for link in links:
        link.recent_openings = link.all_openings[:OPENINGS_SHOWN]
    # Wagtail's admin responses are already ``no-store`` (never_cache): the address stays out
    # of caches, and this page's own address holds no token.
    return TemplateResponse(request, "interpretations/admin/expert_links.html", {
        "page_title": _("专家预览链接"), "header_icon": "view", "page": page, "form": form,
        "links": links, "latest": latest, "has_draft": has_draft, "created_url": created_url,
        "edit_url": edit_url(page),
    })


@require_POST
def revoke_expert_link(request, pk, link_pk):
    page = shareable_policy(request, pk)
    link = get_object_or_404(ExpertPreviewLink, pk=link_pk, page_id=page.pk)
    if ExpertPreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()):
        messages.success(request, _("已收回给 %(expert)s 的预览链接。") % {"expert": link.expert_name})
    else:
        messages.info(request, _("该链接此前已失效。"))
    return redirect("interpretations_admin:expert_links", page.pk)


# --- Public: the expert opens the link ------------------------------------------------------------


def usable_link(token):
    """The link for ``token`` if it still opens: not revoked, not expired, and the policy not
    published since it was made."""
    link = (ExpertPreviewLink.objects.select_related("revision").filter(
        token_hash=token_hash(token)).first())
    if link is None or not link.is_active():
        return None
    published = (PolicyPage.objects.filter(pk=link.page_id)
                 .values_list("last_published_at", flat=True).first())
    if published and published > link.created_at:
        return None
    return link


def private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    # Django would log the refused path, and the path is the token.
    response._has_been_logged = True
    return response


def refused(request, status, heading, message):
    return private(TemplateResponse(request, "interpretations/expert/unavailable.html",
                                    {"heading": heading, "message": message}, status=status))


@require_GET
def expert_preview(request, token):
    client = ratelimit.client_address(request)
    if ratelimit.over_limit("expert_preview", client, PREVIEW_PER_HOUR, 3600):
        return refused(request, 429, _("打开过于频繁"), _("请稍后再试。"))
    link = usable_link(token)
    if link is None:
        return refused(request, 404, _("预览链接无效或已失效"), _(
            "该链接可能已过期、已被收回，或文件已正式发布。如需继续审阅，请联系向您提供链接的工作人员。"))
    ExpertPreviewOpening.objects.create(
        link=link, client=mask_address(client),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200])
    page = link.revision.as_object()
    # Wagtail's preview semantics: render this revision itself, never the cached live article.
    request.is_preview = True
    context = page.get_context(request)
    context.update({
        "link": link,
        "plan": [(PolicyPage._meta.get_field(name).verbose_name, getattr(page, name))
                 for name in PLAN_FIELDS] if link.show_plan else None,
    })
    return private(TemplateResponse(request, "interpretations/expert/preview.html", context))
