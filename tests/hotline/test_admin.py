"""The workbench: queues scoped to the user's department, masked lists and CSV export, the
ticket page with its timeline and stage deadlines, intake and actions through perform."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hotline.models import JointHandling, Status, Ticket
from hotline.workflows import perform

pytestmark = pytest.mark.django_db


def test_handler_sees_only_own_department_and_list_is_masked(client, hl, new_ticket, drive):
    mine = drive(new_ticket(caller_name="钱多多", caller_phone="13912340000"),
                 Status.PENDING_SIGN)
    other = perform(new_ticket(), "dispatch", hl["users"]["dispatcher"],
                    lead=hl["orgs"]["housing"])
    client.force_login(hl["users"]["handler"])
    html = client.get(reverse("hotline_tickets:index") + "?queue=sign").content.decode()
    assert mine.number in html and other.number not in html
    assert "钱*" in html and "139****0000" in html and "13912340000" not in html
    assert client.get(reverse("hotline_ticket_detail", args=[other.pk])).status_code == 404
    detail = client.get(reverse("hotline_ticket_detail", args=[mine.pk])).content.decode()
    assert "13912340000" in detail and "签收" in detail and "各环节期限" in detail


def test_csv_export_masks_personal_data(client, hl, new_ticket):
    new_ticket(caller_name="孙悟空", caller_phone="13811112222")
    client.force_login(hl["users"]["dispatcher"])
    response = client.get(reverse("hotline_tickets:index") + "?export=csv")
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    text = body.decode("utf-8-sig")
    assert "孙**" in text and "138****2222" in text
    assert "孙悟空" not in text and "13811112222" not in text
    assert "待派单" in text


def test_queues_filter(client, hl, new_ticket, drive):
    waiting = new_ticket()
    handling = drive(new_ticket(), Status.IN_PROGRESS)
    client.force_login(hl["users"]["dispatcher"])
    html = client.get(reverse("hotline_tickets:index") + "?queue=dispatch").content.decode()
    assert waiting.number in html and handling.number not in html


def test_intake_and_dispatch_through_the_workbench(client, hl, new_ticket):
    earlier = new_ticket(caller_phone="13955556666")
    client.force_login(hl["users"]["dispatcher"])
    response = client.post(reverse("hotline_intake"), {
        "channel": "phone", "urgency": "normal", "caller_name": "周八",
        "caller_phone": "13955556666", "division": hl["divisions"]["street"].pk,
        "category": hl["cats"]["wages"].pk, "address": "",
        "content": "公司拖欠三个月工资不发，请帮忙追讨，第二次来电"}, follow=True)
    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    html = response.content.decode()
    assert ticket.number in html and "疑似重复诉求" in html and earlier.number in html
    response = client.post(reverse("hotline_ticket_act", args=[ticket.pk, "dispatch"]),
                           {"lead": hl["orgs"]["hrss"].pk}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_SIGN and "已派单" in response.content.decode()
    # acting again: a clear message, nothing changes
    response = client.post(reverse("hotline_ticket_act", args=[ticket.pk, "dispatch"]),
                           {"lead": hl["orgs"]["housing"].pk}, follow=True)
    assert "当前状态为「待签收」" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.lead_org == hl["orgs"]["hrss"]


def _intake_post(hl, **extra):
    return {"channel": "phone", "urgency": "normal", "caller_name": "吴九",
            "caller_phone": "13977778888", "division": hl["divisions"]["street"].pk,
            "category": hl["cats"]["wages"].pk, "address": "解放路8号",
            "content": "公司拖欠两个月工资，附上工资条照片", **extra}


def test_staff_intake_keeps_an_attachment(client, hl):
    client.force_login(hl["users"]["dispatcher"])
    photo = SimpleUploadedFile("工资条.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg")
    response = client.post(reverse("hotline_intake"), _intake_post(hl, attachment=photo),
                           follow=True)
    ticket = Ticket.objects.get()
    assert ticket.attachments.get().name == "工资条.jpg"
    assert "工资条.jpg" in response.content.decode()  # listed on the ticket page


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream"),
     "附件只能是 JPG、PNG 图片或 PDF 文件。"),
    (SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024),
                        content_type="application/pdf"), "附件不能超过 5MB。"),
], ids=["wrong-type", "too-large"])
def test_staff_intake_refuses_a_bad_attachment(client, hl, upload, message):
    client.force_login(hl["users"]["dispatcher"])
    response = client.post(reverse("hotline_intake"), _intake_post(hl, attachment=upload))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Ticket.objects.exists()


def test_handler_cannot_dispatch_via_url(client, hl, new_ticket):
    ticket = new_ticket()
    client.force_login(hl["users"]["handler"])
    response = client.post(reverse("hotline_ticket_act", args=[ticket.pk, "dispatch"]),
                           {"lead": hl["orgs"]["hrss"].pk})
    assert response.status_code == 404  # not even visible: not dispatched to them
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_DISPATCH


def test_joint_minutes_and_analysis_page(client, hl, new_ticket, drive):
    u = hl["users"]
    root = drive(new_ticket(), Status.CLOSED)
    for _ in range(2):
        perform(new_ticket(), "link_repeat", u["dispatcher"], target=root)
    joint = JointHandling.objects.get()
    client.force_login(u["supervisor"])
    client.post(reverse("hotline_joint_minute", args=[joint.pk]),
                {"attendees": "市人社局、街道", "content": "明确人社局牵头，两周内解决。"})
    html = client.get(reverse("hotline_ticket_detail", args=[root.pk])).content.decode()
    assert "明确人社局牵头" in html and "会办" in html
    html = client.get(reverse("hotline_analysis")).content.decode()
    assert "<svg" in html and "重复诉求率" in html and "一类事" in html
    html = client.get(reverse("hotline_joint:index")).content.decode()
    assert root.number in html


def test_recurring_clusters_are_scoped_to_the_viewers_department(client, hl, new_ticket,
                                                                 drive):
    dispatcher = hl["users"]["dispatcher"]
    for _ in range(5):
        drive(new_ticket(), Status.PENDING_SIGN)  # 欠薪 in 江城区, led by 市人社局
        perform(new_ticket(category=hl["cats"]["property"], division=hl["divisions"]["other"]),
                "dispatch", dispatcher, lead=hl["orgs"]["housing"])  # 物业管理 in 临湖区

    def clusters_seen_by(user):
        client.force_login(user)
        html = client.get(reverse("hotline_analysis")).content.decode()
        return html.split("一类事", 1)[1].split("指标口径", 1)[0]

    handler_view = clusters_seen_by(hl["users"]["handler"])
    assert "欠薪" in handler_view and "江城区" in handler_view
    assert "物业管理" not in handler_view and "临湖区" not in handler_view
    dispatcher_view = clusters_seen_by(dispatcher)
    assert "欠薪" in dispatcher_view and "物业管理" in dispatcher_view


def test_admin_menu_lists_the_queues(client, hl):
    client.force_login(hl["users"]["dispatcher"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert json.dumps("12345 工作台")[1:-1] in html  # the sidebar is drawn from JSON props
    assert "?queue=overdue" in html and "?queue=joint" in html
    client.force_login(hl["users"]["editor"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "?queue=overdue" not in html


def test_division_and_category_filters_include_what_is_below(client, hl, new_ticket):
    in_street = new_ticket(division=hl["divisions"]["street"])
    elsewhere = new_ticket(division=hl["divisions"]["other"], category=hl["cats"]["property"])
    client.force_login(hl["users"]["dispatcher"])
    url = reverse("hotline_tickets:index")
    html = client.get(url, {"division": hl["divisions"]["district"].pk}).content.decode()
    assert in_street.number in html and elsewhere.number not in html
    html = client.get(url, {"category": hl["cats"]["housing"].pk}).content.decode()
    assert elsewhere.number in html and in_street.number not in html


def test_dispatcher_merges_a_repeat_from_the_ticket_page(client, hl, new_ticket, drive):
    first = drive(new_ticket(caller_phone="13966667777"), Status.IN_PROGRESS)
    second = new_ticket(caller_phone="13966667777", content=first.content + "，还没解决")
    client.force_login(hl["users"]["dispatcher"])
    html = client.get(reverse("hotline_ticket_detail", args=[second.pk])).content.decode()
    assert f'<option value="{first.pk}">' in html  # offered in the 并单 form
    client.post(reverse("hotline_ticket_act", args=[second.pk, "merge"]), {"target": first.pk})
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    html = client.get(reverse("hotline_ticket_detail", args=[first.pk])).content.decode()
    assert second.number in html  # listed among the requests merged into it
