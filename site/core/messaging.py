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

Secrets in messages (a rating link's token, any link that lets its holder act): the sender asks
for one with ``new_secret()``, builds the link from ``secret.token`` and passes ``secret=`` to
``send`` (or to ``Outgoing``). What is kept — the ``Message`` row, the outbox file, error
texts — carries the masked form (``…/rate/AbC1****``); only the backend's ``send`` receives the
real text (``for_delivery``), and the file backend masks it again before writing
(``for_record``). The token is never stored: it is an HMAC of a random seed under a key derived
from ``SECRET_KEY``, and the row keeps only the seed, so the delivery task — the first attempt,
a Celery retry, or ``core.tasks.requeue_unsent_messages`` after a worker died — derives the same
token again and sends the same text (same idempotency key, same link, nothing lost). Staff who
read the message log see the seed at most, which is useless without ``SECRET_KEY``; whoever holds
both already holds the server. Consequence: rotating ``SECRET_KEY`` invalidates secrets of
messages not yet delivered, so rotate it with an empty outbox (no pending rows).
"""

import base64
import copy
import fcntl
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Message

SECRET_SHOWN = 4  # characters of a token left readable in what is kept


@dataclass(frozen=True)
class Secret:
    """A usable token that travels in one message; only ``seed`` is ever stored."""

    seed: str

    @property
    def token(self):
        return derive_token(self.seed)

    @property
    def masked(self):
        return mask_token(self.token)


def new_secret():
    return Secret(secrets.token_urlsafe(18))


def derive_token(seed):
    """The token of ``seed``: HMAC-SHA256 under a key derived from SECRET_KEY, URL-safe."""
    key = hashlib.sha256(b"core.messaging.secret:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def mask_token(token):
    return token[:SECRET_SHOWN] + "****"


def mask(text, secret):
    """``text`` with ``secret``'s token replaced by its masked form (the one rule for anything
    that is kept: rows, outbox files, error texts, logs)."""
    if not text or secret is None:
        return text
    return text.replace(secret.token, secret.masked)


def unmask(text, secret):
    if not text or secret is None:
        return text
    return text.replace(secret.masked, secret.token)


def secret_of(message):
    """The ``Secret`` a message (a row or an ``Outgoing``) carries, or None."""
    secret = getattr(message, "secret", None)
    if isinstance(secret, Secret):
        return secret
    seed = getattr(message, "secret_seed", "")
    return Secret(seed) if seed else None


def for_delivery(message):
    """What the backend receives: the stored (masked) row with its secret put back, as an
    unsaved copy so the real text never reaches the database."""
    secret = secret_of(message)
    if secret is None:
        return message
    real = copy.copy(message)
    real.body = unmask(message.body, secret)
    real.subject = unmask(message.subject, secret)
    real.link = unmask(message.link, secret)
    real.secret = secret
    return real


def for_record(message):
    """subject, body and link of ``message`` as they may be kept (a file, a log line)."""
    secret = secret_of(message)
    return (mask(message.subject, secret), mask(message.body, secret),
            mask(message.link, secret))


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
    secret: Secret | None = None  # see "Secrets in messages" in the module docstring
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
                    subject, body, link = for_record(item)
                    lines.append(json.dumps({
                        "id": item.key, "key": item.key, "channel": channel,
                        "to": item.recipient, "subject": subject, "body": body,
                        "link": link, "at": timezone.now().isoformat(),
                    }, ensure_ascii=False))
                    fresh.append(item.key)
                if lines:
                    with open(outbox / f"{channel}.jsonl", "a", encoding="utf-8") as fh:
                        fh.write("\n".join(lines) + "\n")
                    keys.write("".join(f"{key}\n" for key in fresh))
        return {}

    def send(self, message):
        self.send_batch([Outgoing(
            key=f"message:{message.pk}", channel=message.channel, recipient=message.recipient,
            body=message.body, subject=message.subject, link=message.link,
            secret=secret_of(message))])


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
    ``count()`` and ``duplicates()``, and every send attempt per key, repeats included, with
    ``attempts()``; clear it with ``reset()``.
    """

    HASH = "zct:recording:delivered"
    SEP = "\x1f"  # between the fields of a record: channel, recipient, subject, body
    DUPLICATES = "zct:recording:duplicates"
    ATTEMPTS = "zct:recording:attempts"
    _memory = {}
    _memory_duplicates = 0
    _memory_attempts = {}
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
            redis.call('HINCRBY', KEYS[3], ARGV[i], 1)
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
                self._script(client)(keys=[self.HASH, self.DUPLICATES, self.ATTEMPTS],
                                     args=[part for record in records for part in record])
            return {}
        with self._lock:
            for key, record in records:
                attempts = RecordingBackend._memory_attempts
                attempts[key] = attempts.get(key, 0) + 1
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
    def attempts(cls):
        """Every send attempt per key, whether delivered or dropped as a repeat."""
        client = cls._redis()
        if client is not None:
            return {k.decode(): int(v) for k, v in client.hgetall(cls.ATTEMPTS).items()}
        return dict(cls._memory_attempts)

    @classmethod
    def reset(cls):
        client = cls._redis()
        if client is not None:
            client.delete(cls.HASH, cls.DUPLICATES, cls.ATTEMPTS)
        with cls._lock:
            cls._memory.clear()
            cls._memory_attempts.clear()
            RecordingBackend._memory_duplicates = 0


def backend_for(channel):
    return import_string(settings.MESSAGE_BACKENDS[channel])()


def send(channel, body, *, recipient="", user=None, subject="", link="", kind="",
         secret=None):
    """Queue a message; it is delivered after the current transaction commits.

    ``secret`` (from ``new_secret()``) is a token that ``body``/``link`` carry: the row keeps
    them masked and only the backend receives the real text (see the module docstring)."""
    from core.tasks import deliver_message, enqueue

    seed = ""
    if secret is not None:
        if channel == Message.Channel.INBOX:
            raise ValueError("In-app messages are read from the table: no secret in them.")
        if secret.token not in body and secret.token not in link:
            raise ValueError("The secret is not in the message.")
        body, subject, link = mask(body, secret), mask(subject, secret), mask(link, secret)
        seed = secret.seed
    message = Message.objects.create(
        channel=channel, recipient=recipient, user=user, subject=subject, body=body, link=link,
        kind=kind, secret_seed=seed,
    )
    enqueue(deliver_message, message.pk)  # after commit; a down broker leaves it to recovery
    return message


def notify_staff(people, body, *, subject, link="", kind):
    """A work notice to staff (a deadline, an alert): in the platform's inbox and, for whoever
    has a phone number, by SMS. Every task that alerts staff sends through here."""
    for person in people:
        send("inbox", body, user=person, subject=subject, link=link, kind=kind)
        if person.phone:
            send("sms", body, recipient=person.phone, kind=kind)
