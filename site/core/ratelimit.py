"""Rate limits for public endpoints: one way to tell who the client is, one counting rule."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's address: the proxy's header when one is configured (only the first,
    client-most entry of a list), else REMOTE_ADDR."""
    header = settings.PLATFORM.get("CLIENT_IP_HEADER")
    value = request.META.get(header, "") if header else ""
    return value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "") or "unknown"


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
