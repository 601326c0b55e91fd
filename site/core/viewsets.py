"""Admin screens for the shared reference data, the message outbox and user accounts, and
the base classes every admin viewset of the project derives from (``ModelViewSet``,
``SnippetViewSet``): their lists read in Chinese (``core.admin_lists``: 是/否, choices by their
label, a meaning for empty values, Chinese headers, no button for a route the viewset does not
serve) and their list downloads go through ``core.exports``.

A viewset says what an empty value of a column means with ``list_empty_labels`` (column name →
text, e.g. ``{"category": _("所有分类（默认）")}``; otherwise "—") and gives a header to a column
that shows a property with ``column_labels``."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets import model as wagtail_model
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.snippets.views import snippets as wagtail_snippets
from wagtail.users.views.users import UserViewSet

from core.admin_lists import PlatformViewSetMixin
from core.exports import SafeExportViewSetMixin
from core.forms import PlatformUserCreationForm, PlatformUserEditForm
from core.models import Division, Message, Organisation
from core.permissions import OrganisationScopedViewMixin


class ModelViewSet(PlatformViewSetMixin, SafeExportViewSetMixin, wagtail_model.ModelViewSet):
    """Wagtail's ModelViewSet with lists in Chinese and formula-safe CSV/XLSX downloads."""


class SnippetViewSet(PlatformViewSetMixin, SafeExportViewSetMixin,
                     wagtail_snippets.SnippetViewSet):
    """Wagtail's SnippetViewSet with lists in Chinese and formula-safe CSV/XLSX downloads."""


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


class MessageInspectView(generic.InspectView):
    """A message is read, never edited or deleted: no such buttons (their routes are gone)."""

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None


class MessageViewSet(ModelViewSet):
    model = Message
    inspect_view_class = MessageInspectView
    icon = "mail"
    menu_label = _("消息发送记录")
    list_display = ["subject", "channel", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["subject", "body"]
    form_fields = []
    inspect_view_enabled = True
    # Bodies and links are kept masked (core.messaging); the seed stays off the screen too.
    inspect_view_fields_exclude = ["secret_seed"]
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


class PlatformUserViewSet(PlatformViewSetMixin, SafeExportViewSetMixin, UserViewSet):
    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm
