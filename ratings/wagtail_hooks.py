from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from hotline.panels import add_panels
from ratings import admin_views
from ratings.panels import CaseHandlerPanel, CaseSupervisorPanel
from ratings.viewsets import RatingsSettingsGroup


@hooks.register("register_admin_viewset")
def register_viewsets():
    return RatingsSettingsGroup()


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("ratings/", admin_views.dashboard, name="ratings_dashboard"),
        path("ratings/cases/", admin_views.case_list, name="ratings_cases"),
        path("ratings/cases/<int:pk>/", admin_views.case_detail, name="ratings_case_detail"),
        path("ratings/cases/<int:pk>/act/<slug:action>/", admin_views.case_act,
             name="ratings_case_act"),
        path("ratings/review/", admin_views.review, name="ratings_review"),
        path("ratings/windows/", admin_views.windows, name="ratings_windows"),
        path("ratings/windows/<int:pk>/qr.<str:fmt>", admin_views.window_qr,
             name="ratings_window_qr"),
    ]


class RatingsMenuItem(MenuItem):
    """Shown to users with one of ``permissions``; the URL is reversed when the menu is drawn."""

    def __init__(self, label, url_name, permissions, **kwargs):
        self.url_name, self.permissions = url_name, permissions
        super().__init__(label, "#", **kwargs)

    def is_shown(self, request):
        return any(request.user.has_perm(p) for p in self.permissions)

    def render_component(self, request):
        self.url = reverse(self.url_name)
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_menu():
    items = [
        RatingsMenuItem(_("好差评统计"), "ratings_dashboard", ["ratings.view_rating"],
                        icon_name="table", order=10, name="ratings-dashboard"),
        RatingsMenuItem(_("差评整改"), "ratings_cases",
                        ["ratings.view_badratingcase", "ratings.handle_case"],
                        icon_name="warning", order=20, name="ratings-cases"),
        RatingsMenuItem(_("疑似刷评审核"), "ratings_review", ["ratings.review_rating"],
                        icon_name="warning", order=30, name="ratings-review"),
        RatingsMenuItem(_("服务窗口与二维码"), "ratings_windows", ["ratings.view_servicewindow"],
                        icon_name="site", order=40, name="ratings-windows"),
    ]
    return SubmenuMenuItem(_("好差评"), Menu(items=items), icon_name="pick", name="ratings",
                           order=160)


@hooks.register("construct_homepage_panels")
def add_home_panels(request, panels):
    add_panels(request, panels, CaseHandlerPanel, CaseSupervisorPanel)
