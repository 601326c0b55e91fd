"""Admin routes of the policy section beside the page editor (``register_admin_urls``)."""

from django.urls import path

from interpretations import admin_views, docx_views, expert_views

app_name = "interpretations_admin"

urlpatterns = [
    path("<int:pk>/emergency-publish/", admin_views.emergency_publish, name="emergency_publish"),
    path("<int:pk>/withdraw/", admin_views.withdraw, name="withdraw"),
    # 专家预览 (interpretations/expert_views.py)
    path("<int:pk>/expert-links/", expert_views.expert_links, name="expert_links"),
    path("<int:pk>/expert-links/<int:link_pk>/revoke/", expert_views.revoke_expert_link,
         name="revoke_expert_link"),
    # 同步起草 from a Word 公文 (interpretations/docx_views.py)
    path("<int:pk>/import-docx/", docx_views.import_docx, name="import_docx"),
    path("new-from-docx/", docx_views.new_from_docx, name="new_from_docx"),
]
