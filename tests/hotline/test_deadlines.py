"""Working-day deadlines across National Day 2025 (1–8 Oct off; Sun 28 Sep and Sat 11 Oct are
make-up working days), administrator overrides, extensions and the 临期/超期 task."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from core.models import Message
from hotline import calendar
from hotline.models import Alert, CalendarDay, Status, Urgency
from hotline.tasks import mark_deadlines
from hotline.workflows import perform

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, minute=0):
    return timezone.make_aware(datetime(y, m, d, h, minute))


def test_national_day_2025_calendar():
    assert calendar.is_workday(date(2025, 9, 28))  # Sunday, 调休上班
    assert calendar.is_workday(date(2025, 10, 11))  # Saturday, 调休上班
    for day in range(1, 9):
        assert not calendar.is_workday(date(2025, 10, day))
    assert not calendar.is_workday(date(2025, 10, 12))


def test_add_working_days_skips_the_holiday_and_counts_the_makeup_saturday():
    # Tue 30 Sep + 3 working days: Thu 9, Fri 10, Sat 11 (make-up) → Sat 11 Oct at close.
    assert calendar.add_working_days(at(2025, 9, 30), 3) == at(2025, 10, 11, 18)
    # Fri 26 Sep + 1 working day → Sunday 28 Sep, a make-up working day.
    assert calendar.add_working_days(at(2025, 9, 26), 1) == at(2025, 9, 28, 18)
    # received on a holiday, same-day (0) → close of the first working day after
    assert calendar.add_working_days(at(2025, 10, 3), 0) == at(2025, 10, 9, 18)


def test_add_working_hours_for_signing_crosses_the_holiday():
    # 2 hours left on Tue 30 Sep (16–18), the other 2 on Thu 9 Oct from 09:00.
    assert calendar.add_working_hours(at(2025, 9, 30, 16), 4) == at(2025, 10, 9, 11)
    # Filed on Saturday 27 Sep (a rest day) → counts from Sunday 28 Sep 09:00.
    assert calendar.add_working_hours(at(2025, 9, 27, 15), 2) == at(2025, 9, 28, 11)


def test_administrator_override_wins_over_the_package():
    assert calendar.add_working_days(at(2025, 9, 30), 3) == at(2025, 10, 11, 18)
    CalendarDay.objects.create(date=date(2025, 10, 10), is_workday=False, note="临时调整")
    assert calendar.add_working_days(at(2025, 9, 30), 3) == at(2025, 10, 13, 18)


def test_a_year_the_package_does_not_know_can_be_entered():
    assert not calendar.package_knows(2031)
    assert calendar.is_workday(date(2031, 10, 1))  # a Wednesday: no one entered the year yet
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2031, 10, day), is_workday=False, note="国庆节")
    CalendarDay.objects.create(date=date(2031, 10, 11), is_workday=True, note="国庆节调休上班")
    assert not calendar.is_workday(date(2031, 10, 1))
    assert calendar.add_working_days(at(2031, 9, 30), 4) == at(2031, 10, 11, 18)
    summary = calendar.year_summary(2031)
    assert date(2031, 10, 1) in summary["holidays"] and summary["makeup_workdays"] == [
        date(2031, 10, 11)]


def test_dispatch_sets_stage_deadlines_and_extension_moves_them(hl, new_ticket):
    u = hl["users"]
    with mock.patch("django.utils.timezone.now", return_value=at(2025, 9, 30, 16)):
        ticket = new_ticket()  # 欠薪: 2 working hours to sign, 3 working days to handle
        ticket = perform(ticket, "dispatch", u["dispatcher"], lead=hl["orgs"]["hrss"])
    assert ticket.sign_deadline == at(2025, 9, 30, 18)
    assert ticket.handle_deadline == at(2025, 10, 11, 18)
    with mock.patch("django.utils.timezone.now", return_value=at(2025, 10, 9, 9)):
        perform(ticket, "sign", u["handler"])
        perform(ticket, "request_extension", u["handler"], days=2, reason="需现场核实")
        ticket = perform(ticket, "review_extension", u["dispatcher"], approve=True)
    # Sat 11 Oct + 2 working days: Mon 13, Tue 14.
    assert ticket.handle_deadline == at(2025, 10, 14, 18) and ticket.extension_count == 1
    with mock.patch("django.utils.timezone.now", return_value=at(2025, 10, 15, 9)):
        from hotline.workflows import TransitionError

        with pytest.raises(TransitionError, match="期限已过"):
            perform(ticket, "request_extension", u["handler"], days=2, reason="再延")


def test_urgent_ticket_is_due_the_same_day(hl, new_ticket):
    with mock.patch("django.utils.timezone.now", return_value=at(2025, 9, 28, 10)):
        ticket = new_ticket(urgency=Urgency.URGENT, category=hl["cats"]["property"])
        ticket = perform(ticket, "dispatch", hl["users"]["dispatcher"])
    assert ticket.lead_org == hl["orgs"]["district"]  # the district line beats the city-wide
    assert ticket.sign_deadline == at(2025, 9, 28, 11)
    assert ticket.handle_deadline == at(2025, 9, 28, 18)


def test_periodic_task_marks_due_soon_and_overdue_and_notifies_once(hl, new_ticket, drive):
    u = hl["users"]
    soon = drive(new_ticket(), Status.IN_PROGRESS)
    late = drive(new_ticket(), Status.IN_PROGRESS)
    fine = drive(new_ticket(), Status.IN_PROGRESS)
    now = timezone.now()
    type(soon).objects.filter(pk=soon.pk).update(
        handle_deadline=calendar.add_working_hours(now, 3))
    type(late).objects.filter(pk=late.pk).update(handle_deadline=now - timedelta(hours=1))
    type(fine).objects.filter(pk=fine.pk).update(handle_deadline=now + timedelta(days=30))
    assert mark_deadlines.delay().get() == 2
    alerts = {t.pk: t.alert for t in type(soon).objects.filter(pk__in=[soon.pk, late.pk, fine.pk])}
    assert alerts == {soon.pk: Alert.DUE_SOON, late.pk: Alert.OVERDUE, fine.pk: Alert.NONE}
    handler_msgs = Message.objects.filter(user=u["handler"], kind__in=["hotline.due_soon",
                                                                      "hotline.overdue"])
    assert handler_msgs.count() == 2
    assert Message.objects.filter(user=u["supervisor"], kind="hotline.overdue").count() == 1
    assert mark_deadlines() == 0  # nothing changed: nobody is told twice
    assert handler_msgs.count() == 2


def test_administrator_enters_a_year_in_the_admin(client, hl, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    url = "/admin/hotline/calendar/year/"
    bad = client.post(url, {"year": 2031, "entries": "2031-10-01 休息"}, follow=True)
    assert "第 1 行格式不对" in bad.content.decode() and not CalendarDay.objects.exists()
    client.post(url, {"year": 2031, "entries": "2031-10-01~2031-10-07 放假 国庆节\n"
                                               "2031-10-11 上班 国庆节调休"})
    assert CalendarDay.objects.count() == 8
    assert calendar.add_working_days(at(2031, 9, 30), 4) == at(2031, 10, 11, 18)
    html = client.get(url, {"year": 2031}).content.decode()
    assert "10月11日" in html and "数据包尚无本年度安排" in html
    client.force_login(hl["users"]["handler"])
    refused = client.post(url, {"year": 2031, "entries": "2031-10-08 放假 x"})
    assert refused.status_code in (302, 403)  # Wagtail turns the refusal into a redirect
    assert not CalendarDay.objects.filter(date=date(2031, 10, 8)).exists()


@pytest.mark.parametrize(("approved", "due"), [
    # Approved on Wednesday 30 September 2026: 1–7 October are the National Day holiday, so the
    # one working day of 回访 (the shipped default) ends on Thursday 8 October.
    ((2026, 9, 30, 16), (2026, 10, 8, 18)),
    # Approved on a Friday morning: the next working day is Monday.
    ((2026, 12, 4, 10), (2026, 12, 7, 18)),
])
def test_callback_deadline_after_the_reply_is_approved(approved, due, hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.REPLIED)
    with mock.patch("django.utils.timezone.now", return_value=at(*approved)):
        ticket = perform(ticket, "approve_reply", hl["users"]["dispatcher"])
    assert ticket.status == Status.PENDING_CALLBACK
    assert ticket.callback_deadline == at(*due)
