"""同步起草: reading a Word 公文 (.docx) into what a policy holds.

``import_docx(file)`` converts the document with mammoth and returns an ``ImportedDocx``:

- ``blocks``: the 正文 as ``PolicyBodyBlock`` items in document order, ``("text", html)`` and
  ``("table", table_value)``. Text keeps only what the body's rich-text editor allows (the HTML
  is Draftail's own output for ``BODY_FEATURES``, so the editor opens it unchanged). The 版头
  (发文机关标志, 发文字号, 标题) goes into the fields instead and the 版记 (抄送, 印发) is left
  out. Heading conventions of 公文 become headings one level under the public page's “原文”
  heading: 一、/第一章 → h3, （一）/第一节 → h4, when the line stands alone; a long paragraph
  that starts with such a number keeps its text with the lead sentence in bold.
- ``attachments``: the sections after the body headed ``附件1``/``附件`` as clean Word files
  written here from the converted text and tables (nothing else of the source file — no
  comments, revisions, hidden text or properties — goes public). An 印发 notice's own attachment
  (the 办法 named in its title) stays in the body instead.
- ``proposed``: guesses for 发文字号, 成文日期, 发布日期 (印发日期), 施行日期, 标题 and 发文机关
  for the editor to confirm.
- ``warnings``: what the editor should check (Chinese).
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from django.utils.translation import gettext as _
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from interpretations.blocks import BODY_FEATURES

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# 公文 heading levels → the heading element (the public page puts the body under an h2).
HEADINGS = {1: "h3", 2: "h4"}
SHORT_LINE = 40


class DocxError(ValueError):
    """The upload is not a Word document this can read; the message says why, in Chinese."""


@dataclass
class ImportedAttachment:
    number: str
    title: str
    blocks: list
    filename: str
    content: bytes = field(repr=False)

    @property
    def label(self):
        return f"附件{self.number}：{self.title}" if self.title else f"附件{self.number}"


@dataclass
class ImportedDocx:
    blocks: list
    proposed: dict
    attachments: list
    warnings: list


# --- Reading the file ---------------------------------------------------------------------------


def check_docx(data):
    """Refuse what is not a .docx by its content: a zip holding ``word/document.xml``."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocxError(_("文件超过 20 MB，请压缩图片或拆分后再上传。"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DocxError(_("这是旧版 Word（.doc）文件或加密文件。请在 Word 中“另存为”Word 文档（.docx）"
                          "并取消密码后再上传。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        names, unpacked = set(), 0
    if "word/document.xml" not in names:
        raise DocxError(_("不是有效的 Word（.docx）文件。请上传用 Word 或 WPS 保存的 .docx 文件。"))
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocxError(_("文件解压后过大，无法导入。"))


def import_docx(file):
    """Read the uploaded .docx ``file`` (a file object or bytes) into an ``ImportedDocx``."""
    data = file if isinstance(file, bytes) else file.read()
    check_docx(data)
    images = []
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP,
            convert_image=lambda image: images.append(image) or [])
    except Exception as exc:  # a damaged part: mammoth raises many kinds of errors
        raise DocxError(_("无法读取该 Word 文件的内容，文件可能已损坏。请在 Word 中打开并另存为 .docx "
                          "后重试。")) from exc
    warnings = source_warnings(data, images, result.messages)
    items = [el for el in BeautifulSoup(result.value, "html.parser").children
             if isinstance(el, Tag) and (el.name == "hr" or text_of(el))]
    items, printed_on = drop_colophon(items)
    main, sections = split_attachments(items)
    proposed, body_starts = propose(main)
    proposed["published_on"] = printed_on
    parts, more = build_parts(main[body_starts:])
    warnings += more
    attachments = []
    for number, title, content in sections:
        if title and proposed["title"] and f"《{title.strip('《》')}》" in proposed["title"]:
            # An 印发 notice: the 办法 it issues is its substance, shown in the body one
            # heading level under its title.
            inline, more = build_parts(content, offset=1)
            parts += [("text", clean_html(str(heading_tag(title, 1))))] + inline
            warnings += more
            continue
        attachments.append(make_attachment(number, title, content))
    blocks = [(kind, value.value() if kind == "table" else value) for kind, value in join(parts)]
    if not blocks:
        raise DocxError(_("文件中没有可导入的正文。"))
    return ImportedDocx(blocks=blocks, proposed=proposed, attachments=attachments,
                        warnings=warnings)


