"""政策通使用指南: the editor guide kept in the project, shown as an admin page at
/admin/guide/ and linked from Wagtail's 帮助 menu and the dashboard in place of Wagtail's English
guide (``core.wagtail_hooks``).

The guide (``core/admin/guide.html``) describes the platform's own rules; the numbers and the
sign-off steps it quotes are read here from the settings and the policy section's workflow, so
the page says what this installation does.
"""

from django.conf import settings
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

URL_NAME = "core_editor_guide"


def signoff_steps():
    """The policy section's sign-off steps as ``(name, who)``: the workflow assigned to the
    policy library, or the steps the platform sets up when none is assigned yet."""
    from interpretations.models import PolicyIndexPage
    from interpretations.publishing import workflow_steps
    from interpretations.workflows import DEMO_STEPS

    section = PolicyIndexPage.objects.first()
    steps = workflow_steps(section.get_workflow()) if section else []
    if not steps:
        return [(step.name, _("起草部门的%(group)s") % {"group": step.group}
                 if step.drafting_department_only else
                 (_("%(org)s的%(group)s") % {"org": step.organisation, "group": step.group}))
                for step in DEMO_STEPS]
    rows = []
    for step in steps:
        groups = "、".join(step.groups.values_list("name", flat=True)) or _("指定用户组")
        if step.drafting_department_only:
            who = _("起草部门的%(group)s") % {"group": groups}
        elif step.reviewing_organisation_id:
            who = _("%(org)s的%(group)s") % {"org": step.reviewing_organisation, "group": groups}
        else:
            who = groups
        rows.append((step.name, who))
    return rows


def guide(request):
    from hotline.workflows import CALLBACK_ATTEMPTS

    platform = settings.PLATFORM
    return TemplateResponse(request, "core/admin/guide.html", {
        "page_title": _("政策通使用指南"), "header_icon": "help",
        "steps": signoff_steps(),
        "separate_duties": platform["SIGNOFF_SEPARATE_DUTIES"],
        "countersign_days": platform["EMERGENCY_COUNTERSIGN_WORKING_DAYS"],
        "expert_days": platform["EXPERT_PREVIEW_MAX_DAYS"],
        "support_days": platform["SUPPORT_MATERIALS_WORKING_DAYS"],
        "concern_hours": platform["CONCERN_RESPONSE_HOURS"],
        "callback_attempts": CALLBACK_ATTEMPTS,
        "rating_default_days": platform["RATINGS_DEFAULT_AFTER_DAYS"],
        "rating_callback_days": platform["RATINGS_CALLBACK_WORKING_DAYS"],
        "rectify_days": platform["RATINGS_RECTIFY_WORKING_DAYS"],
    })


def urls():
    return [path("guide/", guide, name=URL_NAME)]


class GuideMenuItem(MenuItem):
    """帮助 → 政策通使用指南, for everyone who may enter the admin."""

    def __init__(self):
        super().__init__(gettext_lazy("政策通使用指南"), reverse(URL_NAME), name="editor-guide",
                         icon_name="help", order=1100)


def help_menu(request, items):
    """Wagtail's 帮助 menu without its links to Wagtail's English guide and release notes."""
    items[:] = [item for item in items
                if item.name != "editor-guide" and not item.name.startswith("whats-new")]
    items.append(GuideMenuItem())
    items.sort(key=lambda item: item.order)
