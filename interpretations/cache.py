"""Anonymous page cache that answers before sessions, authentication and page lookup.

Pages opt in with ``page_cache = True`` on their class. An entry is stored with the cache
generation read when the request began; publishing, unpublishing or a scheduled go-live of a
policy section page bumps the generation after the transaction commits, so no reader gets a
stale version or a document without its interpretation once the go-live has committed. One
``get_many`` fetches generation and entry in a single round trip.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "pagecache:generation"
# Cookies whose presence means the response may be personal (logged in, flash messages).
PERSONAL_COOKIES = ("messages",)


def entry_key(request):
    raw = f"{request.get_host()}{request.get_full_path()}"
    return "pagecache:page:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


def purge_all():
    """Invalidate every cached page (called after a commit that changed public pages)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def current_generation(request=None):
    """The cache generation: fragments keyed on it are invalidated by every purge."""
    generation = getattr(request, "_page_cache_generation", None)
    if generation is None:
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def cached_fragment(key, request, render, timeout=86400):
    """Rendered HTML for ``key``, valid until the next purge: generation and fragment come
    back in one round trip (or the generation from the page-cache middleware)."""
    known = getattr(request, "_page_cache_generation", None)
    if known is None:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
    else:
        found, generation = {key: cache.get(key)}, known
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    html = render()
    cache.set(key, (generation, html), timeout)
    return html


def mark_cacheable(request):
    request._page_cacheable = True


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PLATFORM["PAGE_CACHE_SECONDS"]
        self.personal = (settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES)

    def eligible(self, request):
        if request.method not in ("GET", "HEAD") or not self.timeout:
            return False
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        cookies = request.COOKIES
        return not any(name in cookies for name in self.personal)

    def __call__(self, request):
        if not self.eligible(request):
            return self.get_response(request)
        key = entry_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        request._page_cache_generation = generation
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            _, status, headers, body = entry
            response = HttpResponse(body, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(request, "_page_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
        ):
            headers = [(k, v) for k, v in response.items() if k.lower() not in ("set-cookie",)]
            cache.set(key, (generation, response.status_code, headers, response.content),
                      self.timeout)
            response.headers["X-Page-Cache"] = "miss"
        return response
