"""Rate limits for public endpoints: one way to tell who the client is, one counting rule."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's address as our own proxy saw it (rate limits, login lock-outs, rating
    stuffing all count by this one function).

    Without ``CLIENT_IP_HEADER``: REMOTE_ADDR. With a header our proxy sets (``HTTP_X_REAL_IP``,
    which nginx overwrites): its value. With ``HTTP_X_FORWARDED_FOR``, which a client can send
    pre-filled and every proxy appends to: the entry ``TRUSTED_PROXY_COUNT`` places from the
    right, the one our first proxy added; whatever the client wrote left of it is ignored.
    """
    header = settings.PLATFORM.get("CLIENT_IP_HEADER")
    value = request.META.get(header, "") if header else ""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if len(entries) > 1 or (entries and header == "HTTP_X_FORWARDED_FOR"):
        trusted = max(1, int(settings.PLATFORM.get("TRUSTED_PROXY_COUNT") or 1))
        # Fewer entries than proxies: the request did not come through all of them.
        entries = entries[-trusted:][:1] if len(entries) >= trusted else []
    return (entries[0] if entries else "") or request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(scope, client, limit, window, count=True):
    """Whether ``client`` has used up ``limit`` requests of ``scope`` in ``window`` seconds.

    With ``count`` the current request is counted (a refused request is not). The client is
    hashed so the cache holds no addresses.
    """
    digest = hashlib.sha256((client or "unknown").encode()).hexdigest()[:32]
    key = f"rate:{scope}:{digest}"
    used = cache.get(key, 0)
    if used >= limit:
        return True
    if count and not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
    return False
