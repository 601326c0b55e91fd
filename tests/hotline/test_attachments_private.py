"""Ticket attachments are personal data: filed through the real forms, stored outside the public
uploads, and downloaded only by the people who handle the ticket (or the enterprise that filed
it); a file whose content is not what its name says is refused, and an oversize request is
answered 413 before its body is read."""

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core import roles
from hotline.models import Ticket, TicketAttachment
from hotline.workflows import perform

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def public_form(hl, **over):
    data = {"caller_name": "王小明", "caller_phone": "13987654321",
            "division": hl["divisions"]["street"].pk, "address": "解放路8号",
            "category": hl["cats"]["wages"].pk,
            "content": "公司拖欠我三个月工资，多次讨要无果，请求帮助。", "agree": "on"}
    data.update(over)
    return data


@pytest.fixture
def filed(client, hl):
    """A resident's request with a photo, filed on the public form and dispatched to 市人社局."""
    photo = SimpleUploadedFile("欠薪 现场照片.png", PNG, content_type="image/png")
    response = client.post(reverse("hotline:submit"), {**public_form(hl), "attachment": photo})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    perform(ticket, "dispatch", hl["users"]["dispatcher"], lead=hl["orgs"]["hrss"])
    return ticket.attachments.get()


def download(user, attachment):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("hotline:attachment", args=[attachment.pk]))


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_handling_department_downloads_it(hl, filed):
    response = download(hl["users"]["handler"], filed)
    assert response.status_code == 200 and body(response) == PNG
    assert response["Content-Type"] == "image/png"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%AC%A0%E8%96%AA%20%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png" in (
        disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # Dispatchers and supervisors work city-wide.
    assert download(hl["users"]["dispatcher"], filed).status_code == 200
    assert download(hl["users"]["supervisor"], filed).status_code == 200


def test_the_ticket_page_links_to_the_checked_download(client, hl, filed):
    client.force_login(hl["users"]["handler"])
    page = client.get(reverse("hotline_ticket_detail", args=[filed.ticket_id])).content.decode()
    assert reverse("hotline:attachment", args=[filed.pk]) in page
    assert "/uploads/" not in page


def test_anonymous_visitors_are_sent_to_log_in(hl, filed):
    response = download(None, filed)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_another_department_and_an_unrelated_account_get_not_found(hl, make_user, filed):
    assert download(hl["users"]["other_handler"], filed).status_code == 404
    assert download(make_user(roles.EDITOR, hl["orgs"]["hrss"]), filed).status_code == 404
    assert download(make_user(), filed).status_code == 404


def test_the_file_is_outside_the_public_uploads(client, settings, hl, filed):
    stored = Path(filed.file.path)
    assert stored.is_file()
    assert stored.resolve().is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not (Path(settings.MEDIA_ROOT) / filed.file.name).exists()
    with pytest.raises(ValueError):
        filed.file.url  # noqa: B018 (no public address to link to)
    settings.DEBUG = True  # even where /uploads/ is served by the app
    assert client.get(settings.MEDIA_URL + filed.file.name).status_code == 404


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(settings, hl, filed):
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_private/"
    response = download(hl["users"]["handler"], filed)
    assert response.status_code == 200 and response.content == b""
    # Percent-encoded (a header is Latin-1; nginx decodes the URI) and relative to the root.
    assert response["X-Accel-Redirect"] == "/_private/" + quote(filed.file.name)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    # The rule still applies first.
    assert "X-Accel-Redirect" not in download(hl["users"]["other_handler"], filed)


def test_an_enterprise_downloads_its_own_request_attachment_only(
        client, hl, make_user, city):
    from enterprises.models import Enterprise
    from tests.enterprises.support import build_enterprise

    mine = build_enterprise(city["divisions"]["street"], 1)
    other = build_enterprise(city["divisions"]["district"], 2, name="临江另一家制造有限公司")
    owner = make_user(roles.ENTERPRISE, username="company")
    mine.users.add(owner)
    outsider = make_user(roles.ENTERPRISE, username="company2")
    other.users.add(outsider)
    client.force_login(owner)
    scan = SimpleUploadedFile("合同.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", "application/pdf")
    response = client.post("/enterprise/requests/new/", {
        "subject": "稳岗返还资金未到账", "category": hl["cats"]["wages"].pk,
        "content": "我公司去年申请的稳岗返还资金至今未到账，请帮助查询办理进度。",
        "contact_name": "王敏", "contact_phone": "13912345678", "attachment": scan})
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    page = client.get(response.url).content.decode()
    assert reverse("hotline:attachment", args=[attachment.pk]) in page
    assert download(owner, attachment).status_code == 200
    assert download(outsider, attachment).status_code == 404
    assert Enterprise.objects.count() == 2


@pytest.mark.parametrize(("name", "content"), [
    ("工资条.pdf", EXE),  # a program renamed to .pdf
    ("现场.png", b"%PDF-1.4\n"),  # a PDF renamed to .png
    ("说明.jpg", "这不是图片".encode()),
])
def test_a_file_whose_content_is_not_its_type_is_refused_next_to_the_field(
        client, hl, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(reverse("hotline:submit"), {**public_form(hl), "attachment": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "附件内容与文件类型不符" in html and name in html
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the oversize body was read")


def test_an_oversize_request_is_answered_413_without_reading_it(settings, hl):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    client = Client()
    response = client.generic(
        "POST", reverse("hotline:submit"), b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024 * 1024), **{"wsgi.input": UnreadableBody()})
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode() and "1 MB" in response.content.decode()
    assert not Ticket.objects.exists()
    # Within the limit the same address answers as usual.
    assert client.get(reverse("hotline:submit")).status_code == 200


def test_files_uploaded_before_are_moved_out_of_the_public_uploads(settings, hl, new_ticket):
    from django.core.management import call_command

    ticket = new_ticket()
    old = Path(settings.MEDIA_ROOT) / "hotline/2025/01/旧照片.png"
    old.parent.mkdir(parents=True)
    old.write_bytes(PNG)
    kept = TicketAttachment.objects.create(ticket=ticket, file="hotline/2025/01/旧照片.png",
                                           name="旧照片.png")
    TicketAttachment.objects.create(ticket=ticket, file="hotline/2025/01/丢失.png", name="丢失.png")
    out = io.StringIO()
    call_command("move_private_attachments", stdout=out)
    assert "已移动 1 个附件；1 个附件的文件不存在" in out.getvalue()
    assert not old.exists()
    assert body(download(hl["users"]["dispatcher"], kept)) == PNG
    call_command("move_private_attachments", stdout=io.StringIO())  # again: nothing breaks
    assert body(download(hl["users"]["dispatcher"], kept)) == PNG
