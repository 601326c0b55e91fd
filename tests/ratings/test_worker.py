"""With a real Celery worker on Redis: the periodic job finds finished tickets and the rating
SMS is delivered by the worker."""

import pytest

from core.models import Message
from ratings.models import RatingInvitation
from ratings.tasks import invite_finished_tickets
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_invitations_are_sent_by_a_real_worker(rt, finished_ticket, celery_worker):
    ticket = finished_ticket(phone="13900007777")
    invite_finished_tickets.delay()
    assert wait_for(lambda: RatingInvitation.objects.filter(ticket=ticket).exists())
    assert wait_for(lambda: Message.objects.filter(
        recipient="13900007777", kind="ratings.service", status="sent").exists())
    assert invite_finished_tickets() == 0  # a second run sends nothing more
    assert Message.objects.filter(kind="ratings.service").count() == 1
    assert RatingInvitation.objects.filter(ticket=ticket).count() == 1
