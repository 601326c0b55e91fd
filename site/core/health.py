"""What ``/healthz`` reports: each dependency checked quickly, none of them allowed to hang.

``status`` of a check: ``ok``; ``down`` (with the error's class); ``embedded`` for a
dependency the embedded default runs in-process (local-memory cache, eager tasks: nothing to
reach). The site needs only the database to serve: with the cache down it serves uncached
(``core.cache``), with the broker down it commits and leaves queued work to the recovery tasks
(``core.tasks.enqueue``). So the overall answer is ``ok``, ``degraded`` (HTTP 200: something
other than the database is down — keep serving, alert) or ``down`` (HTTP 503: the database is
down — take the instance out of rotation).
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connections

TIMEOUT = 0.5  # seconds a network check may take to connect and to answer


def _result(started, error=None, status="ok"):
    result = {"status": "down" if error is not None else status,
              "ms": round((time.monotonic() - started) * 1000)}
    if error is not None:
        result["error"] = type(error).__name__
    return result


def check_database():
    started = time.monotonic()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to answer is "down"
        return _result(started, exc)
    return _result(started)


def check_cache():
    started = time.monotonic()
    backend = caches["default"]
    if not hasattr(backend, "ping"):  # local memory: in this process, nothing to reach
        return _result(started, status="embedded")
    try:
        backend.ping()
    except Exception as exc:  # the fail-safe backend hides errors; ping shows them
        return _result(started, exc)
    return _result(started)


def check_broker():
    started = time.monotonic()
    url = settings.CELERY_BROKER_URL or ""
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return _result(started, status="embedded")
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT,
                                          socket_timeout=TIMEOUT)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=TIMEOUT) as connection:
                connection.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as exc:  # any failure to answer is "down"
        return _result(started, exc)
    return _result(started)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def report():
    """(HTTP status, body) for /healthz."""
    checks = {name: check() for name, check in CHECKS.items()}
    down = [name for name, result in checks.items() if result["status"] == "down"]
    if "database" in down:
        overall, code = "down", 503
    elif down:
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return code, {"status": overall, "down": down, "checks": checks}
