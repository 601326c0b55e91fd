"""The calendar never silently runs out: chinese-calendar knows holidays only to the end of 2026.
A ticket dispatched on Sunday 20 December 2026 has its 15-working-day deadline in January 2027:
it is shown as 待核定 until 2027 is entered, staff home pages ask for 2027 from 1 November, and
entering 2027's 元旦 recomputes the deadline and notes old → new in the timeline."""

from datetime import date, datetime
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from core import roles
from hotline import calendar
from hotline.models import CalendarDay, Status, TicketEvent
from hotline.workflows import perform
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, minute=0):
    return timezone.make_aware(datetime(y, m, d, h, minute))


def frozen(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def text_of(html, selector):
    node = BeautifulSoup(html, "html.parser").select_one(selector)
    assert node is not None, f"no {selector} on the page"
    return node.get_text(" ", strip=True)


def ticket_row(html, number):
    """The text of the admin list's row for ticket ``number``."""
    for row in BeautifulSoup(html, "html.parser").select("table.listing tbody tr"):
        if number in row.get_text():
            return row.get_text(" ", strip=True)
    raise AssertionError(f"{number} not in the list")


@pytest.fixture
def housing_ticket(hl, new_ticket):
    """A 物业管理 ticket (15 working days to handle) dispatched on Sunday 20 December 2026."""
    with frozen(at(2026, 12, 20)):
        ticket = new_ticket(category=hl["cats"]["property"], caller_phone="13900001234")
        return perform(ticket, "dispatch", hl["users"]["dispatcher"], lead=hl["orgs"]["housing"])


def test_the_package_ends_with_2026():
    assert calendar.package_knows(2026) and not calendar.package_knows(2027)
    assert calendar.year_entered(2026) and not calendar.year_entered(2027)
    assert calendar.is_provisional(at(2027, 1, 8)) and not calendar.is_provisional(at(2026, 12, 31))


def test_banner_from_the_first_of_november_until_next_year_is_entered(client, hl, settings):
    dispatcher = hl["users"]["dispatcher"]
    with frozen(at(2026, 10, 31)):
        client.force_login(dispatcher)
        assert "2027 年节假日安排尚未录入" not in client.get("/admin/").content.decode()
    with frozen(at(2026, 11, 1)):
        client.force_login(dispatcher)
        home = client.get("/admin/").content.decode()
    banner = text_of(home, "#calendar-missing")
    assert "2027 年节假日安排尚未录入" in banner and "待核定" in banner
    # A dispatcher may not enter the calendar: no link, whom to ask instead.
    assert "请联系系统管理员" in banner
    # The date is a setting.
    settings.PLATFORM = {**settings.PLATFORM, "CALENDAR_WARNING_FROM": (12, 1)}
    with frozen(at(2026, 11, 15)):
        client.force_login(dispatcher)
        assert "calendar-missing" not in client.get("/admin/").content.decode()


def test_ticket_dispatched_on_20_december_2026_runs_into_2027(
        client, hl, housing_ticket, make_user):
    ticket = housing_ticket
    number = ticket.number
    # 15 working days from Sunday 20 Dec: 21–25, 28–31 Dec (9), Fri 1 Jan (2027 not entered:
    # counted Monday to Friday), 4–8 Jan → Friday 8 January 2027 at the close.
    assert ticket.handle_deadline == at(2027, 1, 8, 18)
    assert ticket.sign_deadline == at(2026, 12, 21, 13)

    # 待核定 wherever the deadline is shown: the dispatcher's list, the ticket page, the resident's
    # tracking page.
    dispatcher = hl["users"]["dispatcher"]
    with frozen(at(2026, 12, 21, 9)):
        client.force_login(dispatcher)
        listing = client.get(reverse("hotline_tickets:index")).content.decode()
        detail = client.get(reverse("hotline_ticket_detail", args=[ticket.pk])).content.decode()
    assert "2026-12-21 13:00" in ticket_row(listing, number)  # the 签收 stage: 2026, settled
    assert "待核定" not in ticket_row(listing, number)
    stages = text_of(detail, "table.hl-table")
    assert "2027-01-08 18:00 待核定" in stages and "2026-12-21 13:00 待核定" not in stages

    handler = hl["users"]["other_handler"]  # the housing department's handler
    with frozen(at(2026, 12, 21, 10)):
        ticket = perform(ticket, "sign", handler)
        client.force_login(handler)
        listing = client.get(reverse("hotline_tickets:index")).content.decode()
    assert "2027-01-08 18:00 待核定" in ticket_row(listing, number)

    client.logout()
    with frozen(at(2026, 12, 21, 11)):
        page = client.get(reverse("hotline:track"))
        _form, data = form_data(page.content.decode())
        data.update({"number": number, "phone": "13900001234"})
        tracked = client.post(reverse("hotline:track"), data).content.decode()
    assert "2027-01-08 18:00 待核定" in text_of(tracked, ".ticket-progress .facts")

    # An administrator enters 2027's 元旦 on the year page the banner links to, and confirms.
    admin = make_user(roles.DISPATCHER, hl["orgs"]["hotline"], username="calendar_admin")
    admin.is_superuser = True
    admin.save()
    with frozen(at(2026, 12, 22, 9)):
        client.force_login(admin)
        home = client.get("/admin/").content.decode()
        link = BeautifulSoup(home, "html.parser").select_one("#calendar-missing a")["href"]
        page = client.get(link)
        assert page.context["year"] == 2027
        _form, data = form_data(page.content.decode())
        data.update({"entries": "2027-01-01 放假 元旦", "complete": "on",
                     "basis": "国务院办公厅关于2027年部分节假日安排的通知"})
        done = client.post(link.split("?")[0], data, follow=True).content.decode()
    assert "1 件在办工单的期限已按新的节假日安排重算" in done
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).is_workday is False

    ticket.refresh_from_db()
    # 元旦 is a holiday now: the 15th working day is Monday 11 January.
    assert ticket.handle_deadline == at(2027, 1, 11, 18)
    assert ticket.sign_deadline == at(2026, 12, 21, 13)  # already met: untouched
    event = ticket.events.get(action="recompute_deadline")
    assert event.label == "期限调整" and event.actor == admin
    assert "1月1日放假" in event.note
    assert "办理期限 2027-01-08 18:00 → 2027-01-11 18:00" in event.note

    with frozen(at(2026, 12, 22, 9, 5)):
        client.force_login(handler)
        listing = client.get(reverse("hotline_tickets:index")).content.decode()
        detail = client.get(reverse("hotline_ticket_detail", args=[ticket.pk])).content.decode()
        home = client.get("/admin/").content.decode()
    row = ticket_row(listing, number)
    assert "2027-01-11 18:00" in row and "待核定" not in row  # 2027 is entered now
    assert "2027-01-08 18:00 → 2027-01-11 18:00" in text_of(detail, ".hl-timeline")
    assert "calendar-missing" not in home  # the banner is gone


