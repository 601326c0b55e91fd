"""Admin screens: the concerns log (with overdue concerns for supervisors), readers' feedback
and the 审签记录."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from interpretations.models import Concern, Feedback, SignOff


class ConcernFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=_("已超过回应时限"), method="filter_overdue")

    class Meta:
        model = Concern
        fields = ["status", "kind", "source"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(status=Concern.Status.OPEN, due_at__lt=now)
        if value is False:
            return queryset.exclude(status=Concern.Status.OPEN, due_at__lt=now)
        return queryset


class ConcernViewSet(ModelViewSet):
    model = Concern
    icon = "warning"
    menu_label = _("关切登记")
    list_display = ["content", "policy", "kind", "source", "registered_at", "due_at", "status"]
    filterset_class = ConcernFilterSet
    search_fields = ["content", "hotline_ticket"]
    form_fields = ["policy", "kind", "source", "hotline_ticket", "content", "registered_at",
                   "status", "answer"]
    inspect_view_enabled = True
    list_export = ["policy", "kind", "source", "hotline_ticket", "content", "registered_at",
                   "due_at", "status", "answered_at", "answer"]
    export_filename = "concerns"


class FeedbackViewSet(ModelViewSet):
    model = Feedback
    icon = "comment"
    menu_label = _("解读评价")
    list_display = ["policy", "helpful", "comment", "created_at"]
    list_filter = ["helpful"]
    form_fields = []
    inspect_view_enabled = True

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns()
                if p.name in {"index", "index_results", "inspect"}]


class SignOffViewSet(ModelViewSet):
    model = SignOff
    icon = "tick-inverse"
    menu_label = _("审签记录")
    list_display = ["page", "task_name", "approver_name", "revision_number", "result",
                    "decided_at"]
    list_filter = ["result"]
    form_fields = []
    inspect_view_enabled = True
    list_export = ["page", "task_name", "approver_name", "revision_number", "result",
                   "decided_at", "note"]
    export_filename = "signoffs"

    def get_urlpatterns(self):
        # Sign-off records are written by the workflow only.
        return [p for p in super().get_urlpatterns()
                if p.name in {"index", "index_results", "inspect"}]


class InterpretationGroup(ModelViewSetGroup):
    menu_label = _("政策解读")
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (ConcernViewSet("concerns"), FeedbackViewSet("feedback"),
             SignOffViewSet("signoffs"))
