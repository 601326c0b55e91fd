"""Anonymous page cache that answers before sessions, authentication and page lookup.

Pages opt in with ``page_cache = True`` on their class. An entry is stored with the cache
generation read when the request began; publishing, unpublishing or a scheduled go-live of a
policy section page bumps the generation after the transaction commits, so no reader gets a
stale version or a document without its interpretation once the go-live has committed. One
``get_many`` fetches generation and entry in a single round trip.

Only known query parameters are cached: a page class lists the parameters its view reads and
what a value may look like (``page_cache_params``, name → regular expression). A request with
any other parameter, a repeated one, or a value that does not match is served but not stored,
so ``?x=1``, ``?x=2``… cannot fill the cache. The key is built from the parameters sorted, with
blank values left out, so the same view has one entry whatever the order.

The cache itself may be down: ``core.cache.FailSafeRedisCache`` answers misses then, and the
pages are served uncached.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "pagecache:generation"
# Cookies whose presence means the response may be personal (logged in, flash messages).
PERSONAL_COOKIES = ("messages",)


def normalised_query(request):
    """The query string as the key sees it: parameters sorted, values stripped, blanks left out
    (the views read ``?q=`` like no ``q``)."""
    pairs = sorted((name, value.strip()) for name, values in request.GET.lists()
                   for value in values if value.strip())
    return "&".join(f"{name}={value}" for name, value in pairs)


def entry_key(request):
    raw = f"{request.get_host()}{request.path}?{normalised_query(request)}"
    return "pagecache:page:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


def query_is_cacheable(request, allowed):
    """Whether every parameter of ``request`` is one of ``allowed`` (name → regular
    expression a value must match in full), given once."""
    for name, values in request.GET.lists():
        values = [value.strip() for value in values if value.strip()]
        if not values:
            continue
        pattern = allowed.get(name)
        if pattern is None or len(values) > 1 or not re.fullmatch(pattern, values[0]):
            return False
    return True


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


def mark_cacheable(request, params=None):
    """The response to ``request`` may be stored if its query has only ``params`` (name →
    value pattern, see the module docstring)."""
    request._page_cacheable = dict(params or {})


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
        allowed = getattr(request, "_page_cacheable", None)
        if (
            allowed is not None
            and query_is_cacheable(request, allowed)
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
