from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from hotline import admin_views, calendar_panel
from hotline.panels import DispatcherPanel, HandlerPanel, SupervisorPanel, add_panels
from hotline.viewsets import QUEUES, HotlineSettingsGroup, JointHandlingViewSet, TicketViewSet

ticket_viewset = TicketViewSet("hotline_tickets")
joint_viewset = JointHandlingViewSet("hotline_joint")


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [ticket_viewset, joint_viewset, HotlineSettingsGroup()]


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("hotline/intake/", admin_views.intake, name="hotline_intake"),
        path("hotline/ticket/<int:pk>/", admin_views.ticket_detail,
             name="hotline_ticket_detail"),
        path("hotline/ticket/<int:pk>/act/<slug:action>/", admin_views.ticket_act,
             name="hotline_ticket_act"),
        path("hotline/joint/<int:pk>/minute/", admin_views.joint_minute,
             name="hotline_joint_minute"),
        path("hotline/analysis/", admin_views.analysis, name="hotline_analysis"),
        path("hotline/policies/lookup/", admin_views.policy_lookup,
             name="hotline_policy_lookup"),
        path("hotline/calendar/year/", admin_views.calendar_year, name="hotline_calendar_year"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission="hotline.view_ticket", **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class LazyUrlMenuItem(PermissionMenuItem):
    """A menu item whose URL is reversed when the menu is drawn (URLconf is ready then)."""

    def __init__(self, label, url_name, query="", **kwargs):
        self.url_name, self.query = url_name, query
        super().__init__(label, "#", **kwargs)

    def render_component(self, request):
        self.url = reverse(self.url_name) + self.query
        return super().render_component(request)


def workbench_items():
    items = [LazyUrlMenuItem(_("受理工单"), "hotline_intake", icon_name="plus",
                             permission="hotline.add_ticket", order=10, name="hotline-intake"),
             LazyUrlMenuItem(_("全部工单"), "hotline_tickets:index", icon_name="list-ul",
                             order=20, name="hotline-all")]
    for i, (key, label) in enumerate(QUEUES):
        items.append(LazyUrlMenuItem(label, "hotline_tickets:index", f"?queue={key}",
                                     icon_name="folder-open-inverse", order=30 + i,
                                     name=f"hotline-{key}"))
    items.append(LazyUrlMenuItem(_("会办台账"), "hotline_joint:index", icon_name="group",
                                 order=80, name="hotline-joint-list"))
    items.append(LazyUrlMenuItem(_("统计分析"), "hotline_analysis", icon_name="table",
                                 order=90, name="hotline-analysis"))
    items.append(LazyUrlMenuItem(_("节假日年度设置"), "hotline_calendar_year", icon_name="date",
                                 order=95, name="hotline-calendar-year",
                                 permission="hotline.add_calendarday"))
    return items


@hooks.register("register_admin_menu_item")
def register_workbench_menu():
    return SubmenuMenuItem(_("12345 工作台"), Menu(items=workbench_items()),
                           icon_name="clipboard-list", name="hotline", order=150)


@hooks.register("construct_homepage_panels")
def add_home_panels(request, panels):
    add_panels(request, panels, DispatcherPanel, HandlerPanel, SupervisorPanel)


@hooks.register("construct_homepage_panels")
def add_calendar_banner(request, panels):
    calendar_panel.add_panel(request, panels)
