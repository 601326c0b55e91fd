from wagtail import hooks

from core.viewsets import ReferenceDataGroup


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()
