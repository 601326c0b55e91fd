from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from core.routes import FixedRoutePageMixin


class HotlineIndexPage(FixedRoutePageMixin, Page):
    """/hotline/: the entry to filing, tracking and the published monthly figures."""

    intro = models.CharField(_("导语"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("12345 诉求首页")
        verbose_name_plural = _("12345 诉求首页")
