"""Fixtures for the push, inbox and campaign tests: a published policy for 制造业 enterprises in
the test city, enterprises with different notification preferences, and the recording backend.
Import the names into a test module to use them."""
# Fixtures imported from the support modules are named again as test parameters.
# ruff: noqa: F811

import pytest

from core.messaging import RecordingBackend
from enterprises import push as pipeline
from enterprises.models import Delivery, Frequency, Push
from tests.enterprises.portal_support import (  # noqa: F401
    build_enterprise,
    enterprise,
    other_enterprise,
    portal,
    portal_user,
)
from tests.interpretations.conftest import make_policy, section  # noqa: F401

RECORDING = "core.messaging.RecordingBackend"


@pytest.fixture
def recording(settings):
    """SMS and email go to the recording backend (in memory, or Redis with REDIS_URL)."""
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS, "sms": RECORDING,
                                 "email": RECORDING}
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()


@pytest.fixture
def companies(city):
    """Enterprises in 江城区 with their preferences; ``outsider`` is in another industry."""
    street = city["divisions"]["street"]
    make = build_enterprise
    return {
        "immediate": make(street, 11, notify_email=True),  # inbox + SMS + email
        "digest": make(street, 12, notify_frequency=Frequency.DIGEST, notify_email=True),
        "silent": make(street, 13, notify_frequency=Frequency.NONE),
        "sms_off": make(street, 14, notify_sms=False),  # inbox only
        "no_phone": make(street, 15, contact_phone=""),  # inbox only (SMS needs a phone)
        "outsider": make(street, 16, industry_code="F5111"),
    }


@pytest.fixture
def make_push_policy(make_policy):
    """make_push_policy(publish=True, **fields) → a policy for 制造业（C39） enterprises."""

    def factory(publish=True, **fields):
        fields.setdefault("audience_industries", ["C39"])
        return make_policy(publish=publish, **fields)

    return factory


def complete(push_or_id):
    """Run a push to the end in this process: match, record, dispatch every batch."""
    pk = getattr(push_or_id, "pk", push_or_id)
    pipeline.run(pk)
    pipeline.queue_dispatch(pk)
    return Push.objects.get(pk=pk)


def rows(push, **filters):
    return Delivery.objects.filter(push=push, **filters)


def publish_revision(page, **changes):
    """Save a new revision of ``page`` with ``changes`` and publish it."""
    draft = page.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    revision = draft.save_revision()
    revision.publish()
    return revision


class SlowRecordingBackend(RecordingBackend):
    """The recording backend, one message at a time and slowly, so that a worker can be killed
    in the middle of a batch (some messages delivered, none of them marked sent yet)."""

    def send_batch(self, items):
        import time

        for item in items:
            super().send_batch([item])
            time.sleep(0.005)
        return {}
