"""Routes of this app that are not Wagtail pages."""

from django.urls import path

from interpretations import views
from interpretations.api import api

app_name = "interpretations"

urlpatterns = [
    path("feedback/policies/<int:pk>/", views.feedback, name="feedback"),
    path("feeds/policies/", views.PolicyFeed(), name="policy_feed"),
    path("api/policies/", api.urls),
    # Policy pages: Wagtail serving with a one-query route (falls back to Wagtail's routing).
    path("policies/<slug:slug>/", views.serve_policy, name="policy"),
]
