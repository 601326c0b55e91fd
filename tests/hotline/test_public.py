"""The public site: filing (validation, rate limit, receipt by SMS), tracking by number and
phone, and the monthly figures — with personal data masked everywhere."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Message
from hotline.models import Status, Ticket
from hotline.workflows import perform

pytestmark = pytest.mark.django_db


def form_data(hl, **over):
    data = {"caller_name": "王小明", "caller_phone": "13987654321",
            "division": hl["divisions"]["street"].pk, "address": "解放路8号",
            "category": hl["cats"]["wages"].pk,
            "content": "公司拖欠我三个月工资，多次讨要无果，请求帮助。", "agree": "on"}
    data.update(over)
    return data


def test_resident_files_a_request_and_gets_the_number_by_sms(client, hl):
    response = client.post(reverse("hotline:submit"), form_data(hl), follow=True)
    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.status == Status.PENDING_DISPATCH
    assert ticket.suggested_lead == hl["orgs"]["hrss"]
    assert ticket.number in response.content.decode()
    sms = Message.objects.get(channel="sms", kind="hotline.receipt")
    assert sms.recipient == "13987654321" and ticket.number in sms.body


def test_bad_input_shows_chinese_errors_and_files_nothing(client, hl):
    response = client.post(reverse("hotline:submit"), form_data(
        hl, caller_phone="12345", content="太短", agree=""))
    html = response.content.decode()
    assert "请填写正确的手机号码" in html and "至少 10 个字" in html and "此项为必填项" in html
    assert not Ticket.objects.exists()
    bad_file = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("hotline:submit"), {**form_data(hl), "attachment": bad_file})
    assert "附件只能是" in response.content.decode() and not Ticket.objects.exists()


def test_attachment_is_kept(client, hl):
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n", content_type="image/png")
    client.post(reverse("hotline:submit"), {**form_data(hl), "attachment": photo})
    assert Ticket.objects.get().attachments.get().name == "现场.png"


def test_submissions_are_rate_limited(client, hl, settings):
    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_SUBMIT_LIMIT": 2}
    for _ in range(2):
        client.post(reverse("hotline:submit"), form_data(hl))
    response = client.post(reverse("hotline:submit"), form_data(hl))
    assert "提交过于频繁" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_tracking_needs_the_right_phone_and_masks_personal_data(client, hl, new_ticket, drive):
    ticket = drive(new_ticket(caller_name="欧阳娜娜", caller_phone="13911223344"),
                   Status.PENDING_CALLBACK)
    wrong = client.post(reverse("hotline:track"), {"number": ticket.number,
                                                   "phone": "13900000000"})
    assert "没有找到" in wrong.content.decode()
    html = client.post(reverse("hotline:track"), {"number": ticket.number,
                                                  "phone": "139 1122 3344"}).content.decode()
    assert "待回访" in html and "工资已于本周全部结清" in html
    assert "欧***" in html and "139****3344" in html
    assert "欧阳娜娜" not in html and "13911223344" not in html
    assert "郭伟" not in html  # staff names stay internal; the department is shown
    assert "市人社局" in html or "临江市人力资源和社会保障局" in html


def test_reply_is_shown_only_after_the_hotline_approved_it(client, hl, new_ticket, drive):
    ticket = drive(new_ticket(caller_phone="13911223344"), Status.REPLIED)
    html = client.post(reverse("hotline:track"), {"number": ticket.number,
                                                  "phone": "13911223344"}).content.decode()
    assert "已答复" in html and "全部结清" not in html


def test_merged_caller_can_track_the_open_ticket(client, hl, new_ticket, drive):
    first = drive(new_ticket(), Status.IN_PROGRESS)
    second = perform(new_ticket(caller_phone="13700001111", caller_name="李四"), "merge",
                     hl["users"]["dispatcher"], target=first)
    html = client.post(reverse("hotline:track"), {"number": second.number,
                                                  "phone": "13700001111"}).content.decode()
    assert "已并入工单" in html and first.number in html and "办理中" in html
    assert "李*" in html and "137****1111" in html and first.caller_phone not in html


def test_tracking_is_rate_limited(client, hl, settings):
    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_TRACK_LIMIT": 3}
    for _ in range(3):
        client.post(reverse("hotline:track"), {"number": "x", "phone": "13900000000"})
    html = client.post(reverse("hotline:track"), {"number": "x", "phone": "13900000000"})
    assert "查询过于频繁" in html.content.decode()


def test_public_figures_have_charts_and_no_personal_data(client, hl, new_ticket, drive):
    for i in range(6):
        drive(new_ticket(caller_name="赵铁柱", caller_phone=f"1360000000{i}"), Status.CLOSED)
    html = client.get(reverse("hotline:figures")).content.decode()
    assert "<svg" in html and "按时办结率" in html and "响应率" in html
    assert "临江市人力资源和社会保障局" in html  # ranked: 6 closed tickets
    assert "赵铁柱" not in html and "赵*" not in html and "1360000000" not in html
    assert "已办结工单中答复时间不晚于办理期限" in html  # the formula is published


def test_receipt_page_shows_only_this_browser_its_number(client, hl):
    assert client.get(reverse("hotline:receipt")).status_code == 302  # nothing filed yet
    client.post(reverse("hotline:submit"), form_data(hl))
    html = client.get(reverse("hotline:receipt")).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.number in html
    assert "王小明" not in html and "13987654321" not in html and "王*" not in html


def test_rate_limit_counts_the_client_behind_the_proxy(client, hl, settings):
    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_TRACK_LIMIT": 1,
                         "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    url, data = reverse("hotline:track"), {"number": "x", "phone": "13900000000"}
    client.post(url, data, HTTP_X_REAL_IP="10.0.0.1")
    assert "查询过于频繁" in client.post(url, data, HTTP_X_REAL_IP="10.0.0.1").content.decode()
    assert "查询过于频繁" not in client.post(url, data,
                                         HTTP_X_REAL_IP="10.0.0.2").content.decode()
