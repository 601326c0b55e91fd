"""Routes of this app that are not Wagtail pages."""

urlpatterns = []