# Word's own heading styles (English names, as Chinese Word also stores them) and the title.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='标题'] => h1:fresh
p[style-name='Subtitle'] => p:fresh
"""


def source_warnings(data, images, messages):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
        names = set(archive.namelist())
    warnings = []
    if images:
        warnings.append(_("Word 文件中有 %(n)d 张图片未导入：正文只保留文字和表格。需要的图片请作为图解或附件"
                          "另行上传。") % {"n": len(images)})
    if b"<w:vanish/>" in xml or b"<w:vanish " in xml:
        warnings.append(_("Word 文件中有隐藏文字，已作为普通文字导入。请核对正文，删去不应公开的内容。"))
    if b"<w:del " in xml or b"<w:ins " in xml:
        warnings.append(_("Word 文件含修订痕迹，已按“接受全部修订”后的文字导入，请核对。"))
    if "word/comments.xml" in names:
        warnings.append(_("Word 文件中的批注未导入。"))
    if any(m.type != "warning" or not re.search("style|image", m.message, re.I)
           for m in messages):
        warnings.append(_("部分内容（如文本框、域代码、特殊符号）可能未完整导入，请对照原文核对。"))
    return warnings


# --- Text and patterns ----------------------------------------------------------------------------

WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3,
             "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
DATE = rf"([0-9]{{4}}|[〇○零Ｏ一二三四五六七八九]{{4}})\s*年\s*({NUM})\s*月\s*({NUM})\s*日"
DATE_LINE = re.compile(rf"[（(]?{DATE}[)）]?")
PRINTED = re.compile(rf".*?{DATE}\s*印发")
EFFECTIVE = re.compile(rf"自\s*{DATE}\s*起\s*(?:施行|执行|实施|生效)")
DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,20}?)\s*[〔\[［【(（]\s*([0-9]{4})\s*[〕\]］】)）]\s*第?\s*0*([0-9]+)\s*号")
KINDS = ("通知|意见|办法|规定|决定|方案|细则|措施|公告|通告|通报|批复|函|报告|请示|规划|纲要|"
         "决议|命令|纪要|规则|条例|指引|计划")
TITLE = re.compile(rf".*关于.+(?:{KINDS})(?:[（(][^）)]{{1,8}}[)）])?")
ATTACHMENT_MARK = re.compile(r"附件\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})?\s*[:：]?")
COLOPHON = re.compile(r"^(抄送|分送|发送)[:：]|印发$|^（?共印\s*[0-9]+\s*份）?$")
LEVELS = [
    (1, re.compile(r"^(第[一二三四五六七八九十百]+章|[一二三四五六七八九十]+、)")),
    (2, re.compile(r"^(第[一二三四五六七八九十百]+节|[（(][一二三四五六七八九十]+[)）])")),
]
ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇]+条")
SENTENCE_END = re.compile(r"[。；;！!？?]")
PUNCTUATION = re.compile(r"[。；;，,：:！!？?]")


def plain_text(el):
    """The text of ``el`` with line breaks kept."""
    if isinstance(el, NavigableString):
        return str(el)
    return "".join("\n" if getattr(node, "name", None) == "br" else str(node)
                   for node in el.descendants
                   if isinstance(node, NavigableString) or node.name == "br")


def text_of(el):
    """The text of ``el`` on one line, without the spaces Word uses for layout."""
    return re.sub(r"[\s\u3000\xa0]+", " ", plain_text(el)).strip()


def compact(text):
    return re.sub(r"[\s\u3000\xa0]+", "", text).translate(WIDE_DIGITS)


def cn_number(text):
    """一 → 1, 十二 → 12, 二十一 → 21; arabic digits as they are."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return CN_DIGITS.get(tens, 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    return CN_DIGITS.get(text, 0)


def to_date(match):
    year, month, day = match.group(1), match.group(2), match.group(3)
    year = int(year) if year.isdigit() else int("".join(str(CN_DIGITS[c]) for c in year))
    try:
        return datetime.date(year, cn_number(month), cn_number(day))
    except ValueError:
        return None


def normalise_doc_number(text):
    """临政办发[2026]012号 → 临政办发〔2026〕12号 (GB/T 9704: 六角括号, no 第, no leading zero);
    anything else is returned stripped."""
    match = DOC_NUMBER.fullmatch(compact(text or ""))
    if not match:
        return (text or "").strip()
    return f"{match.group(1)}〔{match.group(2)}〕{int(match.group(3))}号"


