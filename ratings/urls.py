"""Public routes of 好差评 (the admin workbench is registered in wagtail_hooks.py)."""

from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path("rate/<str:token>/", views.rate, name="rate"),
    path("rate/window/<str:key>/", views.rate_window, name="window"),
    path("ratings/done/", views.done, name="done"),
    path("ratings/sms-reply/", views.sms_reply, name="sms_reply"),
    path("ratings/figures/", views.figures, name="figures"),
]
