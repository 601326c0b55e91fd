"""An enterprise sees and rates only the requests it filed itself through its portal. A ticket
staff recorded with its credit code (涉及企业: e.g. a worker's complaint about the enterprise)
is not its own: not listed, not on the dashboard, not opened, its attachment not served, and it
cannot be rated there (which would use up the worker's one rating)."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from enterprises import services
from hotline.models import Channel, Status, Ticket, TicketAttachment
from ratings.models import Rating, RatingInvitation
from ratings.services import RatingError

pytestmark = pytest.mark.django_db


def detail_url(ticket):
    return f"/enterprise/requests/{ticket.number}/"


@pytest.fixture
def complaint_about(new_ticket, enterprise, drive):
    """A worker phones 12345 about unpaid wages at the enterprise; the call-taker records the
    enterprise's credit code and name. Finished, waiting for the worker's rating."""
    ticket = new_ticket(caller_name="赵工", caller_phone="13900000077",
                        content="在该企业打工三个月工资被拖欠，请帮忙追讨（投诉企业）。",
                        enterprise_credit_code=enterprise.credit_code,
                        enterprise_name=enterprise.name, division=enterprise.division)
    TicketAttachment.objects.create(ticket=ticket, name="工资条.pdf",
                                    file=ContentFile(b"%PDF-1.4\n%wage slip\n", name="wage.pdf"))
    return drive(ticket, Status.PENDING_CALLBACK)


@pytest.fixture
def own_request(enterprise, hl, drive):
    ticket = services.file_request(
        enterprise, subject="稳岗返还资金未到账", category=hl["cats"]["wages"],
        content="我公司去年申请的稳岗返还资金至今未到账，请帮助查询办理进度。",
        contact_name="王敏", contact_phone="13912345678")
    return drive(ticket, Status.PENDING_CALLBACK)


def test_a_ticket_about_the_enterprise_is_not_in_its_portal(portal, complaint_about,
                                                            own_request):
    # Both carry the enterprise's credit code; only one was filed by it.
    assert own_request.enterprise_credit_code == complaint_about.enterprise_credit_code
    listing = portal.get("/enterprise/requests/").content.decode()
    assert own_request.number in listing
    assert complaint_about.number not in listing
    dashboard = portal.get("/enterprise/").content.decode()
    assert complaint_about.number not in dashboard
    response = portal.get(detail_url(complaint_about))
    assert response.status_code == 404
    assert "工资被拖欠" not in response.content.decode()
    attachment = complaint_about.attachments.get()
    assert portal.get(f"/hotline/attachments/{attachment.pk}/").status_code == 404
    assert portal.get(detail_url(own_request)).status_code == 200


def test_the_enterprise_cannot_rate_a_ticket_about_it(portal, portal_user, complaint_about):
    response = portal.post(detail_url(complaint_about), {"level": 1, "reason": "slow"})
    assert response.status_code == 404
    assert not Rating.objects.exists()
    assert not RatingInvitation.objects.filter(used_at__isnull=False).exists()
    # The rating rule itself refuses it too, whoever calls it.
    with pytest.raises(RatingError):
        services.rate_request(complaint_about, portal_user, level=1, reason="slow")
    assert not Rating.objects.exists()


def test_the_enterprise_rates_its_own_request(portal, own_request):
    response = portal.post(detail_url(own_request), {"level": 5}, follow=True)
    assert "感谢您的评价" in response.content.decode()
    assert Rating.objects.get().ticket == own_request


def test_a_staff_recorded_zhengqitong_ticket_gives_no_access(portal, new_ticket, enterprise):
    # Even on the 政企通 channel: recorded by a call-taker, it is about the enterprise only.
    recorded = new_ticket(channel=Channel.ENTERPRISE, enterprise_credit_code=enterprise.credit_code,
                          enterprise_name=enterprise.name, division=enterprise.division)
    assert recorded.filed_by_enterprise is None
    assert recorded.number not in portal.get("/enterprise/requests/").content.decode()
    assert portal.get(detail_url(recorded)).status_code == 404


def test_backfill_keeps_portal_requests_and_not_staff_recorded_ones(enterprise, hl, new_ticket):
    migration = importlib.import_module("hotline.migrations.0007_ticket_filed_by_enterprise")
    filed = services.file_request(
        enterprise, subject="", category=hl["cats"]["wages"], contact_name="王敏",
        contact_phone="13912345678", content="门户提交的诉求：请帮助查询稳岗返还进度。")
    recorded = new_ticket(channel=Channel.ENTERPRISE, enterprise_credit_code=enterprise.credit_code)
    phoned = new_ticket(enterprise_credit_code=enterprise.credit_code)
    Ticket.objects.update(filed_by_enterprise=None)  # as before the field existed
    migration.backfill_portal_requests(apps, None)
    assert Ticket.objects.get(pk=filed.pk).filed_by_enterprise == enterprise
    assert Ticket.objects.get(pk=recorded.pk).filed_by_enterprise is None
    assert Ticket.objects.get(pk=phoned.pk).filed_by_enterprise is None