# --- Structure of the 公文 --------------------------------------------------------------------------


def drop_colophon(items):
    """Take the 版记 (抄送, 印发) off the end; return the rest and the 印发 date."""
    printed_on = None
    while items and COLOPHON.search(compact(text_of(items[-1]))):
        match = PRINTED.match(compact(text_of(items[-1])))
        if match and printed_on is None:
            printed_on = to_date(match)
        items = items[:-1]
    return items, printed_on


def split_attachments(items):
    """The body and the 附件 sections after it: [(number, title, [elements])]."""
    marks = [i for i, el in enumerate(items)
             if i > 0 and el.name not in ("table", "ol", "ul")
             and ATTACHMENT_MARK.fullmatch(compact(text_of(el)))]
    sections = []
    for n, start in enumerate(marks):
        end = marks[n + 1] if n + 1 < len(marks) else len(items)
        number = ATTACHMENT_MARK.fullmatch(compact(text_of(items[start]))).group(1)
        content = items[start + 1:end]
        title = ""
        if content and content[0].name != "table" and len(text_of(content[0])) <= 80:
            title, content = text_of(content[0]), content[1:]
        sections.append((str(cn_number(number)) if number else str(n + 1), title, content))
    return items[:marks[0]] if marks else items, sections


def propose(items):
    """Guesses from the body's elements, and the index where the text after the 版头 (发文机关
    标志, 发文字号, 标题) starts."""
    texts = [text_of(el) for el in items]
    head = texts[:12]
    doc_number = title = None
    body_starts = 0
    for i, text in enumerate(head):
        match = DOC_NUMBER.match(compact(text))
        if match and (not compact(text)[match.end():]
                      or compact(text)[match.end():].startswith("签发人")):
            doc_number, body_starts = normalise_doc_number(match.group(0)), i + 1
            break
    # The title: one line, or two when Word broke it; after the 发文字号 line.
    for length in (1, 2):
        for i in range(body_starts, len(head) - length + 1):
            candidate = "".join(t.strip() for t in head[i:i + length])
            if len(candidate) <= 120 and TITLE.fullmatch(compact(candidate)):
                title, body_starts = candidate, i + length
                break
        if title:
            break
    if title is None:
        heading = next((i for i, el in enumerate(items[:12]) if el.name == "h1"
                        and not any(pattern.match(texts[i]) for _level, pattern in LEVELS)), None)
        if heading is not None:
            title, body_starts = texts[heading], max(body_starts, heading + 1)
    written_on = organ = None
    for i in range(len(items) - 1, 0, -1):
        match = DATE_LINE.fullmatch(compact(texts[i]))
        if match and (day := to_date(match)):
            written_on = day
            before = texts[i - 1]
            if 0 < len(before) <= SHORT_LINE and not PUNCTUATION.search(before):
                organ = before
            break
    effective = EFFECTIVE.search(compact(" ".join(texts)))
    return {"title": title, "doc_number": doc_number, "written_on": written_on,
            "effective_on": to_date(effective) if effective else None,
            "issuing_organ_name": organ}, body_starts


MAKER = BeautifulSoup("", "html.parser")


def heading_tag(text, level):
    """A heading of 公文 level ``level`` (1: 一、, 2: （一）); deeper levels are bold lines."""
    if level in HEADINGS:
        tag = MAKER.new_tag(HEADINGS[level])
        tag.string = text
        return tag
    tag, bold = MAKER.new_tag("p"), MAKER.new_tag("b")
    bold.string = text
    tag.append(bold)
    return tag


def shape(el, offset=0):
    """A 公文 paragraph as the editor holds it: numbered heading lines become headings, long
    numbered paragraphs get their lead sentence (and 第X条 labels) in bold."""
    if el.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return heading_tag(text_of(el), int(el.name[1]) + offset)
    if el.name != "p":
        return el
    text = text_of(el)
    for level, pattern in LEVELS:
        if pattern.match(text):
            if len(text) <= SHORT_LINE and not PUNCTUATION.search(text[:-1]):
                return heading_tag(text, level + offset)
            first = SENTENCE_END.search(text)
            return bold_lead(el, text[:first.end()] if first and first.end() <= SHORT_LINE
                             else None)
    article = ARTICLE.match(text)
    return bold_lead(el, article.group(0) if article else None)


