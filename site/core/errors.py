"""Request ids and the error pages users see.

Every request gets an id (``RequestIdMiddleware``): the one a trusted proxy gave it
(``REQUEST_ID_HEADER``), else a new one. It goes back in the ``X-Request-ID`` response header,
into every log line written while the request runs (``RequestIdFilter``, in ``LOGGING``), and
onto the error pages, so that a user can quote it and support can find the request in the logs.

The pages users see when something goes wrong are the project's Chinese ones (400, 403, 404
and 500 templates, rendered by ``core.views``'s handlers) in every mode users reach. With DEBUG
off Django calls those handlers itself. With DEBUG on (the embedded default,
``portal.settings.dev``) Django answers with its English debug pages instead;
``DebugErrorPagesMiddleware`` puts the Chinese page in their place, unless a developer has asked
for the debug pages with ``DJANGO_DEBUG_PAGES=1``.
"""

import contextvars
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Django's debug pages (technical_404.html, technical_500.html, also used for 400s) carry this
# line; the project's pages never do.
DEBUG_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'

_current = contextvars.ContextVar("request_id", default="")


def new_request_id():
    """16 hexadecimal digits: unique enough to find a request, short enough to read out."""
    return secrets.token_hex(8)


def request_id_for(request):
    """The proxy's id for ``request`` when one is configured and well-formed, else a new one."""
    header = settings.REQUEST_ID_HEADER
    if header:
        given = request.META.get(header, "").strip()
        if VALID_ID.fullmatch(given):
            return given
    return new_request_id()


def request_id(request=None):
    """The id of ``request`` (or of the request being handled now), "" outside a request."""
    return getattr(request, "request_id", "") or _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record ``request_id``: the current request's, or that of the request
    Django names in the record (its own 4xx/5xx lines are written after the middleware
    returned), or "-"."""

    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = (_current.get()
                                 or getattr(getattr(record, "request", None), "request_id", "")
                                 or "-")
        return True


def is_debug_page(response):
    return (response.status_code >= 400 and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and DEBUG_PAGE_MARK in response.content[:4000])


def error_page(request, status, exception=None):
    """The Chinese page for ``status`` (400, 403, 404, 5xx): the same handlers Django calls
    with DEBUG off."""
    from core import views

    if status >= 500:
        return views.server_error(request)
    if status == 404:
        return views.page_not_found(request, exception)
    if status == 403:
        return views.permission_denied(request, exception)
    if status == 400:
        return views.bad_request(request, exception)
    return None


class DebugErrorPagesMiddleware:
    """With DEBUG on, the Chinese error pages in place of Django's debug pages (no-op with DEBUG
    off, or with DJANGO_DEBUG_PAGES=1). A refused parameter keeps its own message (400 with
    what was wrong); every other debug page becomes the page for its status. Django has logged
    the error already, with the request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and not settings.DEBUG_PAGES and is_debug_page(response):
            page = error_page(request, response.status_code)
            if page is not None:
                # What the middleware inside gave the debug page (security headers, cookies).
                for name, value in response.items():
                    if name.lower() not in ("content-type", "content-length"):
                        page.headers.setdefault(name, value)
                page.cookies.update(response.cookies)
                return page
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and not settings.DEBUG_PAGES and isinstance(
                exception, BadRequest | SuspiciousOperation):
            return error_page(request, 400, exception)
        return None
