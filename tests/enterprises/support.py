"""Builders shared by the enterprise tests: profiles, criteria policies, and running a push
to the end in this process. The fixtures built on them are in ``conftest.py``."""

import datetime
import itertools
import os
import time

from core.messaging import RecordingBackend
from enterprises import push as pipeline
from enterprises.models import Delivery, Enterprise, Push, Qualification
from enterprises.validators import make_credit_code
from interpretations.models import PolicyPage

# --- profiles and criteria ----------------------------------------------------------------------

_serial = itertools.count(1)

QUALIFICATIONS = ["高新技术企业", "专精特新中小企业", "科技型中小企业", "失信被执行人"]


def qualifications():
    return {name: Qualification.objects.get_or_create(name=name)[0] for name in QUALIFICATIONS}


def make_enterprise(division, *, quals=(), **fields):
    n = next(_serial)
    values = {
        "credit_code": make_credit_code(body=f"{n:08d}"),
        "name": f"测试企业{n}有限公司",
        "industry_code": "C3911",
        "size_class": "small",
        "division": division,
        "headcount": 50,
        "revenue": 1000,
        "registered_on": datetime.date(2015, 6, 1),
    }
    values.update(fields)
    enterprise = Enterprise.objects.create(**values)
    if quals:
        enterprise.qualifications.set(quals)
    return enterprise


def criteria_policy(*, divisions=(), qualifications=(), exclude_divisions=(),
                    exclude_qualifications=(), **fields):
    """An unsaved policy carrying criteria (enough for matching and explanations)."""
    policy = PolicyPage(title="测试政策", **fields)
    policy.audience_divisions = list(divisions)
    policy.audience_qualifications = list(qualifications)
    policy.audience_exclude_divisions = list(exclude_divisions)
    policy.audience_exclude_qualifications = list(exclude_qualifications)
    return policy


def build_enterprise(division, n, **fields):
    values = {
        "credit_code": make_credit_code(division=division.code[:6], body=f"PT{n:06d}"),
        "name": f"临江测试{n}科技有限公司", "industry_code": "C3911", "size_class": "small",
        "division": division, "headcount": 80, "revenue": 3000,
        "registered_on": datetime.date(2016, 5, 20), "contact_name": "王敏",
        "contact_phone": "13912345678", "contact_email": "hr@example.com",
    }
    values.update(fields)
    return Enterprise.objects.create(**values)


# --- push ---------------------------------------------------------------------------------------

RECORDING = "core.messaging.RecordingBackend"


def complete(push_or_id):
    """Run a push to the end in this process: match, record, dispatch every batch."""
    pk = getattr(push_or_id, "pk", push_or_id)
    pipeline.run(pk)
    pipeline.queue_dispatch(pk)
    return Push.objects.get(pk=pk)


def rows(push, **filters):
    return Delivery.objects.filter(push=push, **filters)


def publish_revision(sign_off, page, **changes):
    """Save a new revision of ``page`` with ``changes`` (a minor change unless they say
    otherwise) and take it through its sign-off (the ``sign_off`` fixture), whose last approval
    publishes it. Returns the revision."""
    draft = page.get_latest_revision_as_object()
    changes = {"change_kind": PolicyPage.ChangeKind.MINOR, "change_note": "", **changes}
    for name, value in changes.items():
        setattr(draft, name, value)
    revision = draft.save_revision()
    sign_off(page)
    return revision


class SlowRecordingBackend(RecordingBackend):
    """The recording backend, one message at a time and slowly, so that a worker can be killed
    in the middle of a batch (some messages delivered, none of them marked sent yet). With
    ``STALL_AFTER_DELIVERIES`` in the environment it stops for good once that many messages
    were delivered: the worker then hangs in the middle of a batch, ready to be killed."""

    def send_batch(self, items):
        stall_after = int(os.environ.get("STALL_AFTER_DELIVERIES") or 0)
        for item in items:
            while stall_after and self.count() >= stall_after:
                time.sleep(1)
            super().send_batch([item])
            time.sleep(0.005)
        return {}


# --- 免申即享 payouts -----------------------------------------------------------------------------

PAYOUT_HEADER = ("统一社会信用代码", "兑现金额", "兑现日期", "凭证号")


def went_live(policy, when):
    """Move the policy's first go-live (``first_published_at``) to ``when``."""
    from wagtail.models import Page

    Page.objects.filter(pk=policy.pk).update(first_published_at=when)
    policy.first_published_at = when
    return policy


def payout_upload(rows, header=PAYOUT_HEADER, bom=False, name="兑现记录.csv"):
    """A CSV upload of ``rows`` under ``header``, UTF-8 with or without BOM."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
