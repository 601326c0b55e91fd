from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from wagtail import hooks

from core import inbox_views, lockouts, routes
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
