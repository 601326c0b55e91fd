"""同步起草: drafting a policy from its Word 公文 (interpretations/docx_import.py, docx_views.py).

The editor uploads a .docx beside the page editor (or from the policy library for a new policy),
checks what was read and the proposed fields, and saves a draft revision that nothing publishes.
"""

import datetime
import io
import zipfile

import mammoth
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from core import roles
from interpretations import docx_import
from interpretations.blocks import BODY_FEATURES
from interpretations.models import PolicyAttachment, PolicyPage
from tests.conftest import admin_tab, screenshot
from tests.forms import form_data
from tests.interpretations.docx_samples import (
    TITLE,
    make_docx,
    p,
    policy_docx,
    run,
    table,
)

pytestmark = pytest.mark.django_db


def import_url(page):
    return reverse("interpretations_admin:import_docx", args=[page.pk])


NEW_URL = "/admin/policies/new-from-docx/"


POST_FORM = "form[method=post i]:not([action])"


def upload(client, url, content, name="通知.docx"):
    """Step 1 as a person does it: open the form, choose the file, send."""
    response = client.get(url)
    assert response.status_code == 200
    data = form_data(response.content.decode(), POST_FORM)[1]
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


def confirm_page(client, url, content=None):
    response = upload(client, url, content or policy_docx())
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return response["Location"], page


