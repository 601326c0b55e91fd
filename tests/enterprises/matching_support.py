"""Builders shared by the matching tests (criteria, calculator, admin)."""

import datetime
import itertools

from enterprises.models import Enterprise, Qualification
from enterprises.validators import make_credit_code
from interpretations.models import PolicyPage

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
