from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from hotline.panels import add_panels
from interpretations import admin_urls
from interpretations.panels import PolicySupervisorPanel, PolicyWorkPanel, PolicyWorkViewSet
from interpretations.publishing import PublishRefused, ensure_publishable
from interpretations.viewsets import InterpretationGroup


@hooks.register("register_admin_viewset")
def register_interpretation_viewsets():
    return InterpretationGroup()


@hooks.register("register_admin_viewset")
def register_policy_work_list():
    return PolicyWorkViewSet("policy-work")


@hooks.register("construct_homepage_panels")
def add_home_panels(request, panels):
    add_panels(request, panels, PolicyWorkPanel, PolicySupervisorPanel)


@hooks.register("register_admin_urls")
def register_publishing_urls():
    return [path("policies/", include(admin_urls, namespace="interpretations_admin"))]


@hooks.register("register_page_header_buttons")
def new_policy_from_docx_button(page, user, view_name, next_url=None):
    """同步起草: “从公文导入（Word）” in the policy library's header menu (docx_views)."""
    from django.urls import reverse
    from wagtail.admin.widgets import Button

    from interpretations.models import PolicyIndexPage

    if (issubclass(page.specific_class, PolicyIndexPage)
            and page.permissions_for_user(user).can_add_subpage()):
        yield Button(_("从公文导入（Word）"), reverse("interpretations_admin:new_from_docx"),
                     icon_name="doc-full", priority=16)


@hooks.register("register_log_actions")
def register_publishing_log_actions(actions):
    """The audit trail of the publishing rules, with the reason people gave."""

    class WithReason(LogFormatter):
        def format_message(self, log_entry):
            data = log_entry.data or {}
            parts = [str(self.label)]
            for key in ("reason", "note"):
                if data.get(key):
                    parts.append(str(data[key]))
            return "：".join(parts[:2]) + ("（" + parts[2] + "）" if len(parts) > 2 else "")

    for action, label in (
            ("interpretations.emergency_publish", gettext_lazy("紧急发布")),
            ("interpretations.withdraw", gettext_lazy("撤回")),
            ("interpretations.schedule_refused", gettext_lazy("定时发布被拒绝"))):
        actions.register_action(action)(type("Formatter", (WithReason,), {"label": label}))


def policies_to_publish(objects, include_descendants):
    from interpretations.models import PolicyPage

    for page in objects:
        if isinstance(page.specific, PolicyPage):
            yield page.specific
        if include_descendants:
            yield from PolicyPage.objects.descendant_of(page).not_live()


def back_to_listing(request):
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}):  # a path here, never a route name
        target = "wagtailadmin_explore_root"
    return redirect(target)


@hooks.register("before_bulk_action")
def refuse_unsigned_bulk_publish(request, action_type, objects, action_class_instance):
    """Bulk publish and unpublish of policies.

    Publish: every policy's latest revision must be ready and signed off (the same rule as
    every route); otherwise the whole action is refused, naming each policy and why.
    Unpublish: a policy is withdrawn one at a time, with its reason (``admin_views.withdraw``).
    """
    include = request.POST.get("include_descendants") in ("on", "true", "1")
    if action_type == "publish":
        refused = []
        for page in policies_to_publish(objects, include):
            revision = page.get_latest_revision()
            try:
                if revision is None:
                    raise PublishRefused([_("尚未保存任何版本。")])
                ensure_publishable(page, revision)
            except PublishRefused as exc:
                refused.append(f"《{revision.object_str if revision else page.title}》{exc}")
        for text in refused:
            messages.error(request, text)
        return back_to_listing(request) if refused else None
    if action_type == "unpublish":
        from interpretations.models import PolicyPage

        policies = [p for p in objects if issubclass(p.specific_class, PolicyPage)]
        if include:
            for parent in objects:
                policies += list(PolicyPage.objects.descendant_of(parent).live())
        if policies:
            messages.error(request, _("政策文件须逐件撤回并写明原因（废止、失效、替代或发布错误），"
                                      "不能批量取消发布：%(titles)s") % {
                "titles": "、".join(f"《{p.title}》" for p in policies)})
            return back_to_listing(request)
    return None


@hooks.register("after_copy_page")
def copied_policy_is_a_draft(request, page, new_page):
    from interpretations.models import PolicyPage

    if issubclass(new_page.specific_class, PolicyPage) and request.POST.get("publish_copies"):
        messages.warning(request, _("复制的政策文件为草稿，须经审签后发布。"))


@hooks.register("construct_explorer_page_queryset")
def hide_other_departments_drafts(parent_page, pages, request):
    """The page explorer does not list another department's drafts (``hidden_drafts``)."""
    from interpretations.permissions import without_hidden_drafts

    return without_hidden_drafts(pages, request.user)


@hooks.register("construct_page_chooser_queryset")
def hide_other_departments_drafts_in_chooser(pages, request):
    """Nor does the page chooser, browsing or searching (the same rule). The page search and
    the site-history report: ``interpretations.admin_scoping``."""
    from interpretations.permissions import without_hidden_drafts

    return without_hidden_drafts(pages, request.user)


@hooks.register("before_serve_document")
def keep_work_manuals_internal(document, request):
    """A 工作手册 is internal: its download address answers only staff who may use the admin.
    A document counts as a manual when a policy names it, published or in its latest draft."""
    from django.contrib.contenttypes.models import ContentType
    from django.http import Http404
    from wagtail.models import Revision

    from interpretations.models import PolicyPage

    if request.user.has_perm("wagtailadmin.access_admin"):
        return None
    drafts = Revision.objects.filter(
        pk__in=PolicyPage.objects.values("latest_revision"),
        content_type=ContentType.objects.get_for_model(PolicyPage))
    if (PolicyPage.objects.filter(work_manual=document).exists()
            or drafts.filter(content__work_manual=document.pk).exists()):
        raise Http404
    return None


@hooks.register("after_edit_page")
def reviewers_land_on_their_tasks(request, page):
    """After a review step, Wagtail goes back to the policy section in the explorer, which a
    reviewer of another organisation (合法性审核, 办公室审签) may not browse: send them to their
    dashboard and its list of steps awaiting them instead of a "no permission" page."""
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if "action-workflow-action" not in request.POST or request.GET.get("next"):
        return None
    parent = page.get_parent()
    if PagePermissionPolicy().explorable_instances(request.user).filter(pk=parent.pk).exists():
        return None
    return redirect("wagtailadmin_home")
