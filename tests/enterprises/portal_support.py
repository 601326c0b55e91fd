"""Fixtures for the portal, request and 线下帮办 tests: an enterprise with a portal account in
the hotline test city, plus the hotline fixtures (categories, catalogue, staff, ``drive``) and
the policy-section fixtures. Import the names into a test module to use them."""

import datetime

import pytest

from core import roles
from enterprises.models import Enterprise, Qualification
from enterprises.validators import make_credit_code
from tests.hotline.conftest import _fresh_cache, drive, hl, new_ticket  # noqa: F401
from tests.interpretations.conftest import make_policy, section  # noqa: F401


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
