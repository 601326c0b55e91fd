"""Public and enterprise-portal routes (the admin side is registered in wagtail_hooks.py)."""

from django.urls import path

from enterprises.views import calculator, inbox, portal, requests

app_name = "enterprises"

urlpatterns = [
    # 政策计算器: public form; a logged-in enterprise's own list.
    path("policies/calculator/", calculator.calculator, name="calculator"),
    path("enterprise/policies/", calculator.my_policies, name="my_policies"),
    # Portal: profile and notification preferences.
    path("enterprise/", portal.dashboard, name="dashboard"),
    path("enterprise/profile/", portal.profile, name="profile"),
    path("enterprise/preferences/", portal.preferences, name="preferences"),
    # Inbox of pushed policies; read tracking for links sent by SMS/email.
    path("enterprise/inbox/", inbox.inbox_list, name="inbox"),
    path("enterprise/inbox/<int:pk>/", inbox.inbox_item, name="inbox_item"),
    path("enterprise/r/<str:token>/", inbox.track, name="track"),
    # 企业诉求: file, follow, rate.
    path("enterprise/requests/", requests.request_list, name="requests"),
    path("enterprise/requests/new/", requests.request_new, name="request_new"),
    path("enterprise/requests/<str:number>/", requests.request_detail, name="request_detail"),
]
