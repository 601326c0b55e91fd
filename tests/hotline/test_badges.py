"""Deadlines that are seen: 临期 (yellow) and 超期 (red) are badges with text, from one template,
in every ticket list — the workbench lists of dispatchers and handlers, the ticket page, the
resident's tracking page and the enterprise's own requests."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from hotline import calendar
from hotline.models import Alert, Status, Ticket
from hotline.tasks import mark_deadlines
from tests.forms import form_data

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 6, 10, 10))  # a Wednesday; 2026 is a known year


@pytest.fixture(autouse=True)
def _june():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


@pytest.fixture
def due(hl, new_ticket, drive):
    """Three tickets in 办理中 of the 人社局: one 临期, one 超期, one with time to spare."""
    tickets = {name: drive(new_ticket(caller_phone=f"1390000100{i}"), Status.IN_PROGRESS)
               for i, name in enumerate(("soon", "late", "fine"))}
    now = timezone.now()
    Ticket.objects.filter(pk=tickets["soon"].pk).update(
        handle_deadline=calendar.add_working_hours(now, 3))
    Ticket.objects.filter(pk=tickets["late"].pk).update(handle_deadline=now - timedelta(hours=2))
    Ticket.objects.filter(pk=tickets["fine"].pk).update(handle_deadline=now + timedelta(days=40))
    mark_deadlines(notify=False)
    return {name: Ticket.objects.get(pk=t.pk) for name, t in tickets.items()}


def badges(html, scope=None):
    """(kind, text) of each deadline badge in ``scope`` (a selector; the whole of ``html``)."""
    soup = BeautifulSoup(html, "html.parser")
    soup = soup.select_one(scope) if scope else soup
    return [(b["data-deadline-badge"], b.get_text(strip=True))
            for b in soup.select("[data-deadline-badge]")]


def row_of(html, number):
    for row in BeautifulSoup(html, "html.parser").select("table.listing tbody tr"):
        if number in row.get_text():
            return str(row)
    raise AssertionError(f"{number} not listed")


def test_one_template_draws_every_badge():
    html = Template("{% load hotline_deadlines %}{% alert_badge 'due_soon' %}|"
                    "{% alert_badge 'overdue' %}|{% alert_badge '' %}").render(Context())
    soon, late, none = html.split("|")
    assert badges(soon) == [("due_soon", "临期")] and badges(late) == [("overdue", "超期")]
    assert none == ""
    # Colour and text: yellow with dark text, red with white text (contrast ≥ 4.5:1).
    assert "background:#fff4ce;color:#5c3d00" in soon
    assert "background:#b3261e;color:#fff" in late


def test_dispatcher_and_handler_lists_show_the_badges(client, hl, due):
    url = reverse("hotline_tickets:index")
    for user in (hl["users"]["dispatcher"], hl["users"]["handler"]):
        client.force_login(user)
        everything = client.get(url).content.decode()
        assert badges(row_of(everything, due["soon"].number)) == [("due_soon", "临期")]
        assert badges(row_of(everything, due["late"].number)) == [("overdue", "超期")]
        assert badges(row_of(everything, due["fine"].number)) == []
        # The 临期 and 超期 queues (the dispatcher's and handler's menus) show them too.
        queue = client.get(url, {"queue": "overdue"}).content.decode()
        assert badges(queue, "table.listing tbody") == [("overdue", "超期")]
        queue = client.get(url, {"queue": "due_soon"}).content.decode()
        assert badges(queue, "table.listing tbody") == [("due_soon", "临期")]


def test_ticket_page_and_tracking_page_show_the_badge(client, hl, due):
    client.force_login(hl["users"]["handler"])
    page = client.get(reverse("hotline_ticket_detail", args=[due["late"].pk])).content.decode()
    assert badges(page, "#t-facts") == [("overdue", "超期")]
    client.logout()
    tracking = client.get(reverse("hotline:track")).content.decode()
    _form, data = form_data(tracking)
    data.update({"number": due["late"].number, "phone": due["late"].caller_phone})
    result = client.post(reverse("hotline:track"), data).content.decode()
    assert badges(result, ".ticket-progress") == [("overdue", "超期")]
    data.update({"number": due["fine"].number, "phone": due["fine"].caller_phone})
    result = client.post(reverse("hotline:track"), data).content.decode()
    assert badges(result, ".ticket-progress") == []


def test_badges_follow_the_alert_not_the_colour_alone(client, hl, due):
    """The text says the state: a screen reader or a colour-blind reader gets 临期/超期."""
    client.force_login(hl["users"]["dispatcher"])
    html = client.get(reverse("hotline_tickets:index")).content.decode()
    soup = BeautifulSoup(row_of(html, due["late"].number), "html.parser")
    assert soup.select_one("[data-deadline-badge]").get_text(strip=True) == "超期"
    assert Ticket.objects.get(pk=due["soon"].pk).alert == Alert.DUE_SOON
