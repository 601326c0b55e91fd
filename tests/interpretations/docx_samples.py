"""Word files for the 同步起草 tests, written here (a .docx is a zip of XML parts).

``policy_docx()`` is a 公文 as a department sends it: 版头 with 发文字号, title, 主送, 一、/（一）
headings, a Word numbered list, a table, 落款 and date, an 附件 with its own table, and 版记.
"""

import base64
import io
import zipfile
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def run(text, bold=False, hidden=False):
    props = ("<w:b/>" if bold else "") + ("<w:vanish/>" if hidden else "")
    return (f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def p(*runs, style=None, numbered=False, align=None):
    """A paragraph; ``runs`` are strings or ``run(...)`` XML."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if numbered:
        props += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    if align:
        props += f'<w:jc w:val="{align}"/>'
    body = "".join(r if r.startswith("<w:r>") else run(r) for r in runs)
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{body}</w:p>"


def table(rows, header_bold=True, merge_down=()):
    """A table; ``merge_down`` lists (row, col) cells merged with the cell below."""
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            props = ""
            if (r, c) in merge_down:
                props = '<w:vMerge w:val="restart"/>'
            elif (r - 1, c) in merge_down:
                props = "<w:vMerge/>"
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr>"
                         f"{p(run(text, bold=header_bold and r == 0))}</w:tc>")
        out.append(f"<w:tr>{''.join(cells)}</w:tr>")
    grid = "<w:gridCol/>" * len(rows[0])
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(out)}</w:tbl>"


def image():
    return (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="9525" cy="9525"/>'
        '<wp:docPr id="1" name="图片 1" descr="示意图"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:blipFill><a:blip r:embed="rIdImage"/></pic:blipFill></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')


NUMBERING = (
    f'<w:numbering xmlns:w="{W_NS}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0">'
    '<w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
    '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')


def make_docx(*paragraphs, with_image=False, comments=False):
    """A .docx whose body is ``paragraphs`` (XML from ``p``/``table``/``image``)."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{"".join(paragraphs)}'
                "<w:sectPr/></w:body></w:document>")
    rels = [f'<Relationship Id="rIdNumbering" Type="{REL}/numbering" Target="numbering.xml"/>']
    types = ('<Override PartName="/word/numbering.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.wordprocessingml.numbering+xml"/>')
    parts = {"word/numbering.xml": NUMBERING}
    if with_image:
        rels.append(f'<Relationship Id="rIdImage" Type="{REL}/image" Target="media/image1.png"/>')
        parts["word/media/image1.png"] = PNG
    if comments:
        rels.append(f'<Relationship Id="rIdComments" Type="{REL}/comments" '
                    'Target="comments.xml"/>')
        parts["word/comments.xml"] = (f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="0">'
                                      f'{p("内部意见：此条再议")}</w:comment></w:comments>')
        types += ('<Override PartName="/word/comments.xml" ContentType="application/vnd.'
                  'openxmlformats-officedocument.wordprocessingml.comments+xml"/>')
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            f"{types}</Types>"),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/_rels/document.xml.rels": f'<Relationships xmlns="{RELS_NS}">{"".join(rels)}'
                                        "</Relationships>",
        "word/document.xml": document,
        **parts,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content if isinstance(content, bytes) else content.encode())
    return buffer.getvalue()


TITLE = "临江市人力资源和社会保障局关于做好2026年就业补贴发放工作的通知"


def policy_docx(with_image=False, comments=False):
    return make_docx(
        p("临江市人力资源和社会保障局文件", align="center"),
        p("临人社发[2026]3号", align="center"),
        p(TITLE, align="center"),
        p("各区人力资源和社会保障局，市直各有关单位："),
        p("为做好2026年就业补贴发放工作，现将有关事项通知如下。"),
        p("一、补贴对象"),
        p("（一）高校毕业生"),
        p("离校2年内未就业的高校毕业生，在本市灵活就业的，可申请社会保险补贴。"),
        p("申请人须同时符合下列条件："),
        p("在本市登记灵活就业", numbered=True),
        p("按时足额缴纳社会保险费", numbered=True),
        p("（二）就业困难人员。经认定的就业困难人员在本市灵活就业并缴纳社会保险费的，可按规定享受"
          "补贴，期限最长不超过3年。"),
        p("二、补贴标准"),
        p("补贴标准见下表。"),
        table([["人员类别", "补贴标准（元/月）"], ["高校毕业生", "500"],
               ["就业困难人员", "600"]]),
        *([image()] if with_image else []),
        p("本通知自2026年4月1日起施行。"),
        p("附件：1．就业补贴申请表"),
        p("临江市人力资源和社会保障局", align="right"),
        p("2026年3月1日", align="right"),
        p("（此件公开发布）"),
        p("附件1"),
        p("就业补贴申请表", align="center"),
        table([["姓名", "", "身份证号", ""], ["人员类别", "", "联系电话", ""],
               ["申请理由", "", "", ""]], header_bold=False),
        p("抄送：市财政局。"),
        p("临江市人力资源和社会保障局办公室  2026年3月2日印发"),
        with_image=with_image, comments=comments,
    )
