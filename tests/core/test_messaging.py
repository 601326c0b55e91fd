"""Messages are queued in the outbox and delivered after commit, at most once each."""

import json

import pytest
from django.db import transaction

from core import messaging
from core.models import Message
from core.tasks import deliver_message, requeue_unsent_messages
from tests.conftest import wait_for


def outbox_lines(settings, channel="sms"):
    path = settings.MESSAGE_OUTBOX_DIR / f"{channel}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.django_db
def test_message_is_delivered_only_after_commit(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = messaging.send("sms", "您的诉求已受理，编号 12345-1。", recipient="13800000000")
        assert outbox_lines(settings) == []
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert outbox_lines(settings)[0]["body"] == "您的诉求已受理，编号 12345-1。"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_work_sends_nothing(settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        messaging.send("sms", "不应发出", recipient="13800000000")
        raise RuntimeError
    assert Message.objects.count() == 0
    assert outbox_lines(settings) == []


@pytest.mark.django_db
def test_delivering_twice_sends_once(settings):
    message = Message.objects.create(channel="sms", recipient="13800000000", body="一次")
    deliver_message(message.pk)
    deliver_message(message.pk)
    assert len(outbox_lines(settings)) == 1


@pytest.mark.django_db
def test_the_outbox_adapter_never_sends_a_key_twice(settings):
    # The adapter itself, not the task in front of it: a worker that died after sending and
    # before marking the row sent sends it again with the same key, and nothing goes out twice.
    message = Message.objects.create(channel="sms", recipient="13800000000", body="只发一次")
    backend = messaging.FileBackend()
    backend.send(message)
    backend.send(message)
    item = messaging.Outgoing(key="batch:1", channel="sms", recipient="13900000000", body="批量")
    backend.send_batch([item, item])
    backend.send_batch([item])
    assert [(line["to"], line["body"]) for line in outbox_lines(settings)] == [
        ("13800000000", "只发一次"), ("13900000000", "批量")]


@pytest.mark.django_db
def test_failure_keeps_the_reason_and_recovery_requeues(settings):
    message = Message.objects.create(channel="inbox", body="无接收人")
    deliver_message(message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert "必须指定接收用户" in message.error
    Message.objects.filter(pk=message.pk).update(created_at=message.created_at.replace(year=2020))
    assert requeue_unsent_messages() == 1


@pytest.mark.worker
def test_real_worker_delivers_committed_message(celery_worker, settings):
    with transaction.atomic():
        message = messaging.send("sms", "真实 worker 发送", recipient="13800000009")
    delivered = wait_for(lambda: Message.objects.filter(pk=message.pk, status="sent").exists())
    assert delivered, "the worker did not deliver the message"
