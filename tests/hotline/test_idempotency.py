"""A form submitted twice (a double click, a retried request) makes one ticket and one SMS, and
the second answer shows the first one's result; a broker that is down after the intake has
committed fails no request, and the recovery task sends the SMS later."""

import json

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from core.models import Message
from core.tasks import deliver_message, requeue_unsent_messages
from hotline.models import Ticket
from interpretations.models import Concern, Feedback
from tests.enterprises.conftest import enterprise, portal, portal_user  # noqa: F401
from tests.forms import form_data, option_value

pytestmark = pytest.mark.django_db


def receipts():
    return Message.objects.filter(channel="sms", kind="hotline.receipt")


def public_form(client, hl):
    """The public 12345 form as a resident fills it in."""
    form, data = form_data(client.get(reverse("hotline:submit")).content.decode())
    assert len(data.get("submission_token", "")) >= 16  # the page carries the form's token
    data.update({
        "caller_name": "李四", "caller_phone": "13912340000",
        "division": option_value(form, "division", hl["divisions"]["street"].full_name),
        "category": hl["cats"]["wages"].pk, "address": "解放路8号",
        "content": "公司拖欠两个月工资，多次讨要未果，请帮忙协调。", "agree": "on"})
    return data


def test_public_form_submitted_twice_files_one_request_and_shows_the_same_receipt(client, hl):
    data = public_form(client, hl)
    first = client.post(reverse("hotline:submit"), data, follow=True)
    second = client.post(reverse("hotline:submit"), data, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.number in first.content.decode()
    assert second.redirect_chain == [(reverse("hotline:receipt"), 302)]
    assert ticket.number in second.content.decode()
    assert receipts().count() == 1


def test_a_new_form_or_different_content_is_a_new_request(client, hl):
    data = public_form(client, hl)
    client.post(reverse("hotline:submit"), data)
    # Back to the same page, something else filed with the same token: a new request.
    client.post(reverse("hotline:submit"), {**data, "content": "小区电梯停运一周无人维修，请督促物业。"})
    client.post(reverse("hotline:submit"), public_form(client, hl))  # a fresh form
    assert Ticket.objects.count() == 3 and receipts().count() == 3


def test_staff_intake_submitted_twice_makes_one_ticket(client, hl):
    client.force_login(hl["users"]["dispatcher"])
    form, data = form_data(client.get(reverse("hotline_intake")).content.decode())
    data.update({
        "caller_name": "吴九", "caller_phone": "13977778888",
        "division": option_value(form, "division", hl["divisions"]["street"].full_name),
        "category": hl["cats"]["wages"].pk,
        "content": "公司拖欠三个月工资不发，请帮忙追讨。"})
    first = client.post(reverse("hotline_intake"), data, follow=True)
    second = client.post(reverse("hotline_intake"), data, follow=True)
    ticket = Ticket.objects.get()
    detail = reverse("hotline_ticket_detail", args=[ticket.pk])
    assert first.redirect_chain[-1][0] == detail and second.redirect_chain[-1][0] == detail
    assert "该表单已提交过，未重复受理" in second.content.decode()
    assert ticket.number in second.content.decode()
    assert receipts().count() == 1


def test_enterprise_request_submitted_twice_makes_one_ticket(portal, hl, enterprise):  # noqa: F811
    url = "/enterprise/requests/new/"
    form, data = form_data(portal.get(url).content.decode(), "form.portal-form")
    data.update({"subject": "稳岗返还资金未到账", "category": hl["cats"]["wages"].pk,
                 "content": "我公司去年申请的稳岗返还资金至今未到账，请帮助查询办理进度。"})
    first = portal.post(url, data)
    second = portal.post(url, data, follow=True)
    ticket = Ticket.objects.get()
    assert first.url == second.redirect_chain[-1][0] == f"/enterprise/requests/{ticket.number}/"
    assert ticket.number in second.content.decode()
    assert receipts().count() == 1


def test_policy_feedback_submitted_twice_is_recorded_once(client, make_policy):
    policy = make_policy(publish=True)
    form, data = form_data(client.get(policy.url).content.decode(), "#feedback form")
    # The page is cached for every reader, so the browser makes the token (site.js).
    assert form.select_one("input[name=submission_token][data-submission-token]")
    data.update({"submission_token": "b" * 36, "comment": "申领条件中的社保月数如何计算？",
                 "helpful": "0"})
    action = form["action"]
    answers = [client.post(action, data) for _ in range(2)]
    assert [a.url for a in answers] == [policy.url + "?feedback=thanks#feedback"] * 2
    assert Feedback.objects.count() == 1 and Concern.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_intake_with_the_broker_down_commits_once_and_recovery_sends_the_sms(
        client, hl, settings, monkeypatch):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(deliver_message, "apply_async", broker_down)
    client.force_login(hl["users"]["dispatcher"])
    form, data = form_data(client.get(reverse("hotline_intake")).content.decode())
    data.update({
        "caller_name": "吴九", "caller_phone": "13977778888",
        "division": option_value(form, "division", hl["divisions"]["street"].full_name),
        "category": hl["cats"]["wages"].pk, "content": "公司拖欠三个月工资不发，请帮忙追讨。"})
    response = client.post(reverse("hotline_intake"), data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("hotline_ticket_detail", args=[ticket.pk])
    message = receipts().get()
    assert message.status == Message.Status.PENDING
    outbox = settings.MESSAGE_OUTBOX_DIR / "sms.jsonl"
    assert not outbox.exists()
    # The broker is back; the periodic recovery task queues the pending message.
    monkeypatch.undo()
    settings.PLATFORM = {**settings.PLATFORM, "MESSAGE_RETRY_AFTER_SECONDS": -1}
    assert requeue_unsent_messages() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    sent = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert [(s["to"], ticket.number in s["body"]) for s in sent] == [("13977778888", True)]
    assert Ticket.objects.count() == 1
