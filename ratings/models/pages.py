from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from core.routes import FixedRoutePageMixin


class RatingsIndexPage(FixedRoutePageMixin, Page):
    """The 好差评 section: how to rate, this month's figures and the link to the full monthly
    publication (/ratings/figures/)."""

    intro = models.CharField(_("导语"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("好差评栏目")
        verbose_name_plural = _("好差评栏目")

    def get_context(self, request, *args, **kwargs):
        from ratings import metrics

        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        start, end = metrics.month_range(today.year, today.month)
        summary = metrics.summary(start, end)
        context["month"] = f"{today:%Y-%m}"
        context["summary"] = summary
        context["cards"] = [{"label": f.label, "key": f.key, "value": summary[f.key]}
                            for f in metrics.FIGURES]
        return context
