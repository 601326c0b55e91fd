from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from core import routes


class EntryValue(blocks.StructValue):
    def href(self):
        """Where the entry leads: the chosen page if it is live, else the chosen site function
        (by route name, so it follows the URLconf), else the typed address; None if nowhere."""
        page = self.get("page")
        if page is not None:
            return page.url if page.live else None
        if self.get("route"):
            return routes.link_url(self["route"])
        return self.get("url") or None


class EntryBlock(blocks.StructBlock):
    """A large entry on the home page leading to one part of the site; the home page's entries
    are also the site's main navigation."""

    title = blocks.CharBlock(label=_("标题"), max_length=20)
    description = blocks.CharBlock(label=_("说明"), max_length=80, required=False)
    page = blocks.PageChooserBlock(label=_("链接页面"), required=False)
    route = blocks.ChoiceBlock(label=_("或站内功能"), choices=routes.link_choices, required=False,
                               help_text=_("不是页面的功能，如政策计算器、企业服务。"))
    url = blocks.CharBlock(label=_("或链接地址"), required=False, max_length=200)

    class Meta:
        icon = "link"
        label = _("入口")
        template = "core/blocks/entry.html"
        value_class = EntryValue


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("小标题"), form_classname="title", template="core/blocks/heading.html")
    paragraph = blocks.RichTextBlock(label=_("正文"))
    image = ImageBlock(label=_("图片"))

    class Meta:
        label = _("正文内容")