def field_errors(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(e.get_text(" ", strip=True) for e in soup.select(".error-message, .w-field__errors"))


def text_blocks(page):
    return "".join(b.value.source for b in page.body if b.block_type == "text")


@pytest.fixture
def logged_in(client, editor):
    client.force_login(editor)
    return client


# --- What the converter reads -------------------------------------------------------------------


def test_reads_the_body_headings_lists_tables_and_proposals():
    result = docx_import.import_docx(policy_docx())
    kinds = [kind for kind, _value in result.blocks]
    assert kinds == ["text", "table", "text"]
    html = result.blocks[0][1]
    soup = BeautifulSoup(html, "html.parser")
    assert [h.get_text() for h in soup.select("h3")] == ["一、补贴对象", "二、补贴标准"]
    assert [h.get_text() for h in soup.select("h4")] == ["（一）高校毕业生"]
    # A long （二） paragraph stays a paragraph, its lead sentence in bold.
    assert soup.select_one("p b").get_text() == "（二）就业困难人员。"
    assert [li.get_text() for li in soup.select("ol > li")] == ["在本市登记灵活就业",
                                                               "按时足额缴纳社会保险费"]
    # The 版头 went into the fields, the 版记 is gone.
    everything = " ".join(str(v) for _k, v in result.blocks)
    assert TITLE not in everything and "临人社发" not in everything
    assert "抄送" not in everything and "印发" not in everything
    assert "临江市人力资源和社会保障局" in result.blocks[2][1]  # 落款 stays
    table_value = result.blocks[1][1]
    assert table_value["data"] == [["人员类别", "补贴标准（元/月）"], ["高校毕业生", "500"],
                                   ["就业困难人员", "600"]]
    assert table_value["first_row_is_table_header"] and table_value["table_header_choice"] == "row"
    assert result.proposed == {
        "title": TITLE, "doc_number": "临人社发〔2026〕3号",
        "written_on": datetime.date(2026, 3, 1), "published_on": datetime.date(2026, 3, 2),
        "effective_on": datetime.date(2026, 4, 1),
        "issuing_organ_name": "临江市人力资源和社会保障局"}


def test_stored_text_is_what_the_rich_text_editor_keeps():
    """Draftail opens and saves the imported HTML without changing it."""
    converter = ContentstateConverter(BODY_FEATURES)
    for kind, value in docx_import.import_docx(policy_docx()).blocks:
        if kind == "text":
            assert converter.to_database_format(converter.from_database_format(value)) == value


def test_dates_in_chinese_numerals_and_other_bracket_forms():
    result = docx_import.import_docx(make_docx(
        p("临政办发【2026】012号"), p("临江市人民政府办公室关于"), p("加强安全生产工作的意见"),
        p("各区人民政府："), p("现提出如下意见。"), p("临江市人民政府办公室"), p("二〇二六年三月十一日")))
    assert result.proposed["doc_number"] == "临政办发〔2026〕12号"
    assert result.proposed["title"] == "临江市人民政府办公室关于加强安全生产工作的意见"
    assert result.proposed["written_on"] == datetime.date(2026, 3, 11)
    assert result.proposed["issuing_organ_name"] == "临江市人民政府办公室"
    assert docx_import.normalise_doc_number("临人社发[2026]3号") == "临人社发〔2026〕3号"


def test_attachment_section_becomes_its_own_word_file():
    result = docx_import.import_docx(policy_docx(comments=True))
    [attachment] = result.attachments
    assert attachment.label == "附件1：就业补贴申请表"
    assert attachment.filename.endswith(".docx")
    html = mammoth.convert_to_html(io.BytesIO(attachment.content)).value
    assert "就业补贴申请表" in html and "<table>" in html and "身份证号" in html
    with zipfile.ZipFile(io.BytesIO(attachment.content)) as archive:
        assert "word/comments.xml" not in archive.namelist()
    assert "内部意见" not in html
    assert "身份证号" not in " ".join(str(v) for _k, v in result.blocks)  # not in the body


def test_merged_cells_are_flattened_in_the_body_and_kept_in_the_attachment():
    merged = table([["类别", "项目", "标准"], ["补贴", "社保", "500"], ["", "岗位", "300"]],
                   merge_down={(1, 0)})
    result = docx_import.import_docx(make_docx(
        p("各单位："), merged, p("附件1"), p("标准表"), merged))
    body_table = next(v for k, v in result.blocks if k == "table")
    assert body_table["data"] == [["类别", "项目", "标准"], ["补贴", "社保", "500"],
                                  ["", "岗位", "300"]]
    assert any("合并单元格" in w for w in result.warnings)
    html = mammoth.convert_to_html(io.BytesIO(result.attachments[0].content)).value
    assert 'rowspan="2"' in html


def test_an_issued_measure_stays_in_the_body_of_its_notice():
    result = docx_import.import_docx(make_docx(
        p("临江市人民政府关于印发《临江市就业补贴管理办法》的通知"), p("各区人民政府："),
        p("现将《临江市就业补贴管理办法》印发给你们，请认真贯彻执行。"), p("临江市人民政府"),
        p("2026年3月1日"), p("附件"), p("临江市就业补贴管理办法"), p("第一章　总则"),
        p("第一条　为规范就业补贴管理，制定本办法。")))
    assert result.attachments == []
    html = "".join(v for k, v in result.blocks if k == "text")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("h3").get_text() == "临江市就业补贴管理办法"
    assert soup.select_one("h4").get_text() == "第一章 总则"
    assert soup.select_one("p b").get_text() == "第一条"


def test_hidden_text_images_and_comments_are_reported():
    result = docx_import.import_docx(make_docx(
        p("各单位："), p("正文", run("内部备注", hidden=True)),
        p('<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
          'wordprocessingDrawing"><wp:docPr id="1" name="a"/><a:graphic xmlns:a="http://'
          'schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData><pic:pic xmlns:pic='
          '"http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:blipFill><a:blip '
          'r:embed="rIdImage"/></pic:blipFill></pic:pic></a:graphicData></a:graphic>'
          "</wp:inline></w:drawing></w:r>"),
        with_image=True, comments=True))
    text = " ".join(result.warnings)
    assert "隐藏文字" in text and "1 张图片未导入" in text and "批注未导入" in text


@pytest.mark.parametrize("content, message", [
    (b"just some text, not a document", "不是有效的 Word（.docx）文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word（.doc）"),
    (None, "不是有效的 Word（.docx）文件"),  # a zip without word/document.xml
])
def test_a_file_that_is_not_a_docx_is_refused_next_to_the_field(logged_in, make_policy, content,
                                                                message):
    page = make_policy()
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        content = buffer.getvalue()
    revisions = page.revisions.count()
    response = upload(logged_in, import_url(page), content)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    error = soup.select_one("[data-error-summary]")
    assert error is not None and message in error.get_text()
    assert message in field_errors(response)
    assert page.revisions.count() == revisions


def test_too_large_file_is_refused(logged_in, make_policy, monkeypatch):
    monkeypatch.setattr(docx_import, "MAX_UPLOAD_BYTES", 1000)
    page = make_policy()
    response = upload(logged_in, import_url(page), policy_docx())
    assert response.status_code == 200
    assert "文件超过 20 MB" in field_errors(response)


# --- The two steps beside the editor --------------------------------------------------------------


def test_editor_imports_into_a_live_policy_as_a_new_draft_revision(logged_in, make_policy):
    page = make_policy(publish=True)
    live_revision = page.live_revision_id
    editor_page = logged_in.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    link = BeautifulSoup(editor_page, "html.parser").find("a", string="从公文导入（Word）")
    assert link is not None and link["href"] == import_url(page)

    address, response = confirm_page(logged_in, link["href"])
    html = response.content.decode()
    data = form_data(html, POST_FORM)[1]
    # The proposals are prefilled for the editor to confirm.
    assert data["title"] == TITLE
    assert data["doc_number"] == "临人社发〔2026〕3号"
    assert data["written_on"] == "2026-03-01"
    assert data["effective_on"] == "2026-04-01"
    # 发布日期 is when it went public: the 印发 date does not replace the one it has.
    assert data["published_on"] == page.published_on.isoformat()
    assert "公文印发日期为 2026年3月2日" in html
    assert data["issuing_organ"] == str(page.issuing_organ_id)
    assert data["replace"] == "on"
    soup = BeautifulSoup(html, "html.parser")
    preview = soup.select_one("[data-import-preview]")
    assert preview.select_one("h3").get_text() == "一、补贴对象"
    assert preview.select_one("table th").get_text(strip=True) == "人员类别"
    assert "附件1：就业补贴申请表" in soup.select_one("[data-import-attachments]").get_text()
    assert "现为：临人社发〔2026〕1号" in html

    data["written_on"] = "2026-03-02"  # the editor corrects a date
    response = logged_in.post(address.split("?")[0], data)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    message = logged_in.get(response["Location"]).content.decode()
    assert "保存为草稿（未发布）" in message

    page.refresh_from_db()
    assert page.live and page.live_revision_id == live_revision  # nothing published
    assert page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    assert draft.doc_number == "临人社发〔2026〕3号" and draft.title == TITLE
    assert draft.written_on == datetime.date(2026, 3, 2)
    assert [b.block_type for b in draft.body] == ["text", "table", "text"]
    soup = BeautifulSoup(text_blocks(draft), "html.parser")
    assert soup.select_one("h3").get_text() == "一、补贴对象"
    assert len(soup.select("ol li")) == 2
    assert draft.body[1].value["data"][1] == ["高校毕业生", "500"]
    assert draft.materials == page.specific.materials  # the package is kept beside it
    [attachment] = draft.attachments.all()
    assert attachment.kind == PolicyAttachment.Kind.ATTACHMENT
    assert attachment.title == "附件1：就业补贴申请表"
    with attachment.document.file.open("rb") as handle:
        assert "身份证号" in mammoth.convert_to_html(handle).value
    # The public page still shows the signed version.
    public = logged_in.get(page.url).content.decode()
    assert "补贴对象" not in public


def test_double_submit_saves_one_revision(logged_in, make_policy):
    page = make_policy()
    address, response = confirm_page(logged_in, import_url(page))
    data = form_data(response.content.decode(), POST_FORM)[1]
    before = page.revisions.count()
    first = logged_in.post(address.split("?")[0], data)
    second = logged_in.post(address.split("?")[0], data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert page.revisions.count() == before + 1


def test_a_doc_number_the_organ_already_used_is_refused(logged_in, make_policy):
    make_policy(doc_number="临人社发〔2026〕3号", slug="earlier")
    page = make_policy()
    address, response = confirm_page(logged_in, import_url(page))
    data = form_data(response.content.decode(), POST_FORM)[1]
    before = page.revisions.count()
    response = logged_in.post(address.split("?")[0], data)
    assert response.status_code == 200
    assert "该发文机关已有相同发文字号的文件" in field_errors(response)
    assert page.revisions.count() == before


def test_without_replace_the_import_follows_the_current_body(logged_in, make_policy):
    page = make_policy()
    address, response = confirm_page(logged_in, import_url(page))
    data = form_data(response.content.decode(), POST_FORM)[1]
    del data["replace"]  # the editor unticks it
    assert logged_in.post(address.split("?")[0], data).status_code == 302
    page.refresh_from_db()
    draft = page.get_latest_revision_as_object()
    text = text_blocks(draft)
    assert text.index("现就有关事项通知如下") < text.index("补贴对象")


def test_another_departments_editor_is_refused(client, make_user, city, make_policy):
    page = make_policy()
    other = make_user(roles.EDITOR, city["orgs"]["housing"], username="editor-housing")
    client.force_login(other)
    for response in (client.get(import_url(page), follow=True),
                     client.post(import_url(page), {"file": SimpleUploadedFile(
                         "a.docx", policy_docx())}, follow=True)):
        # Wagtail's answer to a refused admin view: back to the dashboard with its message.
        assert response.redirect_chain[0] == ("/admin/", 302)
        assert "没有权限" in response.content.decode()
    assert page.revisions.count() == 1


def test_a_policy_locked_by_someone_else_is_not_imported_into(logged_in, approver, make_policy):
    page = make_policy()
    PolicyPage.objects.filter(pk=page.pk).update(locked=True, locked_by=approver)
    response = logged_in.get(import_url(page), follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "该文件已被他人锁定" in response.content.decode()


def test_a_token_belongs_to_its_user(client, logged_in, approver, make_policy):
    page = make_policy()
    address, _response = confirm_page(logged_in, import_url(page))
    client.force_login(approver)
    response = client.get(address)
    assert response.status_code == 302 and response["Location"] == import_url(page)


def test_new_policy_from_docx_is_a_draft_of_the_users_department(logged_in, editor, section):
    explorer = logged_in.get(reverse("wagtailadmin_explore", args=[section.pk])).content.decode()
    link = BeautifulSoup(explorer, "html.parser").find(
        "a", href=NEW_URL)
    assert link is not None and "从公文导入（Word）" in link.get_text()
    address, response = confirm_page(logged_in, NEW_URL)
    data = form_data(response.content.decode(), POST_FORM)[1]
    assert "replace" not in data
    assert data["published_on"] == "2026-03-02"  # a new policy takes the 印发 date
    response = logged_in.post(address.split("?")[0], data)
    page = PolicyPage.objects.get(title=TITLE)
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not page.live and page.live_revision is None
    assert page.drafting_department == editor.organisation
    assert page.get_parent().pk == section.pk
    draft = page.get_latest_revision_as_object()
    assert draft.doc_number == "临人社发〔2026〕3号"
    assert [b.block_type for b in draft.body] == ["text", "table", "text"]
    assert draft.attachments.count() == 1


def test_new_from_docx_needs_permission_to_add_policies(client, make_user, city, section):
    """Someone who may edit policies in the library but not add them sees no button and is
    refused at the address."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="只改不增")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=section, permission=Permission.objects.get(
        content_type__app_label="wagtailcore", codename="change_page"))
    user = make_user(None, city["orgs"]["hrss"], username="change-only")
    user.groups.add(group)
    client.force_login(user)
    explorer = client.get(reverse("wagtailadmin_explore", args=[section.pk]))
    assert explorer.status_code == 200
    assert NEW_URL not in explorer.content.decode()
    response = client.get(NEW_URL, follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert "没有权限" in response.content.decode()


# --- In the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_editor_uploads_a_docx_and_lands_in_the_editor(live_server, browser, make_policy, editor,
                                                      tmp_path):
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # an earlier transactional test flushed it
        Collection.add_root(name="Root")
    page = make_policy()
    path = tmp_path / "就业补贴通知.docx"
    path.write_bytes(policy_docx())
    context, tab = admin_tab(browser, live_server.url, editor.username)
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[page.pk]))
    tab.get_by_role("link", name="从公文导入（Word）").click()
    tab.get_by_label("Word 公文（.docx）").set_input_files(str(path))
    screenshot(tab, "docx-import-upload")
    tab.get_by_role("button", name="上传并识别").click()
    tab.wait_for_selector("[data-import-preview]")
    assert tab.get_by_label("发文字号").input_value() == "临人社发〔2026〕3号"
    screenshot(tab, "docx-import-confirm")
    tab.locator("[data-import-preview]").scroll_into_view_if_needed()
    screenshot(tab, "docx-import-preview")
    tab.set_viewport_size({"width": 390, "height": 844})
    screenshot(tab, "docx-import-confirm-phone")
    tab.locator("[data-import-preview] table").scroll_into_view_if_needed()
    screenshot(tab, "docx-import-preview-phone")
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.get_by_role("button", name="保存为草稿版本").click()
    tab.wait_for_url(f"**/admin/pages/{page.pk}/edit/")
    tab.wait_for_selector("text=一、补贴对象")
    assert tab.locator("[data-contentpath=body]").get_by_text("一、补贴对象").count() >= 1
    screenshot(tab, "docx-import-editor")
    tab.locator("[data-contentpath=body] h3", has_text="一、补贴对象").scroll_into_view_if_needed()
    screenshot(tab, "docx-import-editor-body")
    assert not errors, errors
    context.close()
