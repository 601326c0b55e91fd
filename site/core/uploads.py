"""Upload limits that hold before a request body is read.

``RequestSizeLimitMiddleware`` answers 413 when the declared body (``Content-Length``) is larger
than ``settings.MAX_UPLOAD_BYTES`` — or, for staff signed in to the admin, than
``STAFF_MAX_UPLOAD_BYTES`` (audio and video items are large). It runs before the CSRF check
and before any view touches ``request.POST``/``FILES``, so nothing of the body is read. A body
without a length (chunked) is bounded by the front server (nginx ``client_max_body_size``) and by
Django's DATA_UPLOAD_MAX_MEMORY_SIZE; each form still checks its own fields' sizes
(``hotline.forms.validate_attachment``).
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _


def body_limit(request):
    """The largest body ``request``'s user may send."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
        return max(settings.STAFF_MAX_UPLOAD_BYTES, settings.MAX_UPLOAD_BYTES)
    return settings.MAX_UPLOAD_BYTES


def declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large(limit):
    mb = max(1, limit // (1024 * 1024))
    message = _("提交的内容过大：单次提交不能超过 %(mb)s MB，请压缩或分批上传附件后重试。") % {"mb": mb}
    title = _("提交内容过大")
    body = (f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{escape(title)}'
            f"</title><h1>{escape(title)}</h1><p>{escape(message)}</p></html>")
    # The WSGI server discards (or closes on) the unread body; Connection is hop-by-hop and
    # may not be set from here.
    return HttpResponse(body, status=413, content_type="text/html; charset=utf-8")


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        # Only a body over the public limit needs the user (a session lookup) to decide.
        if length > settings.MAX_UPLOAD_BYTES:
            limit = body_limit(request)
            if length > limit:
                return too_large(limit)
        return self.get_response(request)
