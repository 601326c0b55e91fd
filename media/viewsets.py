"""The media library in the admin. Items belong to a department and are scoped like its
policies: a department's editors and approvers (and the organisations above) list, choose and
change their own items; 督办人 and superusers see every department's. Every change is kept as a
revision; what a policy shows stays the version its revision was signed with."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import DeleteView, EditView

from core.models import Organisation
from core.permissions import organisation_scope
from core.viewsets import SnippetViewSet
from media.models import MediaItem


def scoped(queryset, user):
    """The items ``user`` may use: their organisation's and those below it (items that name
    no department yet stay visible to every editor)."""
    scope = organisation_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(Q(department__in=scope) | Q(department__isnull=True))


class DepartmentPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, held on an item only within the user's organisation scope."""

    def user_has_permission_for_instance(self, user, action, instance):
        return (self.user_has_permission(user, action)
                and scoped(type(instance).objects.filter(pk=instance.pk), user).exists())

    def instances_user_has_any_permission_for(self, user, actions):
        return scoped(super().instances_user_has_any_permission_for(user, actions), user)


class MediaItemForm(WagtailAdminModelForm):
    """The department is one the user works for, their own by default."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("department")
        user = getattr(self, "for_user", None)
        if field is None or user is None:
            return
        field.required = True
        scope = organisation_scope(user)
        if scope is not None:
            field.queryset = Organisation.objects.filter(pk__in=scope)
        if not self.instance.pk and user.organisation_id:
            field.initial = user.organisation_id


class ScopedEditView(EditView):
    """Another department's item does not exist here (revert uses this view too)."""

    def get_queryset(self):
        return scoped(super().get_queryset(), self.request.user)


class ScopedDeleteView(DeleteView):
    def get_queryset(self):
        return scoped(super().get_queryset(), self.request.user)


class ScopedChooseView(ChooseView):
    def get_object_list(self):
        return scoped(super().get_object_list(), self.request.user)


class ScopedChooseResultsView(ChooseResultsView):
    def get_object_list(self):
        return scoped(super().get_object_list(), self.request.user)


class MediaChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView


class MediaItemViewSet(SnippetViewSet):
    model = MediaItem
    icon = "media"
    menu_label = _("音视频")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["title", "kind", "department", "created_at"]
    list_filter = ["kind", "department"]
    search_fields = ["title"]
    chooser_viewset_class = MediaChooserViewSet
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    edit_handler = ObjectList([
        FieldPanel("title"), FieldPanel("kind"), FieldPanel("department"), FieldPanel("file"),
        FieldPanel("poster"), FieldPanel("captions"), FieldPanel("transcript"),
        FieldPanel("duration_seconds"),
    ], base_form_class=MediaItemForm)

    def get_queryset(self, request):
        return scoped(MediaItem.objects.all(), request.user)
