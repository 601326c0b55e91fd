"""Request parameters: every value a route reads from the address or a form is cleaned by a form
field here, so that bad input answers 400 (or 404) with a Chinese message, never a server error.

``parameter`` is the one rule; ``id_field``, ``integer_field`` and ``year_field`` are the fields
routes use most. A database id is at most ``MAX_ID`` (a 64-bit signed integer: what SQLite and
PostgreSQL store; SQLite raises OverflowError on anything bigger).
"""

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2100  # the years a calendar, a policy or a figure can be about


class BadParameter(BadRequest):
    """A request parameter that does not parse. Answered with 400 and the message (Chinese) by
    ``core.views.bad_request``."""


def id_field(**options):
    """A database id: a whole number from 1 to ``MAX_ID``; optional unless told."""
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **{"required": False, **options})


def integer_field(min_value, max_value, **options):
    return forms.IntegerField(min_value=min_value, max_value=max_value,
                              **{"required": False, **options})


def year_field(**options):
    return integer_field(MIN_YEAR, MAX_YEAR, **options)


def parameter(data, name, field, *, not_found=False, default=None):
    """``data[name]`` (a QueryDict such as ``request.GET`` or ``request.POST``, or a dict)
    cleaned by the form ``field``; ``default`` when it is empty and the field not required.

    A value the field refuses raises BadParameter (400), or Http404 with ``not_found=True``
    (a parameter naming something to show: a bad one names nothing). The message says which
    parameter and why, in Chinese."""
    raw = data.get(name)
    try:
        value = field.clean(raw)
    except ValidationError as exc:
        message = _("参数“%(name)s”无效：%(error)s") % {"name": name,
                                                     "error": "".join(exc.messages)}
        raise (Http404 if not_found else BadParameter)(message) from None
    return default if value in field.empty_values else value


def is_database_overflow(exc):
    """Whether ``exc`` is SQLite refusing an integer beyond 64 bits: an id from the address
    or a form too big for any row (Django's ``int`` path converter takes any length)."""
    if not isinstance(exc, OverflowError):
        return False
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("django.db."):
            return True
        tb = tb.tb_next
    return False


def is_nul_in_text(exc):
    """Whether ``exc`` is PostgreSQL refusing a NUL byte in a text value (SQLite stores it)."""
    return isinstance(exc, DataError) and "NUL (0x00)" in str(exc)


class DatabaseOverflowMiddleware:
    """Values no database row can hold, in any route (the project's own, Wagtail's, Wagtail
    admin's): an id beyond 64 bits or a NUL byte in the address finds nothing (404 instead of
    SQLite's OverflowError or PostgreSQL's DataError); a NUL byte elsewhere is a bad request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404(_("找不到该记录。"))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_overflow(exception):
            raise Http404(_("找不到该记录。")) from exception
        if is_nul_in_text(exception):
            raise BadParameter(_("请求中含有无效字符。")) from exception
        return None

