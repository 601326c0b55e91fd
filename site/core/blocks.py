from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class EntryBlock(blocks.StructBlock):
    """A large entry on the home page leading to one part of the site."""

    title = blocks.CharBlock(label=_("标题"), max_length=20)
    description = blocks.CharBlock(label=_("说明"), max_length=80, required=False)
    page = blocks.PageChooserBlock(label=_("链接页面"), required=False)
    url = blocks.CharBlock(label=_("或链接地址"), required=False, max_length=200)

    class Meta:
        icon = "link"
        label = _("入口")
        template = "core/blocks/entry.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("小标题"), form_classname="title", template="core/blocks/heading.html")
    paragraph = blocks.RichTextBlock(label=_("正文"))
    image = ImageBlock(label=_("图片"))

    class Meta:
        label = _("正文内容")
