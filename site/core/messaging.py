"""Sending messages to people: one entry point (``send``) and pluggable channel backends.

A backend has ``send(message)``, which delivers one message or raises, and ``send_batch(items)``
for bulk work (the targeted policy push), which delivers a list of ``Outgoing`` items and returns
the ones that failed. Backends are chosen per channel in ``settings.MESSAGE_BACKENDS``; a real SMS
or email provider is an adapter with the same methods.

Idempotency contract for ``send_batch``: every ``Outgoing`` carries a ``key``, and a backend must
never deliver the same key twice. Bulk senders claim rows, send, then mark them sent; a worker
that dies between sending and marking leaves rows that the recovery task sends again *with the
same key*, so the backend is what turns "at least once" into "exactly once" for the recipient.
An adapter for a real provider passes the key as the provider's de-duplication id (most SMS and
email APIs accept a client reference for that); the file and recording backends below keep the
keys they have delivered and drop repeats.
"""

import fcntl
import json
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Message


class DeliveryError(Exception):
    """The backend could not deliver; the reason is stored on the message.

    ``permanent=True`` says retrying cannot help (an invalid number, a rejected address);
    anything else is treated as transient and retried with backoff.
    """

    def __init__(self, reason="", *, permanent=False):
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One message of a batch. ``key`` is its idempotency key (see the module docstring)."""

    key: str
    channel: str
    recipient: str
    body: str
    subject: str = ""
    link: str = ""
    user_id = None  # not a field: lets a backend that only has ``send`` read it like a Message

    @property
    def pk(self):
        return self.key


class Backend:
    def send(self, message):
        raise NotImplementedError

    def send_batch(self, items):
        """Deliver ``items``; return ``{key: exception}`` for those that failed (the rest were
        delivered). The default sends one by one; ``send`` must then honour the key contract
        itself (``message.pk`` is the key)."""
        failures = {}
        for item in items:
            try:
                self.send(item)
            except Exception as exc:  # each item's reason is kept on its own row
                failures[item.key] = exc
        return failures


class FileBackend(Backend):
    """Writes each message as one JSON line to ``MESSAGE_OUTBOX_DIR/<channel>.jsonl``.

    Batches honour the key contract: delivered keys are kept in ``<channel>.keys`` (read and
    appended under a file lock), and a repeated key is not written again.
    """

    def send_batch(self, items):
        outbox = settings.MESSAGE_OUTBOX_DIR
        outbox.mkdir(parents=True, exist_ok=True)
        channels = {}
        for item in items:
            channels.setdefault(item.channel, []).append(item)
        for channel, group in channels.items():
            with open(outbox / f"{channel}.keys", "a+", encoding="utf-8") as keys:
                fcntl.flock(keys, fcntl.LOCK_EX)
                keys.seek(0)
                seen = set(keys.read().split())
                lines, fresh = [], []
                for item in group:
                    if item.key in seen:
                        continue
                    seen.add(item.key)
                    lines.append(json.dumps({
                        "id": item.key, "key": item.key, "channel": channel,
                        "to": item.recipient, "subject": item.subject, "body": item.body,
                        "link": item.link, "at": timezone.now().isoformat(),
                    }, ensure_ascii=False))
                    fresh.append(item.key)
                if lines:
                    with open(outbox / f"{channel}.jsonl", "a", encoding="utf-8") as fh:
                        fh.write("\n".join(lines) + "\n")
                    keys.write("".join(f"{key}\n" for key in fresh))
        return {}

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


class InboxBackend(Backend):
    """In-app messages are read from the table itself; delivery only checks there is a reader."""

    def send(self, message):
        if message.user_id is None:
            raise DeliveryError("站内消息必须指定接收用户。")


class RecordingBackend(Backend):
    """Records deliveries instead of sending them: for tests and benchmarks.

    Honours the key contract: a repeated key is dropped and counted as a duplicate. With
    ``REDIS_URL`` the record lives in Redis (hash ``zct:recording:delivered``, counter
    ``zct:recording:duplicates``), so a test or benchmark can count what worker processes
    delivered; without it, in this process's memory. Read it with ``delivered()`` (key → record),
    ``count()`` and ``duplicates()``; clear it with ``reset()``.
    """

    HASH = "zct:recording:delivered"
    SEP = "\x1f"  # between the fields of a record: channel, recipient, subject, body
    DUPLICATES = "zct:recording:duplicates"
    _memory = {}
    _memory_duplicates = 0
    _lock = threading.Lock()
    _clients = {}

    @classmethod
    def _redis(cls):
        url = settings.REDIS_URL
        if not url:
            return None
        if url not in cls._clients:
            import redis

            cls._clients[url] = redis.Redis.from_url(url)
        return cls._clients[url]

    # Atomic in Redis: a key already recorded (by any process) is counted, not recorded again.
    RECORD = """
        local added = 0
        for i = 1, #ARGV, 2 do
            added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        local repeated = #ARGV / 2 - added
        if repeated > 0 then redis.call('INCRBY', KEYS[2], repeated) end
        return added
    """

    @classmethod
    def _script(cls, client):
        key = ("script", id(client))
        if key not in cls._clients:
            cls._clients[key] = client.register_script(cls.RECORD)
        return cls._clients[key]

    def send(self, message):
        self.send_batch([Outgoing(
            key=f"message:{message.pk}", channel=message.channel, recipient=message.recipient,
            body=message.body, subject=message.subject, link=message.link)])

    def send_batch(self, items):
        sep = self.SEP
        records = [(item.key, f"{item.channel}{sep}{item.recipient}{sep}{item.subject}{sep}"
                              f"{item.body}") for item in items]
        client = self._redis()
        if client is not None:
            if records:
                self._script(client)(keys=[self.HASH, self.DUPLICATES],
                                     args=[part for record in records for part in record])
            return {}
        with self._lock:
            for key, record in records:
                if key in RecordingBackend._memory:
                    RecordingBackend._memory_duplicates += 1
                else:
                    RecordingBackend._memory[key] = record
        return {}

    @classmethod
    def delivered(cls):
        client = cls._redis()
        raw = ({k.decode(): v.decode() for k, v in client.hgetall(cls.HASH).items()}
               if client is not None else dict(cls._memory))
        fields = ("channel", "to", "subject", "body")
        return {key: dict(zip(fields, value.split(cls.SEP, 3), strict=True))
                for key, value in raw.items()}

    @classmethod
    def count(cls):
        client = cls._redis()
        return client.hlen(cls.HASH) if client is not None else len(cls._memory)

    @classmethod
    def duplicates(cls):
        client = cls._redis()
        if client is not None:
            return int(client.get(cls.DUPLICATES) or 0)
        return cls._memory_duplicates

    @classmethod
    def reset(cls):
        client = cls._redis()
        if client is not None:
            client.delete(cls.HASH, cls.DUPLICATES)
        with cls._lock:
            cls._memory.clear()
            RecordingBackend._memory_duplicates = 0


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


def notify_staff(people, body, *, subject, link="", kind):
    """A work notice to staff (a deadline, an alert): in the platform's inbox and, for whoever
    has a phone number, by SMS. Every task that alerts staff sends through here."""
    for person in people:
        send("inbox", body, user=person, subject=subject, link=link, kind=kind)
        if person.phone:
            send("sms", body, recipient=person.phone, kind=kind)
