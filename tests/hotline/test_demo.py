"""The demo data: a few thousand tickets over six months in every state, with repeats,
extensions, objections and one 会办; loading twice changes nothing."""


import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from wagtail.models import Page

from hotline.models import (
    DispatchObjection,
    HotlineIndexPage,
    JointHandling,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


def test_demo_tickets(demo_site, settings, client):
    settings.DEBUG = True
    counts = dict(Ticket.objects.values_list("status").annotate(n=Count("pk")))
    assert set(counts) == set(Status.values)
    assert Ticket.objects.count() >= 2000
    oldest = Ticket.objects.order_by("received_at").first().received_at
    assert (timezone.now() - oldest).days >= 150
    assert Ticket.objects.filter(repeat_root__isnull=False).count() > 50
    assert Ticket.objects.filter(status=Status.MERGED).exists()
    assert Ticket.objects.filter(extension_count__gt=0).exists()
    assert DispatchObjection.objects.values("status").distinct().count() >= 2
    joint = JointHandling.objects.get()
    assert joint.minutes.exists() and joint.organisations.count() >= 2
    assert Ticket.objects.filter(alert="overdue").exists()
    page = Page.objects.get(slug="hotline").specific
    assert isinstance(page, HotlineIndexPage)
    html = client.get("/hotline/").content.decode()
    assert "/hotline/submit/" in html and "/hotline/track/" in html and "/hotline/figures/" in html
    home = client.get("/").content.decode()
    assert 'href="/hotline/"' in home  # the home page's entry points at the new section page
    figures = client.get("/hotline/figures/").content.decode()
    assert "<svg" in figures
    assert "市住建局" in figures or "临江市住房和城乡建设局" in figures
    before = (Ticket.objects.count(), TicketEvent.objects.count(),
              DispatchObjection.objects.count(), page.latest_revision_id)
    call_command("load_demo", verbosity=0)
    page = Page.objects.get(slug="hotline").specific
    assert (Ticket.objects.count(), TicketEvent.objects.count(),
            DispatchObjection.objects.count(), page.latest_revision_id) == before
