from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from core import guide, inbox_views, lockouts, routes
from core.viewsets import ReferenceDataGroup


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()


@hooks.register("before_move_page")
def refuse_moving_onto_a_fixed_route(request, page, destination):
    """Moving a page under ``destination`` must not put it at an address a fixed route
    answers; refused the way Wagtail refuses a slug already used there."""
    try:
        routes.check_page_slug(page.slug, destination)
    except ValidationError as error:
        messages.error(request, error.message_dict["slug"][0])
        return redirect("wagtailadmin_pages:move", page.id)


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return inbox_views.urls()


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return inbox_views.InboxMenuItem()


@hooks.register("insert_global_admin_css")
def inbox_badge_css():
    return inbox_views.BADGE_CSS


@hooks.register("construct_homepage_panels")
def add_inbox_panel(request, panels):
    panels.insert(0, inbox_views.InboxPanel())


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return lockouts.urls()


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return lockouts.LockoutsMenuItem()


# --- The admin is 政策通's: its mark and name (site/portal/templates/wagtailadmin/), its guide ---


@hooks.register("insert_global_admin_css")
def branding_css():
    return format_html('<link rel="stylesheet" href="{}">', static("branding/admin.css"))


@hooks.register("register_admin_urls")
def register_guide_urls():
    return guide.urls()


@hooks.register("construct_help_menu")
def help_menu_links_to_the_guide(request, items):
    guide.help_menu(request, items)


@hooks.register("insert_global_admin_js")
def name_unlabelled_inputs():
    """Tag and rich-text inputs built in the browser get their field's label (admin-labels.js)."""
    return format_html('<script src="{}"></script>', static("js/admin-labels.js"))


@hooks.register("insert_global_admin_css")
def admin_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))
