from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from wagtail import hooks

from core import routes
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
