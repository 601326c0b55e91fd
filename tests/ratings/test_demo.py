"""The demo: ratings for the demo tickets and a few thousand window services, cases in every
stage, one upheld appeal, working SMS links; loading twice changes nothing."""

import re

import pytest
from django.core.management import call_command

from core.models import Message
from ratings import metrics
from ratings.models import Appeal, BadRatingCase, Rating, RatingInvitation, ServiceEvent

pytestmark = pytest.mark.django_db


def test_demo_ratings(demo_site, client, settings):
    settings.DEBUG = True
    counts = (ServiceEvent.objects.count(), Rating.objects.count(),
              BadRatingCase.objects.count(), RatingInvitation.objects.count(),
              Message.objects.count())
    assert counts[0] >= 3000
    assert Rating.objects.filter(ticket__isnull=False).count() > 500
    assert Rating.objects.filter(is_default=True).exists()
    assert Rating.objects.filter(status="flagged").exists()
    stages = set(BadRatingCase.objects.values_list("stage", flat=True))
    assert {"callback", "rectifying", "feedback", "closed", "withdrawn"} <= stages
    assert BadRatingCase.objects.filter(overdue=True).exists()
    appeal = Appeal.objects.get()
    assert appeal.status == "upheld" and appeal.case.rating.status == "excluded"
    assert RatingInvitation.objects.filter(ticket__isnull=False, used_at__isnull=True).exists()
    figures = metrics.summary()
    assert 80 < figures["good"] < 100 and figures["unrated"] > 0
    assert client.get("/ratings/").status_code == 200
    # The public figures show this month's ranking with real rates, not blanks.
    page = client.get("/ratings/figures/").content.decode()
    rates = [float(r) for r in re.findall(r"<td>(\d+(?:\.\d+)?)%</td>", page)]
    assert rates and all(0 <= r <= 100 for r in rates) and any(r > 50 for r in rates)
    call_command("load_demo", verbosity=0)
    assert counts == (ServiceEvent.objects.count(), Rating.objects.count(),
                      BadRatingCase.objects.count(), RatingInvitation.objects.count(),
                      Message.objects.count())
