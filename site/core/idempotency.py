"""A form submitted twice makes one record: the one mechanism for every form that creates
something (a 12345 request, a staff intake, an enterprise request, policy feedback).

The form carries a random token in a hidden field (``IdempotentFormMixin``, new for every form
shown; kept when the form comes back with errors, so the corrected submission still counts as
the same one). ``submit_once(scope, token, create)`` claims the token and runs ``create`` in one
transaction: the first submission creates and records what it made (``reference``, e.g. the
ticket number); a second one with the same token — a double click, a retried request whose
answer got lost — creates nothing and gets the first one's reference, so the view shows the
same result page. Two submissions racing each other are decided by the unique constraint on
``SubmissionToken``: the second waits for the first to commit, then finds its row. A
submission that fails (bad input) rolls its claim back with everything else.

What is stored is not the token itself but a digest of the token *and the submitted data*
(``submission_key``): a repeat sends the same bytes, so it matches; someone who goes back to the
form page (the browser may show it with the same token) and files something different makes a
new record, as they meant to.

A form without a valid token (an old page, a client that strips it) is simply not
de-duplicated. Pages kept in the anonymous page cache are the same for every reader, so their
forms get their token in the browser instead (``data-submission-token``, site.js).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django import forms
from django.db import IntegrityError, transaction

from core.models import SubmissionToken

FIELD = "submission_token"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token():
    return secrets.token_urlsafe(24)


def clean_token(value):
    """The token if it looks like one we hand out, else ""."""
    value = (value or "").strip()
    return value if TOKEN_RE.fullmatch(value) else ""


IGNORED = {FIELD, "csrfmiddlewaretoken"}


def submission_key(token, data=None, files=None):
    """The key a submission is recorded under: a digest of its token and of what was submitted
    (fields in order of name, uploads by name and size); "" without a valid token."""
    token = clean_token(token)
    if not token:
        return ""
    digest = hashlib.sha256(token.encode())
    for name in sorted(set(data or ()) - IGNORED):
        for value in data.getlist(name) if hasattr(data, "getlist") else [data[name]]:
            digest.update(f"\x1f{name}\x1e{value}".encode())
    for name in sorted(files or ()):
        for upload in files.getlist(name) if hasattr(files, "getlist") else [files[name]]:
            digest.update(f"\x1f{name}\x1d{upload.name}\x1e{upload.size}".encode())
    return digest.hexdigest()


class IdempotentFormMixin(forms.Form):
    """Adds the hidden token field; an unbound form gets a fresh token."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[FIELD] = new_token()

    def clean_submission_token(self):
        return clean_token(self.cleaned_data.get(FIELD))

    @property
    def submission_key(self):
        """This submission's key (``submission_key``), before or after validation; "" for an
        unbound form or one without a valid token."""
        if not self.is_bound:
            return ""
        return submission_key(self.data.get(FIELD), self.data, self.files)


@dataclass
class Submission:
    result: object  # what ``create`` returned; None for a repeat
    reference: str  # what the first submission recorded
    repeated: bool


def earlier(scope, key):
    """The reference of an earlier submission under ``key`` (``submission_key``), or None."""
    if not key:
        return None
    return SubmissionToken.objects.filter(scope=scope, token=key).values_list(
        "reference", flat=True).first()


def submit_once(scope, key, create, reference=str):
    """Run ``create()`` once per ``(scope, key)`` (``key`` from ``submission_key``; "" = no
    de-duplication); see the module docstring. ``reference`` turns its result into what a
    repeat needs to show the same page (kept as text)."""
    if not key:
        result = create()
        return Submission(result, str(reference(result)), False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmissionToken.objects.create(scope=scope, token=key)
        except IntegrityError:
            claim = None
        if claim is not None:
            result = create()
            claim.reference = str(reference(result))[:100]
            claim.save(update_fields=["reference"])
            return Submission(result, claim.reference, False)
    return Submission(None, earlier(scope, key) or "", True)
