from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import BodyBlock, EntryBlock
from core.routes import FixedRoutePageMixin


class HomePage(FixedRoutePageMixin, Page):
    """The site's front page: a short welcome and the entries to each part of the platform."""

    intro = models.CharField(_("欢迎语"), max_length=200, blank=True)
    entries = StreamField([("entry", EntryBlock())], verbose_name=_("服务入口"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("entries")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")
        verbose_name_plural = _("首页")


class StandardPage(FixedRoutePageMixin, Page):
    """A plain information page (政务公开 notices, guides, about)."""

    intro = models.CharField(_("导语"), max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["core.HomePage", "core.StandardPage"]
    subpage_types = ["core.StandardPage"]

    class Meta:
        verbose_name = _("信息页面")
        verbose_name_plural = _("信息页面")
