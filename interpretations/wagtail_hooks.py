from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail import hooks

from interpretations.services import message_for, package_problems
from interpretations.viewsets import InterpretationGroup


@hooks.register("register_admin_viewset")
def register_interpretation_viewsets():
    return InterpretationGroup()


def policies_to_publish(objects, include_descendants):
    from interpretations.models import PolicyPage

    for page in objects:
        if isinstance(page.specific, PolicyPage):
            yield page.specific
        if include_descendants:
            yield from PolicyPage.objects.descendant_of(page).not_live()


@hooks.register("before_bulk_action")
def refuse_incomplete_bulk_publish(request, action_type, objects, action_class_instance):
    """Bulk publish: refuse the whole action, naming each policy whose package is incomplete."""
    if action_type != "publish":
        return None
    include = request.POST.get("include_descendants") in ("on", "true", "1")
    refused = []
    for page in policies_to_publish(objects, include):
        latest = page.get_latest_revision_as_object()
        problems = package_problems(latest)
        if problems:
            refused.append(f"《{latest.title}》{message_for(problems)}")
    if refused:
        for text in refused:
            messages.error(request, text)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "wagtailadmin_explore_root"
        return redirect(target)
    return None


@hooks.register("construct_explorer_page_queryset")
def hide_other_departments_drafts(parent_page, pages, request):
    """The page explorer does not list another department's unpublished policies."""
    from interpretations.models import PolicyPage
    from interpretations.permissions import policies_in_scope

    mine = policies_in_scope(request.user)
    if not mine:  # city-wide
        return pages
    return pages.exclude(pk__in=PolicyPage.objects.filter(live=False).exclude(mine).values("pk"))


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
