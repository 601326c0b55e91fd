"""Public interpretation materials (解读材料): the forms listed in domain-rules §1."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class TextInterpretationBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), max_length=200)
    body = blocks.RichTextBlock(label=_("解读正文"))

    class Meta:
        icon = "doc-full"
        label = _("文字解读")
        template = "interpretations/blocks/text.html"


class GraphicBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), max_length=200)
    image = ImageBlock(label=_("图解图片"))
    description = blocks.TextBlock(
        label=_("图解文字说明"), help_text=_("图中全部要点的文字版，供读屏软件和关怀模式使用。"))

    class Meta:
        icon = "image"
        label = _("图解")
        template = "interpretations/blocks/graphic.html"


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问"), max_length=300)
    answer = blocks.TextBlock(label=_("答"))

    class Meta:
        icon = "help"
        label = _("政策问答")
        template = "interpretations/blocks/qa.html"


class MediaBlock(blocks.StructBlock):
    item = SnippetChooserBlock("media.MediaItem", label=_("音视频/动画"))
    note = blocks.CharBlock(label=_("说明"), required=False, max_length=200)

    def get_context(self, value, parent_context=None):
        # The page's revision shows the version of the item it was signed with.
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        item = value.get("item")
        context["item"] = page.media_version(item) if hasattr(page, "media_version") else item
        return context

    class Meta:
        icon = "media"
        label = _("音视频/动画")
        template = "interpretations/blocks/media.html"


class ExpertBlock(blocks.StructBlock):
    expert = blocks.CharBlock(label=_("专家姓名"), max_length=40)
    affiliation = blocks.CharBlock(label=_("单位及职务"), max_length=100, required=False)
    body = blocks.RichTextBlock(label=_("解读内容"))

    class Meta:
        icon = "user"
        label = _("专家解读")
        template = "interpretations/blocks/expert.html"


class InterviewBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("访谈主题"), max_length=200)
    held_on = blocks.DateBlock(label=_("访谈日期"), required=False)
    guests = blocks.CharBlock(label=_("嘉宾"), max_length=200)
    transcript = blocks.RichTextBlock(label=_("访谈实录"))

    class Meta:
        icon = "openquote"
        label = _("访谈实录")
        template = "interpretations/blocks/interview.html"


class MaterialsBlock(blocks.StreamBlock):
    text = TextInterpretationBlock()
    graphic = GraphicBlock()
    qa = QuestionAnswerBlock()
    media = MediaBlock()
    expert = ExpertBlock()
    interview = InterviewBlock()

    class Meta:
        label = _("解读材料")


# Which tab of the public page each material kind belongs to.
MATERIAL_TABS = {
    "text": "interpretation", "expert": "interpretation", "interview": "interpretation",
    "qa": "qa", "graphic": "graphic", "media": "video",
}


# --- 正文: the document itself, as the 公文 has it (text with headings, clauses and lists, and
# tables). A table is its own block: the rich-text editor cannot hold one.

BODY_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class BodyTableBlock(TableBlock):
    class Meta:
        icon = "table"
        label = _("表格")
        template = "interpretations/blocks/table.html"


class PolicyBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("正文"), features=BODY_FEATURES)
    table = BodyTableBlock(table_options={"contextMenu": True, "startRows": 3, "startCols": 3})

    class Meta:
        label = _("正文")


class PolicyBodyField(StreamField):
    """The 正文 stream. It also takes the HTML of a rich-text body (revisions saved before the
    body held tables, and code that writes the text as HTML) as one text block."""

    def to_python(self, value):
        if isinstance(value, str) and not value.lstrip().startswith("["):
            value = [{"type": "text", "value": value}]
        return super().to_python(value)
