"""The 企业服务 demo: thousands of valid enterprises across industries, sizes and districts, the
demo account's enterprise, criteria on support policies with finished and running campaigns,
企业诉求 with 线下帮办; running load_demo twice changes nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from wagtail.models import Revision

from core.models import Division
from enterprises.criteria import has_criteria, matching_enterprises
from enterprises.models import (
    Assistance,
    AssistanceVisit,
    Delivery,
    Enterprise,
    OperatingStatus,
    Push,
    Qualification,
)
from enterprises.validators import validate_credit_code
from hotline.models import Channel, Status, Ticket
from interpretations.models import PolicyPage

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "enterprises": list(Enterprise.objects.order_by("credit_code").values_list(
            "credit_code", "name", "industry_code", "size_class", "division__code", "headcount",
            "revenue", "registered_on", "status", "notify_frequency")),
        "holdings": Enterprise.qualifications.through.objects.count(),
        "users": list(Enterprise.users.through.objects.values_list("enterprise_id", "user_id")),
        "pushes": list(Push.objects.order_by("pk").values_list("policy_id", "kind", "status",
                                                               "matched")),
        "deliveries": list(Delivery.objects.values("status").annotate(n=Count("pk"))
                           .order_by("status").values_list("status", "n")),
        "reads": Delivery.objects.filter(read_at__isnull=False).count(),
        "requests": list(Ticket.objects.filter(channel=Channel.ENTERPRISE)
                         .exclude(enterprise_credit_code="").order_by("number")
                         .values_list("number", "status")),
        "assistance": list(Assistance.objects.values_list("ticket__number", "helper__username",
                                                          "follow_up_on", "status")),
        "visits": AssistanceVisit.objects.count(),
        "revisions": Revision.objects.count(),
    }


def test_demo_builds_enterprises_campaigns_and_requests_and_is_idempotent(demo_site, settings):
    settings.DEBUG = True
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first

    # Enterprises: thousands, valid codes, spread over industries, sizes and districts.
    assert Enterprise.objects.count() >= 3000
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert Enterprise.objects.values("size_class").distinct().count() == 4
    assert Enterprise.objects.values("industry_code").distinct().count() >= 20
    districts = {code[:6] for code in Enterprise.objects.values_list("division__code", flat=True)}
    assert len(districts) == Division.objects.filter(level=Division.Level.COUNTY).count() == 9
    assert Enterprise.objects.exclude(status=OperatingStatus.OPERATING).exists()
    for name in ("高新技术企业", "专精特新中小企业", "科技型中小企业", "创新型中小企业", "失信被执行人"):
        assert Qualification.objects.get(name=name).enterprises.exists(), name

    # The demo 企业用户 has a complete profile.
    company = Enterprise.objects.get(users__username="enterprise")
    assert company.contact_phone and company.contact_email and company.headcount
    assert company.qualifications.count() == 2

    # Criteria on three support policies, published through the normal path: pushes exist.
    with_criteria = [p for p in PolicyPage.objects.live() if has_criteria(p)]
    assert len(with_criteria) == 3
    pushes = Push.objects.filter(kind=Push.Kind.INITIAL)
    assert pushes.count() == 3
    assert pushes.filter(status=Push.Status.DONE).count() == 2
    running = pushes.get(status=Push.Status.DISPATCHING)
    assert running.deliveries.filter(status=Delivery.Status.PENDING).exists()
    assert running.deliveries.filter(status=Delivery.Status.SENT).exists()
    for campaign in pushes:
        assert campaign.matched == matching_enterprises(campaign.policy).count() > 0
    finished = pushes.filter(status=Push.Status.DONE).first()
    assert finished.deliveries.filter(read_at__isnull=False).exists()
    # The demo enterprise has unread policy messages waiting in its inbox.
    assert company.deliveries.filter(channel=Delivery.Channel.INBOX, read_at=None).count() >= 2

    # 企业诉求: the demo enterprise's requests in several states, one with 线下帮办 visits.
    own = Ticket.objects.filter(enterprise_credit_code=company.credit_code)
    assert {Status.PENDING_DISPATCH, Status.IN_PROGRESS, Status.PENDING_CALLBACK} <= set(
        own.values_list("status", flat=True))
    helped = Assistance.objects.get(ticket__in=own)
    assert helped.visits.count() == 2 and helped.follow_up_on
    assert own.filter(policy__isnull=False).exists()
