"""Sending messages to people: one entry point (``send``) and pluggable channel backends.

A backend has one method, ``send(message)``, which delivers or raises. Backends are chosen per
channel in ``settings.MESSAGE_BACKENDS``; a real SMS provider is an adapter with the same method.
"""

import json

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Message


class DeliveryError(Exception):
    """The backend could not deliver; the reason is stored on the message."""


class FileBackend:
    """Writes each message as one JSON line to ``MESSAGE_OUTBOX_DIR/<channel>.jsonl``."""

    def send(self, message):
        outbox = settings.MESSAGE_OUTBOX_DIR
        outbox.mkdir(parents=True, exist_ok=True)
        record = {
            "id": message.pk,
            "channel": message.channel,
            "to": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
            "at": timezone.now().isoformat(),
        }
        with open(outbox / f"{message.channel}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class InboxBackend:
    """In-app messages are read from the table itself; delivery only checks there is a reader."""

    def send(self, message):
        if message.user_id is None:
            raise DeliveryError("站内消息必须指定接收用户。")


def backend_for(channel):
    return import_string(settings.MESSAGE_BACKENDS[channel])()


def send(channel, body, *, recipient="", user=None, subject="", link="", kind=""):
    """Queue a message; it is delivered after the current transaction commits."""
    from core.tasks import deliver_message

    message = Message.objects.create(
        channel=channel, recipient=recipient, user=user, subject=subject, body=body, link=link,
        kind=kind,
    )
    deliver_message.delay_on_commit(message.pk)
    return message