def test_the_year_page_refuses_bad_input_next_to_the_field(client, hl, make_user):
    admin = make_user(roles.DISPATCHER, hl["orgs"]["hotline"], username="calendar_admin")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("hotline_calendar_year")
    page = client.get(url, {"year": 2027}).content.decode()
    _form, data = form_data(page)
    data.update({"complete": "on"})  # confirming a year with no 放假 day entered
    refused = client.post(url, data).content.decode()
    assert field_errors(refused) == ["2027 年还没有录入任何放假日期，请先录入再确认。"]
    data.update({"entries": "2027-02-30 放假 春节"})
    refused = client.post(url, data).content.decode()
    assert field_errors(refused) == ["第 1 行日期无效：2027-02-30。"]
    assert not CalendarDay.objects.exists() and not calendar.year_entered(2027)


def test_deadline_in_2027_is_settled_once_the_year_is_confirmed(hl, housing_ticket):
    assert calendar.is_provisional(housing_ticket.handle_deadline)
    with frozen(at(2026, 12, 22)):
        saved, moved = calendar.save_year_entries([(date(2027, 1, 1), False, "元旦")])
        calendar.confirm_year(2027, None, "")
    assert saved == 1 and [t.pk for t in moved] == [housing_ticket.pk]
    assert not calendar.is_provisional(at(2027, 1, 11, 18))
    assert TicketEvent.objects.filter(ticket=housing_ticket,
                                      action="recompute_deadline").count() == 1
    assert housing_ticket.status == Status.PENDING_SIGN