def bold_lead(el, lead):
    """Put ``lead`` (the start of ``el``'s text) in bold when it lies in its first text node."""
    first = el.contents[0] if el.contents else None
    if not lead or not isinstance(first, NavigableString):
        return el
    start = str(first).lstrip()
    if not start.startswith(lead):
        return el
    bold = MAKER.new_tag("b")
    bold.string = lead
    first.replace_with(bold)
    bold.insert_after(NavigableString(start[len(lead):]))
    return el


# --- Blocks ----------------------------------------------------------------------------------------


@dataclass
class Table:
    rows: list
    spans: list  # (row, col, rowspan, colspan) of merged cells
    header: bool

    def value(self):
        """The ``BodyTableBlock`` value: cell text only; a merged cell's text in its first cell
        (the body's table editor does not merge cells)."""
        return {"data": self.rows, "first_row_is_table_header": self.header,
                "first_col_is_header": False, "table_caption": "",
                "table_header_choice": "row" if self.header else "neither"}


def read_table(tag):
    rows = []
    for child in tag.find_all(["thead", "tbody", "tr"], recursive=False):
        rows += [child] if child.name == "tr" else child.find_all("tr", recursive=False)
    grid, spans, width = {}, [], 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan = max(1, min(int(cell.get("rowspan", 1) or 1), len(rows) - r))
            colspan = max(1, min(int(cell.get("colspan", 1) or 1), 50))
            paragraphs = cell.find_all(["p", "li"]) or [cell]
            text = "\n".join(t for t in (text_of(p) for p in paragraphs) if t)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = "" if dr or dc else text
            if rowspan > 1 or colspan > 1:
                spans.append((r, c, rowspan, colspan))
            c += colspan
            width = max(width, c)
    data = [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    first = rows[0].find_all(["td", "th"], recursive=False) if rows else []
    return Table(rows=data, spans=spans, header=len(data) > 1 and bool(first) and (
        bool(rows[0].find("th"))
        or all(compact(text_of(c)) and compact(text_of(c)) == compact(
            "".join(text_of(b) for b in c.find_all(["strong", "b"]))) for c in first)
        or all(0 < len(text_of(c)) <= 20 and not re.fullmatch(r"[0-9.,%\s]+", text_of(c))
               for c in first)))


def clean_html(html):
    """HTML as the body's rich-text editor (Draftail, ``BODY_FEATURES``) stores it: Wagtail's
    own conversion there and back, after dropping links that lead nowhere public."""
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a"):
        href = link.get("href", "")
        if link.get_text() == "↑" and href.startswith("#"):  # a footnote's way back
            link.decompose()
        elif re.match(r"(https?://|mailto:)", href, re.I):
            link.attrs = {"href": href}
        else:
            link.unwrap()
    for tag in soup.find_all(["p", "h2", "h3", "h4", "li"]):
        if not tag.get_text(strip=True):
            tag.decompose()
    if not soup.get_text(strip=True):
        return ""
    converter = ContentstateConverter(BODY_FEATURES)
    return converter.to_database_format(converter.from_database_format(str(soup)))


def build_parts(elements, offset=0):
    """Elements → [("text", html) | ("table", Table)], and warnings about the tables."""
    parts, pending, warnings = [], [], []

    def flush():
        html = clean_html("".join(str(shape(el, offset)) for el in pending))
        if html:
            parts.append(("text", html))
        pending.clear()

    for el in elements:
        if el.name != "table":
            pending.append(el)
            continue
        table = read_table(el)
        if len(table.rows) == 1 and len(table.rows[0]) == 1:  # a framed paragraph
            pending.extend(BeautifulSoup(f"<p>{escape(line)}</p>", "html.parser").p
                           for line in table.rows[0][0].split("\n") if line)
            continue
        flush()
        if table.rows:
            parts.append(("table", table))
            if table.spans:
                warnings.append(_("表格“%(start)s……”有合并单元格，已拆成普通单元格（内容在合并区域的"
                                  "第一格），请在编辑器中核对。") % {
                    "start": "".join(table.rows[0])[:12]})
    flush()
    return parts, warnings


def join(parts):
    """Adjacent text parts as one text block."""
    joined = []
    for kind, value in parts:
        if kind == "text" and joined and joined[-1][0] == "text":
            joined[-1] = ("text", joined[-1][1] + value)
        else:
            joined.append((kind, value))
    return joined


# --- Attachments as Word files ---------------------------------------------------------------------


def make_attachment(number, title, elements):
    parts, _warnings = build_parts(elements)  # merged cells stay merged in the Word file
    parts = join(parts)
    safe_title = re.sub(r"[\\/:*?\"<>|：\s]+", "", title)[:40]
    return ImportedAttachment(
        number=number, title=title,
        blocks=[(kind, value.value() if kind == "table" else value) for kind, value in parts],
        filename=f"附件{number}{'_' + safe_title if safe_title else ''}.docx",
        content=write_docx(f"附件{number}", title, parts))


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TEXT_WIDTH = 8844  # A4 less the 公文 margins, in twips


def run(text, bold=False, size=None):
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in text.split("\n"))
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def paragraph(runs, align=None, indent=0):
    props = (f'<w:jc w:val="{align}"/>' if align else "") + (
        f'<w:ind w:left="{indent * 420}"/>' if indent else "")
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(runs)}</w:p>"


