"""Fixtures of the enterprise tests: an enterprise with a portal account in the test city,
enterprises with different notification preferences, a policy for 制造业 enterprises and the
recording message backend. Builders without fixtures are in ``support.py``."""

import pytest

from core import roles
from core.messaging import RecordingBackend
from enterprises.models import Frequency, Qualification
from tests.enterprises.support import RECORDING, build_enterprise

# The hotline and policy-section fixtures, for requests and policies in these tests.
from tests.hotline.conftest import _fresh_cache, drive, hl, new_ticket  # noqa: F401
from tests.interpretations.conftest import make_policy, section  # noqa: F401


@pytest.fixture
def enterprise(city):
    company = build_enterprise(city["divisions"]["street"], 1)
    company.qualifications.add(Qualification.objects.get_or_create(name="高新技术企业")[0])
    return company


@pytest.fixture
def other_enterprise(city):
    return build_enterprise(city["divisions"]["district"], 2, name="临江另一家制造有限公司")


@pytest.fixture
def portal_user(make_user, enterprise):
    user = make_user(roles.ENTERPRISE, username="company", last_name="王", first_name="敏")
    enterprise.users.add(user)
    return user


@pytest.fixture
def portal(client, portal_user):
    client.force_login(portal_user)
    return client


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
def make_push_policy(make_policy):  # noqa: F811 (the fixture above)
    """make_push_policy(publish=True, **fields) → a policy for 制造业（C39） enterprises."""

    def factory(publish=True, **fields):
        fields.setdefault("audience_industries", ["C39"])
        return make_policy(publish=publish, **fields)

    return factory
