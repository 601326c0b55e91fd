"""Routes of this app that are not Wagtail pages."""

from django.urls import path

from interpretations import expert_views, views

app_name = "interpretations"

urlpatterns = [
    path("feedback/policies/<int:pk>/", views.feedback, name="feedback"),
    path("feeds/policies/", views.PolicyFeed(), name="policy_feed"),
    # The signed copy of a live policy's attachment (``PolicyAttachment.file``).
    path("policies/<int:pk>/files/<str:digest>/<str:filename>", views.attachment,
         name="attachment"),
    # 专家预览: an outside expert's read-only view of a draft (no account; signed, expiring).
    path("review/<str:token>/", expert_views.expert_preview, name="expert_preview"),
    # Policy pages: Wagtail serving with a one-query route (falls back to Wagtail's routing).
    path("policies/<slug:slug>/", views.serve_policy, name="policy"),
]
