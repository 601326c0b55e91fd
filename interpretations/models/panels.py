"""The editor's 审签与发布 panel: where the latest revision stands on its sign-off, and the
publishing actions beside the editor's buttons (紧急发布, 撤回, 专家预览). The rules are in
``interpretations.publishing``; this only shows them."""

from wagtail.admin.panels import MultiFieldPanel, Panel


class ChangePanel(MultiFieldPanel):
    """本次修改: asked only of a policy that has been published (a first draft changes
    nothing)."""

    class BoundPanel(MultiFieldPanel.BoundPanel):
        def is_shown(self):
            return bool(self.instance.pk and self.instance.first_published_at)


class PublishingPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "interpretations/admin/publishing_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            from interpretations.publishing import publishing_status

            user = getattr(self.request, "user", None)
            self.status = publishing_status(self.instance, user) if user else None

        def is_shown(self):
            return self.status is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["status"] = self.status
            context["page"] = self.instance
            return context
