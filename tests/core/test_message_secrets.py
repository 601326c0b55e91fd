"""A rating link's token reaches only the SMS provider: the message log, the outbox file, error
texts and log records keep it masked, and a message whose first attempt failed is still
delivered later with a link that works."""

import logging
import re

import pytest
from django.urls import reverse

from core import messaging
from core.messaging import DeliveryError, FileBackend
from core.models import Message
from core.tasks import requeue_unsent_messages
from ratings.tasks import invite_finished_tickets
from tests.ratings.conftest import _fresh, finished_ticket, rt  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

PHONE = "13900007777"
LINK = re.compile(r"/rate/([^/\s]+)/")
BACKEND = f"{__name__}.GatewayBackend"


class GatewayBackend(FileBackend):
    """The SMS provider as the platform sees it: records what it was handed (the real text),
    and writes the outbox file like the default backend. ``failures`` first attempts fail with
    the message text in the reason, as some gateways do."""

    received = []
    failures = 0

    def send(self, message):
        if GatewayBackend.failures:
            GatewayBackend.failures -= 1
            raise DeliveryError(f"网关暂时不可用：{message.body}")
        GatewayBackend.received.append(message.body)
        super().send(message)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Send the rating invitations of finished tickets, delivering after commit as in life."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            invite_finished_tickets()

    return run


@pytest.fixture
def gateway(settings):
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS, "sms": BACKEND}
    GatewayBackend.received, GatewayBackend.failures = [], 0
    return GatewayBackend


def kept_text(settings):
    """Everything the platform keeps about messages: every column of every row and the
    outbox files."""
    rows = [str(value) for row in Message.objects.values() for value in row.values()]
    files = [path.read_text(encoding="utf-8")
             for path in settings.MESSAGE_OUTBOX_DIR.glob("*") if path.is_file()]
    return "\n".join(rows + files)


def test_the_delivered_link_works_and_the_kept_one_does_not(
        client, settings, gateway, invite, finished_ticket, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    finished_ticket(phone=PHONE)
    invite()

    [delivered] = gateway.received
    token = LINK.search(delivered).group(1)
    stored = Message.objects.get(recipient=PHONE, kind="ratings.service")
    kept_token = LINK.search(stored.link).group(1)
    assert kept_token == token[:4] + "****" and kept_token in stored.body
    assert token not in kept_text(settings)
    assert kept_token in (settings.MESSAGE_OUTBOX_DIR / "sms.jsonl").read_text(encoding="utf-8")
    assert not any(token in record.getMessage() for record in caplog.records)

    # Someone reading the log cannot rate; the resident with the SMS can.
    assert client.get(f"/rate/{kept_token}/").status_code == 410
    page = client.get(f"/rate/{token}/")
    assert page.status_code == 200 and "非常满意" in page.content.decode()


def test_staff_reading_the_message_log_see_only_the_masked_link(
        client, settings, gateway, invite, finished_ticket, make_user):  # noqa: F811
    finished_ticket(phone=PHONE)
    invite()
    token = LINK.search(gateway.received[0]).group(1)
    stored = Message.objects.get(recipient=PHONE, kind="ratings.service")
    client.force_login(make_user(is_superuser=True, is_staff=True))
    page = client.get(reverse("messages:inspect", args=[stored.pk])).content.decode()
    assert token[:4] + "****" in page
    assert token not in page and stored.secret_seed not in page


def test_a_failed_first_attempt_is_delivered_later_with_a_working_link(
        client, settings, gateway, invite, finished_ticket,  # noqa: F811
        django_capture_on_commit_callbacks):
    gateway.failures = 1
    finished_ticket(phone=PHONE)
    invite()
    stored = Message.objects.get(recipient=PHONE, kind="ratings.service")
    assert stored.status == Message.Status.PENDING and "网关暂时不可用" in stored.error
    assert gateway.received == []

    # The worker's retry did not happen (it died): the periodic recovery sends it from the row.
    Message.objects.filter(pk=stored.pk).update(created_at=stored.created_at.replace(year=2020))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_unsent_messages() == 1
    stored.refresh_from_db()
    assert stored.status == Message.Status.SENT
    [delivered] = gateway.received
    token = LINK.search(delivered).group(1)
    assert token not in kept_text(settings)  # neither in the row, its error, nor the file
    assert client.get(f"/rate/{token}/").status_code == 200


def test_bulk_messages_with_a_secret_are_written_masked(settings):
    secret = messaging.new_secret()
    link = f"https://zct.example.cn/rate/{secret.token}/"
    item = messaging.Outgoing(key="k1", channel="sms", recipient=PHONE,
                              body=f"请评价：{link}", link=link, secret=secret)
    assert FileBackend().send_batch([item]) == {}
    written = (settings.MESSAGE_OUTBOX_DIR / "sms.jsonl").read_text(encoding="utf-8")
    assert secret.token not in written and f"/rate/{secret.masked}/" in written
