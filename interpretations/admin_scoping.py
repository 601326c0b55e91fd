"""Wagtail admin screens that list pages from the whole tree, answered with another
department's draft titles left out (``interpretations.permissions.hidden_drafts``): the page
search, the site-history report and the two workflow reports. Wagtail offers no hook for either, so ``portal.urls``
answers their addresses with these subclasses (the page explorer and the page chooser use the
``construct_*_page_queryset`` hooks in ``wagtail_hooks``)."""

import functools

from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.pages.search import SearchView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.models import PageLogEntry

from interpretations.permissions import (
    without_hidden_drafts,
    without_hidden_log_entries,
    without_hidden_workflow_states,
)


class DraftScopedPageSearchView(SearchView):
    def annotate_queryset(self, pages):
        # Every result row comes from here (before the search backend sees the queryset).
        return without_hidden_drafts(super().annotate_queryset(pages), self.request.user)


class DraftScopedSiteHistoryView(LogEntriesView):
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if issubclass(queryset.model, PageLogEntry):
            queryset = without_hidden_log_entries(queryset, self.request.user)
        return queryset


class DraftScopedWorkflowView(WorkflowView):
    def get_queryset(self):
        return without_hidden_workflow_states(super().get_queryset(), self.request.user)


class DraftScopedWorkflowTasksView(WorkflowTasksView):
    def get_queryset(self):
        return without_hidden_workflow_states(super().get_queryset(), self.request.user,
                                              prefix="workflow_state__")


def _admin(view):
    return never_cache(require_admin_access(view))


@functools.cache
def _page_search_view(results_only):
    """The search view as the base Page viewset builds its own (same names, URLs, columns)."""
    from wagtail.admin.viewsets.pages import page_viewset_registry
    from wagtail.models import Page

    viewset = page_viewset_registry.get_by_type(Page)
    return viewset.construct_view(DraftScopedPageSearchView,
                                  **({"results_only": True} if results_only else {}))


page_search = _admin(lambda request, *args, **kwargs: _page_search_view(False)(
    request, *args, **kwargs))
page_search_results = _admin(lambda request, *args, **kwargs: _page_search_view(True)(
    request, *args, **kwargs))
site_history = _admin(DraftScopedSiteHistoryView.as_view())
site_history_results = _admin(DraftScopedSiteHistoryView.as_view(results_only=True))
workflow_report = _admin(DraftScopedWorkflowView.as_view())
workflow_report_results = _admin(DraftScopedWorkflowView.as_view(results_only=True))
workflow_tasks_report = _admin(DraftScopedWorkflowTasksView.as_view())
workflow_tasks_report_results = _admin(DraftScopedWorkflowTasksView.as_view(results_only=True))
