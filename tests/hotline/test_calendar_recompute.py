"""Entering the calendar recomputes open deadlines: a day added, changed or deleted in the
admin's 节假日与调休 list moves every open ticket deadline it touches (counted from the start of
its clock, so a correction of a day already past counts too), writes old → new in the ticket's
timeline and re-marks 临期/超期. Deadlines a supervisor set as a date, and deadlines already met
(a ticket answered), stay."""

from datetime import date, datetime
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from core import roles
from hotline.models import Alert, CalendarDay, Status, Ticket
from hotline.tasks import mark_deadlines
from hotline.workflows import perform
from tests.forms import form_data

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, minute=0):
    return timezone.make_aware(datetime(y, m, d, h, minute))


def frozen(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def tickets(hl, new_ticket, drive):
    """Four 欠薪 tickets (3 working days to handle) dispatched on Monday 7 December 2026."""
    u = hl["users"]
    with frozen(at(2026, 12, 7)):
        plain = drive(new_ticket(), Status.IN_PROGRESS)
        extended = drive(new_ticket(), Status.IN_PROGRESS)
        supervised = drive(new_ticket(), Status.IN_PROGRESS)
        replied = drive(new_ticket(), Status.REPLIED)
    with frozen(at(2026, 12, 8)):
        perform(extended, "request_extension", u["handler"], days=2, reason="需现场核实")
        extended = perform(extended, "review_extension", u["dispatcher"], approve=True)
        supervised = perform(supervised, "supervise", u["supervisor"], note="加快办理",
                             deadline=date(2026, 12, 14))
    return {"plain": plain, "extended": extended, "supervised": supervised, "replied": replied}


@pytest.fixture
def admin(hl, make_user):
    user = make_user(roles.DISPATCHER, hl["orgs"]["hotline"], username="calendar_admin")
    user.is_superuser = True
    user.save()
    return user


def deadlines(tickets):
    return {name: Ticket.objects.get(pk=t.pk).handle_deadline for name, t in tickets.items()}


def timeline(ticket):
    return [e.note for e in ticket.events.filter(action="recompute_deadline")]


def test_adding_and_deleting_a_day_in_the_admin_moves_open_deadlines(client, hl, tickets, admin):
    # Mon 7 Dec + 3 working days → Thursday 10 December; the extension adds Fri 11, Mon 14.
    assert deadlines(tickets) == {"plain": at(2026, 12, 10, 18), "extended": at(2026, 12, 14, 18),
                                  "supervised": at(2026, 12, 14, 18),
                                  "replied": at(2026, 12, 10, 18)}
    now = at(2026, 12, 10, 10)
    with frozen(now):
        mark_deadlines(now=now, notify=False)
    assert Ticket.objects.get(pk=tickets["plain"].pk).alert == Alert.DUE_SOON

    # On Thursday the administrator records that Wednesday 9 December was a day off.
    with frozen(now):
        client.force_login(admin)
        page = client.get(reverse("hotline_calendar:add")).content.decode()
        _form, data = form_data(page)
        data.update({"date": "2026-12-09", "note": "临时停工"})
        data.pop("is_workday", None)  # not ticked: 放假
        done = client.post(reverse("hotline_calendar:add"), data, follow=True)
    assert done.status_code == 200
    assert "2 件在办工单的期限已按新的节假日安排重算" in done.content.decode()
    moved = deadlines(tickets)
    assert moved == {"plain": at(2026, 12, 11, 18), "extended": at(2026, 12, 15, 18),
                     "supervised": at(2026, 12, 14, 18),  # set as a date by the supervisor
                     "replied": at(2026, 12, 10, 18)}  # answered: the deadline was met
    plain = Ticket.objects.get(pk=tickets["plain"].pk)
    assert timeline(plain) == [
        "节假日安排调整（12月9日放假）：办理期限 2026-12-10 18:00 → 2026-12-11 18:00。"]
    event = plain.events.get(action="recompute_deadline")
    assert event.actor == admin and event.public
    assert plain.alert == Alert.NONE  # no longer due within a working day
    assert timeline(Ticket.objects.get(pk=tickets["supervised"].pk)) == []
    assert timeline(Ticket.objects.get(pk=tickets["replied"].pk)) == []

    # The ticket page shows the new deadline and the line in the timeline.
    with frozen(now):
        detail = client.get(reverse("hotline_ticket_detail", args=[plain.pk])).content.decode()
    soup = BeautifulSoup(detail, "html.parser")
    assert "2026-12-10 18:00 → 2026-12-11 18:00" in soup.select_one(".hl-timeline").get_text()
    assert "2026-12-11 18:00" in soup.select_one("table.hl-table").get_text()

    # Changing only the note moves nothing.
    day = CalendarDay.objects.get(date=date(2026, 12, 9))
    with frozen(now):
        page = client.get(reverse("hotline_calendar:edit", args=[day.pk])).content.decode()
        _form, data = form_data(page)
        data["note"] = "临时停工（全市）"
        client.post(reverse("hotline_calendar:edit", args=[day.pk]), data)
    assert deadlines(tickets) == moved and len(timeline(plain)) == 1

    # Deleting the day gives the working day back.
    with frozen(now):
        page = client.get(reverse("hotline_calendar:delete", args=[day.pk])).content.decode()
        _form, data = form_data(page)
        client.post(reverse("hotline_calendar:delete", args=[day.pk]), data)
    assert not CalendarDay.objects.exists()
    assert deadlines(tickets)["plain"] == at(2026, 12, 10, 18)
    assert timeline(plain)[-1] == (
        "节假日安排调整（12月9日上班）：办理期限 2026-12-11 18:00 → 2026-12-10 18:00。")


def test_a_change_outside_the_admin_recomputes_too(hl, tickets):
    with frozen(at(2026, 12, 8, 12)):
        CalendarDay.objects.create(date=date(2026, 12, 10), is_workday=False, note="停工")
    plain = Ticket.objects.get(pk=tickets["plain"].pk)
    assert plain.handle_deadline == at(2026, 12, 11, 18)
    event = plain.events.get(action="recompute_deadline")
    assert event.actor is None and event.actor_name == "系统"


def test_a_sign_deadline_in_working_hours_moves_by_the_hours_it_lost(hl, new_ticket, drive):
    with frozen(at(2026, 12, 8, 16)):
        ticket = drive(new_ticket(), Status.PENDING_SIGN)  # 2 working hours: 16:00–18:00
    assert ticket.sign_deadline == at(2026, 12, 8, 18)
    with frozen(at(2026, 12, 8, 16, 30)):
        CalendarDay.objects.create(date=date(2026, 12, 8), is_workday=False, note="停工")
    ticket.refresh_from_db()
    # Tuesday became a day off: the two hours are counted from Wednesday 09:00.
    assert ticket.sign_deadline == at(2026, 12, 9, 11)
    assert "签收期限 2026-12-08 18:00 → 2026-12-09 11:00" in ticket.events.get(
        action="recompute_deadline").note
