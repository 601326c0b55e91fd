"""Routes of this app that are not Wagtail pages."""

from django.urls import path

from hotline import attachments, views

app_name = "hotline"

urlpatterns = [
    path("hotline/submit/", views.submit, name="submit"),
    path("hotline/submit/done/", views.receipt, name="receipt"),
    path("hotline/track/", views.track, name="track"),
    path("hotline/figures/", views.figures, name="figures"),
    # Private: checks who asks (hotline.attachments); there is no public address for the file.
    path("hotline/attachments/<int:pk>/", attachments.download, name="attachment"),
]
