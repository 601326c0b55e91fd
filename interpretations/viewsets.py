"""Admin screens: the concerns log (with overdue concerns for supervisors), readers' feedback,
the 审签记录 and 惠企政策配套材料 (enterprise policies' 申报指南 and 工作手册, by due date)."""

import django_filters
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

from core import roles
from core.models import Organisation
from core.viewsets import ModelViewSet
from interpretations.models import (
    Concern,
    EmergencyPublication,
    Feedback,
    PolicyPage,
    SignOff,
)
from interpretations.models.support import SupportStatus
from interpretations.permissions import PolicyScopedViewMixin, policies_in_scope
from interpretations.services import support_materials_rows


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


class PolicyScopedViewSet(ModelViewSet):
    """A model attached to a policy: every view of it (listing, export, inspect, add, edit,
    delete, history, usage, copy) sees only the rows of policies the user may work on
    (``PolicyScopedViewMixin``); another department's row is a 404."""

    scope_field = "policy"

    def construct_view(self, view_class, **kwargs):
        scoped = type(view_class.__name__, (PolicyScopedViewMixin, view_class),
                      {"scope_field": self.scope_field})
        return super().construct_view(scoped, **kwargs)


class ConcernViewSet(PolicyScopedViewSet):
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


class FeedbackViewSet(PolicyScopedViewSet):
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


# --- 紧急发布 and their 补签 -----------------------------------------------------------------------


class CountersignStatus(django_filters.ChoiceFilter):
    def __init__(self, **kwargs):
        super().__init__(label=_("补签状态"), empty_label=_("全部"), method=self.filter_status,
                         choices=[("open", _("待补签")), ("overdue", _("补签超期")),
                                  ("done", _("已补签"))], **kwargs)

    @staticmethod
    def filter_status(queryset, name, value):
        now = timezone.now()
        if value == "open":
            return queryset.filter(completed_at__isnull=True)
        if value == "overdue":
            return queryset.filter(completed_at__isnull=True, due_at__lt=now)
        if value == "done":
            return queryset.filter(completed_at__isnull=False)
        return queryset


class EmergencyFilterSet(WagtailFilterSet):
    status = CountersignStatus()

    class Meta:
        model = EmergencyPublication
        fields = ["status"]


class EmergencyPublicationViewSet(PolicyScopedViewSet):
    """紧急发布 with their reasons and 补签 deadlines: the supervisors' list (all departments)
    and each department's own (policies it may work on)."""

    model = EmergencyPublication
    icon = "warning"
    menu_label = _("紧急发布与补签")
    list_display = ["page", "published_by_name", "published_at", "reason", "due_at",
                    StatusTagColumn("status_label", label=_("补签状态"),
                                    primary=lambda r: r.is_overdue)]
    filterset_class = EmergencyFilterSet
    form_fields = []
    inspect_view_enabled = True
    inspect_view_fields = ["page", "reason", "published_by_name", "published_at", "due_at",
                           "completed_at"]
    list_export = ["page", "reason", "published_by_name", "published_at", "due_at",
                   "completed_at"]
    export_filename = "emergency-publications"
    scope_field = "page"

    def get_urlpatterns(self):
        # Written by the emergency route only.
        return [p for p in super().get_urlpatterns()
                if p.name in {"index", "index_results", "inspect"}]


# --- 惠企政策配套材料 ----------------------------------------------------------------------------


def may_view_support_materials(user):
    """Editors and approvers (their department's policies and those below), supervisors (all)."""
    return user.is_active and (user.is_superuser or roles.has_role(
        user, roles.EDITOR, roles.APPROVER, roles.SUPERVISOR))


class SupportMaterialsPermissionPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and may_view_support_materials(user)


class SupportMaterialsFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SupportStatus.choices,
                                         method="filter_status", empty_label=_("全部"))
    drafting_department = django_filters.ModelChoiceFilter(
        label=_("起草部门"), queryset=Organisation.objects.order_by("name"))
    exempt_application = django_filters.BooleanFilter(label=_("免申即享"))

    class Meta:
        model = PolicyPage
        fields = ["status", "drafting_department", "exempt_application"]

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=[p.pk for p, state in support_materials_rows(queryset)
                                       if state.status == value])


class SupportMaterialsIndexView(generic.IndexView):
    """Live enterprise policies with the due date and status of their 申报指南 and 工作手册,
    earliest due first (the due date follows the first go-live)."""

    model = PolicyPage
    permission_policy = SupportMaterialsPermissionPolicy(PolicyPage)
    any_permission_required = ["view"]
    page_title = _("惠企政策配套材料")
    header_icon = "warning"
    filterset_class = SupportMaterialsFilterSet
    search_fields = ["title", "doc_number"]
    search_backend_name = None  # a plain title/字号 match (the search index holds segmented text)
    default_ordering = "first_published_at"
    paginate_by = 50

    @cached_property
    def states(self):
        policies = PolicyPage.objects.filter(policies_in_scope(self.request.user))
        return {p.pk: state for p, state in support_materials_rows(policies)}

    def get_base_queryset(self):
        return PolicyPage.objects.filter(pk__in=list(self.states)).select_related(
            "drafting_department")

    def get_valid_orderings(self):
        return ["first_published_at", "-first_published_at", "title", "-title"]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, others = super().paginate_queryset(queryset, page_size)
        for policy in rows:
            policy.support = self.states[policy.pk]
        return paginator, page, rows, others

    @cached_property
    def edits_policies(self):
        return PagePermissionPolicy().user_has_permission(self.request.user, "change")

    def policy_url(self, policy):
        # Every row is a policy the user may work on (the list is ``policies_in_scope``): an
        # editor or approver opens the editor, a supervisor the public page.
        if self.edits_policies:
            return reverse("wagtailadmin_pages:edit", args=[policy.pk])
        return policy.get_url(self.request)

    @cached_property
    def columns(self):
        return [
            TitleColumn("title", label=_("政策文件"), get_url=self.policy_url),
            Column("drafting_department", label=_("起草部门"),
                   accessor="drafting_department.short_name"),
            Column("first_published_at", label=_("首次发布"), sort_key="first_published_at",
                   accessor=lambda p: timezone.localtime(p.first_published_at).strftime(
                       "%Y-%m-%d")),
            Column("due", label=_("应发布期限"), sort_key="first_published_at",
                   accessor=lambda p: timezone.localtime(p.support.due_at).strftime(
                       "%Y-%m-%d %H:%M")),
            StatusTagColumn("status", label=_("状态"), accessor="support.status_label",
                            primary=lambda p: p.support.overdue),
            Column("missing", label=_("尚缺"), accessor=lambda p: p.support.missing_text or "—"),
        ]

    def get_list_buttons(self, instance):
        return []


class SupportMaterialsViewSet(ViewSet):
    icon = "warning"
    menu_label = _("惠企政策配套材料")

    @cached_property
    def menu_item_class(self):
        class SupportMaterialsMenuItem(MenuItem):
            def is_shown(self, request):
                return may_view_support_materials(request.user)

        return SupportMaterialsMenuItem

    def get_urlpatterns(self):
        view = SupportMaterialsIndexView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"))
        results = SupportMaterialsIndexView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"), results_only=True)
        return [path("", view, name="index"), path("results/", results, name="index_results")]


class InterpretationGroup(ModelViewSetGroup):
    menu_label = _("政策解读")
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (ConcernViewSet("concerns"), FeedbackViewSet("feedback"),
             SignOffViewSet("signoffs"), EmergencyPublicationViewSet("emergency-publications"),
             SupportMaterialsViewSet("support-materials"))
