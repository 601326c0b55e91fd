"""When a service the site can do without (the cache, the Celery broker) is down: which errors
mean "down", and logging an outage once instead of once per request.

``outage(name)`` returns the process-wide record of one dependency. ``failed(exc)`` logs a
warning the first time and then at most once every ``REPORT_SECONDS`` while it stays down;
``succeeded()`` logs once when it answers again. The cache backend (``core.cache``) and task
enqueueing (``core.tasks.enqueue``) report through here.
"""

import logging
import socket
import threading
import time

logger = logging.getLogger("core.resilience")

REPORT_SECONDS = 300  # while a dependency stays down, one reminder per this many seconds


def backend_errors():
    """Exception classes that mean a network service did not answer (not a programming
    error): Redis and kombu connection errors, timeouts, refused or reset sockets."""
    errors = [OSError, socket.timeout, EOFError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        from kombu.exceptions import KombuError, OperationalError

        errors += [KombuError, OperationalError]
    except ImportError:  # pragma: no cover - kombu comes with celery
        pass
    return tuple(errors)


class Outage:
    """The state of one dependency in this process (thread-safe)."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.down_since = None
        self.reported_at = None
        self.failures = 0

    @property
    def is_down(self):
        return self.down_since is not None

    def failed(self, exc, doing=""):
        now = time.monotonic()
        with self.lock:
            self.failures += 1
            first = self.down_since is None
            if first:
                self.down_since = now
            due = first or self.reported_at is None or now - self.reported_at >= REPORT_SECONDS
            if due:
                self.reported_at = now
                failures, self.failures = self.failures, 0
        if due:
            logger.warning(
                "%s unavailable%s (%s: %s); %s", self.name, f" during {doing}" if doing else "",
                type(exc).__name__, exc,
                "carrying on without it" if first else
                f"still down, {failures} failures since the last report")
        return first

    def succeeded(self):
        if self.down_since is None:  # the common case: no lock taken
            return False
        with self.lock:
            if self.down_since is None:
                return False
            seconds = time.monotonic() - self.down_since
            self.down_since = self.reported_at = None
            self.failures = 0
        logger.warning("%s available again after %.0f s", self.name, seconds)
        return True

    def reset(self):
        with self.lock:
            self.down_since = self.reported_at = None
            self.failures = 0


_outages = {}
_outages_lock = threading.Lock()


def outage(name):
    with _outages_lock:
        if name not in _outages:
            _outages[name] = Outage(name)
        return _outages[name]


def reset_all():
    """Forget every outage (tests)."""
    with _outages_lock:
        for record in _outages.values():
            record.reset()