def html_paragraphs(html):
    """Word paragraphs for the cleaned text HTML: bold kept, headings bold, lists numbered."""
    out = []

    def runs_of(el, bold=False):
        runs = []
        for node in el.children:
            if isinstance(node, NavigableString):
                if str(node):
                    runs.append(run(str(node), bold))
            elif node.name == "br":
                runs.append("<w:r><w:br/></w:r>")
            elif node.name not in ("ol", "ul"):
                runs += runs_of(node, bold or node.name in ("b", "strong"))
        return runs

    def add_list(tag, depth):
        for n, item in enumerate(tag.find_all("li", recursive=False), 1):
            mark = f"{n}. " if tag.name == "ol" else "• "
            out.append(paragraph([run(mark)] + runs_of(item), indent=depth + 1))
            for sub in item.find_all(["ol", "ul"], recursive=False):
                add_list(sub, depth + 1)

    for node in BeautifulSoup(html, "html.parser").children:
        if not isinstance(node, Tag):
            continue
        if node.name in ("ol", "ul"):
            add_list(node, 0)
        elif node.name == "hr":
            out.append(paragraph([]))
        else:
            out.append(paragraph(runs_of(node, node.name in ("h2", "h3", "h4"))))
    return out


def table_xml(table):
    width = len(table.rows[0]) if table.rows else 0
    origin = {(r, c): (rs, cs) for r, c, rs, cs in table.spans}
    covered = {}
    for r, c, rs, cs in table.spans:
        for dr in range(rs):
            for dc in range(cs):
                if dr or dc:
                    covered[(r + dr, c + dc)] = (dr, dc, cs)
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                dr, dc, cs = covered[(r, c)]
                if dc == 0:  # the continuation of a vertical merge
                    span = f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else ""
                    cells.append(f"<w:tc><w:tcPr>{span}<w:vMerge/></w:tcPr><w:p/></w:tc>")
                continue
            rs, cs = origin.get((r, c), (1, 1))
            props = (f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else "") + (
                '<w:vMerge w:val="restart"/>' if rs > 1 else "")
            bold = table.header and r == 0
            lines = "".join(paragraph([run(line, bold)]) for line in text.split("\n")) or "<w:p/>"
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{lines}</w:tc>")
        header = "<w:trPr><w:tblHeader/></w:trPr>" if table.header and r == 0 else ""
        rows.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    grid = f'<w:gridCol w:w="{TEXT_WIDTH // max(width, 1)}"/>' * width
    return (f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{border}'
            f"</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
            "<w:p/>")


def write_docx(mark, title, parts):
    """A plain .docx: the 附件 mark, its title and its text and tables (仿宋 三号 body)."""
    body = [paragraph([run(mark, bold=True)])]
    if title:
        body.append(paragraph([run(title, bold=True, size=36)], align="center"))
    for kind, value in parts:
        body += [table_xml(value)] if kind == "table" else html_paragraphs(value)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}>'
                f"<w:body>{''.join(body)}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
                '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" '
                'w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>')
    font = quoteattr("仿宋_GB2312")
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {W}>'
              f"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia={font}/>"
              '<w:sz w:val="32"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>')
    package = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/styles" Target="styles.xml"/></Relationships>'),
        "word/document.xml": document,
        "word/styles.xml": styles,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in package.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
