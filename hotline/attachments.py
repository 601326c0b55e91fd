"""Ticket attachments: who may download one, how it is served, and moving old files.

Attachments carry personal data. They are stored in the private storage (``core.storage``,
outside MEDIA_ROOT, no public URL) and reached only through ``download``
(``hotline:attachment``), in development and production alike:

- ``visible_attachment`` is the one rule: staff with the workbench permission see the
  attachments of the tickets they see (``services.visible_tickets``: the handling
  department and those assisting, dispatchers and supervisors city-wide); an enterprise user sees
  those of its own requests (``enterprises.services.requests_for``). Anyone else gets a 404 —
  the attachment is not said to exist; an anonymous visitor is sent to log in first.
- ``attachment_response`` streams the file (``FileResponse``), or, when
  ``settings.PRIVATE_FILES_ACCEL_PREFIX`` is set, answers empty with ``X-Accel-Redirect`` so
  nginx sends the file from an ``internal`` location mapped to PRIVATE_MEDIA_ROOT. Either way it
  is a download (``Content-Disposition: attachment`` with the original name), never sniffed and
  never cached.
- ``move_to_private`` moves files uploaded before the private storage existed from MEDIA_ROOT
  (migration 0006 runs it; ``manage.py move_private_attachments`` runs it again).
"""

import mimetypes
import os
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

VIEW_PERMISSION = "hotline.view_ticket"


def visible_attachment(user, pk):
    """The attachment ``pk`` if ``user`` may download it, else None."""
    from hotline import services
    from hotline.models import TicketAttachment

    if not user.is_authenticated:
        return None
    attachments = TicketAttachment.objects.select_related("ticket")
    if user.has_perm(VIEW_PERMISSION):
        found = attachments.filter(
            pk=pk, ticket__in=services.visible_tickets(user).values("pk")).first()
        if found is not None:
            return found
    from enterprises.access import enterprise_for
    from enterprises.services import requests_for

    enterprise = enterprise_for(user)
    if enterprise is not None:
        return attachments.filter(pk=pk, ticket__in=requests_for(enterprise).values("pk")).first()
    return None


def content_type_of(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def attachment_response(attachment):
    """The download of ``attachment``: X-Accel-Redirect behind nginx, else the file itself."""
    stored = attachment.file.name
    shown = attachment.name or PurePosixPath(stored).name
    content_type = content_type_of(stored)
    prefix = settings.PRIVATE_FILES_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored)
    else:
        try:
            handle = attachment.file.storage.open(stored, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, shown)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def download(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = visible_attachment(request.user, pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


def move_to_private(attachments=None, *, public_root=None, private_root=None):
    """Move attachment files still under MEDIA_ROOT into the private storage, keeping their
    names. Safe to run again: a file already moved, or missing, is left alone. Returns
    ``(moved, missing)`` counts."""
    if attachments is None:
        from hotline.models import TicketAttachment

        attachments = TicketAttachment.objects.all()
    public_root = Path(public_root or settings.MEDIA_ROOT)
    private_root = Path(private_root or settings.PRIVATE_MEDIA_ROOT)
    moved = missing = 0
    for name in attachments.exclude(file="").values_list("file", flat=True).iterator():
        source, target = _inside(public_root, name), _inside(private_root, name)
        if source is None or target is None or target.exists():
            continue
        if not source.is_file():
            missing += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        os.chmod(target, settings.FILE_UPLOAD_PERMISSIONS or 0o640)
        moved += 1
    return moved, missing


def _inside(root, name):
    """``root / name`` if it stays inside ``root`` (a stored name is never trusted)."""
    path = (root / name).resolve()
    return path if path.is_relative_to(root.resolve()) else None
