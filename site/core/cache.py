"""The cache backend for Redis that fails safe: with Redis unreachable every page still answers,
uncached.

``FailSafeRedisCache`` is Django's Redis backend whose operations never raise a connection
error. A failure counts as a miss — ``get`` returns the default, ``get_many`` nothing,
``add`` True (stored: a throttle or nonce that cannot be checked denies nothing), ``incr``
the delta, writes and deletes are dropped — and is logged once per outage
(``core.resilience``). For ``RETRY_SECONDS`` after a failure Redis is not asked again, so a
down cache costs a request nothing. Every user of the default cache goes through this one
class: the page cache, rate limits, fragment caches, Wagtail's site-root and rendition caches.

Writes dropped during an outage may include deletes and purges (a publish bumps the page
cache's generation), so when Redis answers again after such a drop, every entry under this
cache's key prefix is deleted before it is used again: nothing stale survives the outage.

Settings: ``portal.settings.base`` uses it whenever ``REDIS_URL``/``CACHE_URL`` is set, with
short socket timeouts in ``OPTIONS``.
"""

import functools
import time

from django.core.cache.backends.redis import RedisCache

from core.resilience import backend_errors, outage

RETRY_SECONDS = 5.0  # after a failure, answer misses without asking Redis for this long
# Operations that change what is stored: a dropped one means the cache may be stale later.
_WRITES = {"set", "add", "set_many", "touch", "delete", "delete_many", "incr", "clear"}


def _miss(name, args, kwargs):
    """What an operation answers when the cache is down (see the module docstring)."""
    if name == "get":
        return kwargs.get("default", args[1] if len(args) > 1 else None)
    if name == "get_many":
        return {}
    if name == "set_many":
        data = kwargs.get("data", args[0] if args else {})
        return list(data)
    if name in ("add",):
        return True
    if name == "incr":
        return kwargs.get("delta", args[1] if len(args) > 1 else 1)
    return False  # has_key, touch, delete; set, delete_many and clear return nothing anyway


def _guarded(name):
    plain = getattr(RedisCache, name)

    @functools.wraps(plain)
    def method(self, *args, **kwargs):
        state = self._fail_state
        if time.monotonic() < state["retry_at"]:
            if name in _WRITES:
                state["dirty"] = True
            return _miss(name, args, kwargs)
        try:
            if state["dirty"]:
                self._drop_stale()
            result = plain(self, *args, **kwargs)
        except self._errors as exc:
            state["retry_at"] = time.monotonic() + RETRY_SECONDS
            if name in _WRITES:
                state["dirty"] = True
            self._outage.failed(exc, f"cache.{name}")
            return _miss(name, args, kwargs)
        state["retry_at"] = 0.0
        self._outage.succeeded()
        return result

    return method


class FailSafeRedisCache(RedisCache):
    # Process-wide state per location: backend instances are per thread.
    _states = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        location = ",".join(self._servers)
        self._outage = outage(f"cache ({location.rsplit('@', 1)[-1]})")
        self._fail_state = self._states.setdefault(location, {"retry_at": 0.0, "dirty": False})
        self._errors = backend_errors()

    def _drop_stale(self):
        """Delete every entry under this cache's prefix (writes were dropped while it was down);
        raises like any operation if Redis is still unreachable."""
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=self.make_key("*"), count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        self._fail_state["dirty"] = False

    def ping(self):
        """Ask Redis directly (the health check): raises when it does not answer."""
        self._cache.get_client(write=True).ping()

    @classmethod
    def reset_state(cls):
        """Forget outages (tests)."""
        for state in cls._states.values():
            state.update(retry_at=0.0, dirty=False)


for _name in ("get", "get_many", "has_key", "set", "add", "set_many", "touch", "delete",
              "delete_many", "incr", "clear"):
    setattr(FailSafeRedisCache, _name, _guarded(_name))
