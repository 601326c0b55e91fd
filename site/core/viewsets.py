"""Admin screens for the shared reference data, the message outbox and user accounts."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.users.views.users import UserViewSet

from core.forms import PlatformUserCreationForm, PlatformUserEditForm
from core.models import Division, Message, Organisation
from core.permissions import OrganisationScopedViewMixin


class DivisionViewSet(ModelViewSet):
    model = Division
    icon = "site"
    menu_label = _("行政区划")
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    form_fields = ["code", "name", "level", "parent"]
    inspect_view_enabled = True
    list_export = ["code", "name", "level", "parent"]
    export_filename = "divisions"


class ScopedIndexView(OrganisationScopedViewMixin, generic.IndexView):
    scope_field = "pk"


class ScopedInspectView(OrganisationScopedViewMixin, generic.InspectView):
    scope_field = "pk"


class ScopedEditView(OrganisationScopedViewMixin, generic.EditView):
    scope_field = "pk"


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("机构")
    index_view_class = ScopedIndexView
    inspect_view_class = ScopedInspectView
    edit_view_class = ScopedEditView
    list_display = ["name", "kind", "division", "parent", "principal"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    form_fields = ["name", "short_name", "kind", "division", "parent", "principal", "phone",
                   "is_active"]
    inspect_view_enabled = True
    list_export = ["name", "kind", "division", "parent", "principal", "phone"]
    export_filename = "organisations"


class MessageViewSet(ModelViewSet):
    model = Message
    icon = "mail"
    menu_label = _("消息发送记录")
    list_display = ["subject", "channel", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["subject", "body"]
    form_fields = []
    inspect_view_enabled = True
    add_to_admin_menu = False

    def get_urlpatterns(self):
        # Messages are written by the platform only: listing and inspection, no editing.
        return [p for p in super().get_urlpatterns() if p.name in {"index", "index_results",
                                                                    "inspect"}]


class ReferenceDataGroup(ModelViewSetGroup):
    menu_label = _("基础数据")
    menu_icon = "folder-open-inverse"
    menu_order = 900
    items = (DivisionViewSet("divisions"), OrganisationViewSet("organisations"),
             MessageViewSet("messages"))


class PlatformUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm
