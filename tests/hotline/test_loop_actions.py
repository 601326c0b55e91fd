"""Issue 13, the hotline's loop items, through the rendered ticket page: the 回访 form assumes
nothing and 联系不上 has its own retry rule (three working days, then 无法联系, counted apart in
the figures); the dispatcher is offered only what the ticket's open requests allow, and a
forged POST of anything else is refused; 派单/改派 preselect only the catalogue's marked
suggestion; every notice to a department names the ticket and its deadline."""

from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from core.models import Message
from hotline import metrics
from hotline.models import Status, Ticket
from hotline.workflows import perform
from tests.forms import field_errors, form_data, option_value

pytestmark = pytest.mark.django_db


class Clock:
    """``timezone.now`` at a chosen local moment (no waiting: the day is set, not awaited).
    Staff sessions expire when idle, so whoever uses the page logs in again at each moment."""

    def __init__(self, monkeypatch, client, user):
        self.moment, self.client, self.user = None, client, user
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, *args):
        self.moment = timezone.make_aware(datetime(*args))
        self.client.force_login(self.user)
        return self.moment


@pytest.fixture
def clock(monkeypatch, client, hl):
    return Clock(monkeypatch, client, hl["users"]["dispatcher"])


def page_of(client, ticket):
    response = client.get(reverse("hotline_ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def action_form(html, action):
    return form_data(html, f'form[data-action="{action}"]')


def offered(html):
    soup = BeautifulSoup(html, "html.parser")
    return {f["data-action"] for f in soup.select("form[data-action]")}


def submit(client, form, data, follow=False):
    return client.post(form["action"], data, follow=follow)


def state(ticket):
    ticket.refresh_from_db()
    return (ticket.status, ticket.satisfaction, ticket.resolved, ticket.closed_at,
            ticket.callback_deadline, ticket.events.count())


def error_beside(html, field):
    """The message shown inside the field's own group (fieldset or field box), or None."""
    soup = BeautifulSoup(html, "html.parser")
    box = soup.select_one(f'form[data-action="callback"] #cb-{field}')
    box = box if box is not None and box.name == "fieldset" else (
        box.find_parent(class_="hl-field") if box is not None else None)
    error = box.select_one(".error-message") if box is not None else None
    return error.get_text(" ", strip=True) if error is not None else None


# --- 回访: nothing preselected, everything required ---------------------------------------------


def test_callback_form_preselects_nothing_and_refuses_an_empty_submit(client, hl, new_ticket,
                                                                     drive):
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    client.force_login(hl["users"]["dispatcher"])
    form, data = action_form(page_of(client, ticket), "callback")
    # the page as it stands sends no result, no answer and no note
    assert not data.get("outcome") and not data.get("satisfaction")
    assert not data.get("resolved") and not data.get("note")
    before = state(ticket)
    response = submit(client, form, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert state(ticket) == before  # still 待回访, not closed as 满意/已解决
    assert "请选择回访结果" in error_beside(html, "outcome")
    assert "满意或基本满意" in error_beside(html, "satisfaction")
    assert "是否已解决" in error_beside(html, "resolved")
    assert "请填写回访记录" in error_beside(html, "note")
    assert "回访记录未保存" in html
    assert len([e for e in field_errors(html) if e.startswith(("请选择", "请填写"))]) == 4


def test_callback_reached_needs_the_residents_answer_and_keeps_what_was_typed(
        client, hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    client.force_login(hl["users"]["dispatcher"])
    form, data = action_form(page_of(client, ticket), "callback")
    data.update(outcome=option_value(form, "outcome", "已联系上诉求人"), note="电话回访，本人接听")
    before = state(ticket)
    html = submit(client, form, data).content.decode()
    assert state(ticket) == before
    assert error_beside(html, "outcome") is None and error_beside(html, "note") is None
    assert error_beside(html, "satisfaction") and error_beside(html, "resolved")
    form, data = action_form(html, "callback")  # the form again, as it was filled in
    assert data["outcome"] == "reached" and data["note"] == "电话回访，本人接听"
    data.update(satisfaction=option_value(form, "satisfaction", "基本满意"),
                resolved=option_value(form, "resolved", "已解决"))
    assert submit(client, form, data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction, ticket.resolved) == (
        Status.CLOSED, "basic", True)
    assert "电话回访，本人接听" in ticket.events.last().note


# --- 联系不上: three working days, then 无法联系 ----------------------------------------------------


def unreachable(client, ticket, note):
    form, data = action_form(page_of(client, ticket), "callback")
    data.update(outcome=option_value(form, "outcome", "联系不上"), note=note)
    return submit(client, form, data)


def test_unreachable_three_times_on_different_days_closes_as_unreachable_counted_apart(
        client, hl, new_ticket, drive, clock):
    clock.set(2026, 3, 9, 9, 30)  # Monday
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    satisfied = drive(new_ticket(), Status.CLOSED)  # one ordinary 满意 for comparison
    client.force_login(hl["users"]["dispatcher"])

    clock.set(2026, 3, 9, 10, 0)
    assert unreachable(client, ticket, "10:00 拨打无人接听").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CALLBACK and ticket.satisfaction == ""
    html = page_of(client, ticket)
    assert "回访联系不上（第 1 次）" in html and "10:00 拨打无人接听" in html  # on the timeline
    assert "已回访联系不上 1 次" in html and "3月10日" in html  # the form says when to retry

    clock.set(2026, 3, 10, 16, 0)  # Tuesday
    assert unreachable(client, ticket, "16:00 拨打关机").status_code == 302
    clock.set(2026, 3, 11, 11, 0)  # Wednesday: the third attempt closes the ticket
    assert unreachable(client, ticket, "11:00 拨打仍无人接听").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.satisfaction == "unreachable"
    assert ticket.resolved is None
    labels = list(ticket.events.values_list("label", flat=True))
    assert labels[-3:] == ["回访联系不上（第 1 次）", "回访联系不上（第 2 次）", "回访无法联系，办结"]
    html = page_of(client, ticket)
    assert "回访无法联系，办结" in html and "无法联系" in html
    assert Message.objects.filter(channel="sms", recipient=ticket.caller_phone,
                                  kind="hotline.unreachable").exists()

    # counted on its own: not satisfied, not unsatisfied, not unresolved
    start, end = metrics.months_back(1)
    [row] = metrics.table(start, end, by=("month",))
    assert row["unreachable"] == 1
    assert (row["satisfaction_num"], row["satisfaction_den"]) == (1, 1)
    assert (row["resolution_num"], row["resolution_den"]) == (1, 1)
    assert satisfied.satisfaction == "satisfied"
    figures = BeautifulSoup(client.get(reverse("hotline:figures")).content, "html.parser")
    header = [th.get_text(strip=True) for th in figures.select("table.data")[0].select("thead th")]
    assert "回访无法联系（件）" in header
    march = next(tr for tr in figures.select("table.data")[0].select("tbody tr")
                 if tr.th.get_text(strip=True).startswith("2026-03"))
    cells = dict(zip(header[1:], [td.get_text(strip=True) for td in march.select("td")],
                     strict=True))
    assert cells["回访无法联系（件）"] == "1" and cells["满意率"] == "100.0%"
    assert "无法联系" in figures.get_text()  # and its definition is written down


def test_second_unreachable_the_same_working_day_is_refused(client, hl, new_ticket, drive,
                                                           clock):
    clock.set(2026, 3, 13, 9, 30)  # Friday
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    client.force_login(hl["users"]["dispatcher"])
    clock.set(2026, 3, 13, 10, 0)
    assert unreachable(client, ticket, "上午拨打无人接听").status_code == 302
    before = state(ticket)

    clock.set(2026, 3, 13, 17, 0)  # later the same day
    response = unreachable(client, ticket, "下午再次拨打无人接听")
    html = response.content.decode()
    assert response.status_code == 200 and state(ticket) == before
    message = error_beside(html, "outcome")
    assert "今天已回访联系不上" in message and "不同的工作日" in message and "3月16日" in message

    clock.set(2026, 3, 14, 10, 0)  # Saturday is not another working day
    html = unreachable(client, ticket, "周六拨打无人接听").content.decode()
    assert state(ticket) == before and "3月16日" in error_beside(html, "outcome")

    clock.set(2026, 3, 16, 10, 0)  # Monday: the second attempt is recorded
    assert unreachable(client, ticket, "周一拨打无人接听").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CALLBACK
    assert ticket.events.last().label == "回访联系不上（第 2 次）"
    # reaching the resident later the same day is still recorded
    clock.set(2026, 3, 16, 15, 0)
    form, data = action_form(page_of(client, ticket), "callback")
    data.update(outcome=option_value(form, "outcome", "已联系上诉求人"),
                satisfaction=option_value(form, "satisfaction", "满意"),
                resolved=option_value(form, "resolved", "已解决"), note="下午回电，表示满意")
    assert submit(client, form, data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == (Status.CLOSED, "satisfied")


# --- The dispatcher sees only what applies -----------------------------------------------------


def test_dispatcher_sees_no_phantom_actions_and_a_forged_post_is_refused(client, hl, new_ticket,
                                                                        drive):
    u, orgs = hl["users"], hl["orgs"]
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    client.force_login(u["dispatcher"])
    html = page_of(client, ticket)
    assert "审核派单异议" not in html and "审核延期" not in html
    assert offered(html) == {"redispatch", "link_policy"}

    before = (ticket.status, ticket.lead_org_id, ticket.handle_deadline,
              ticket.events.count())
    url = reverse("hotline_ticket_act", args=[ticket.pk, "review_objection"])
    html = client.post(url, {"decision": "uphold", "lead": orgs["housing"].pk},
                       follow=True).content.decode()
    assert "没有待审核的派单异议" in html
    url = reverse("hotline_ticket_act", args=[ticket.pk, "review_extension"])
    html = client.post(url, {"approve": "1"}, follow=True).content.decode()
    assert "没有待审核的延期申请" in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.lead_org_id, ticket.handle_deadline,
            ticket.events.count()) == before

    # the department objects and asks for more time: now those reviews are offered
    perform(ticket, "object", u["handler"], reason="该事项属于住建部门职责。",
            suggested=orgs["housing"].pk)
    perform(ticket, "request_extension", u["handler"], days=3, reason="需现场核实")
    html = page_of(client, ticket)
    assert offered(html) == {"review_objection", "review_extension", "link_policy"}
    # 改派 while an objection waits is the review's job: refused if forged
    url = reverse("hotline_ticket_act", args=[ticket.pk, "redispatch"])
    html = client.post(url, {"lead": orgs["housing"].pk, "note": "改派"},
                       follow=True).content.decode()
    assert "待审核的派单异议" in html
    ticket.refresh_from_db()
    assert ticket.lead_org == orgs["hrss"]
    # and the department is not offered a second objection or extension request
    client.force_login(u["handler"])
    assert offered(page_of(client, ticket)) == {"reply", "link_policy"}


def test_redispatch_preselects_no_department_and_dispatch_only_the_marked_suggestion(
        client, hl, new_ticket, drive):
    u, orgs = hl["users"], hl["orgs"]
    client.force_login(u["dispatcher"])
    waiting = new_ticket()
    form, data = action_form(page_of(client, waiting), "dispatch")
    selected = form.select("select[name=lead] option[selected]")
    assert [o.get_text(strip=True) for o in selected] == [f"{orgs['hrss'].name}（目录建议）"]
    assert data["lead"] == str(orgs["hrss"].pk)

    # led by the catalogue's own choice: 改派 preselects nothing and does not offer it again
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    form, data = action_form(page_of(client, ticket), "redispatch")
    assert data["lead"] == "" and not form.select("select[name=lead] option[selected]")
    assert not form.select("select[name=assisting] option[selected]")
    names = [o.get_text(strip=True) for o in form.select("select[name=lead] option")]
    assert orgs["hrss"].name not in names and orgs["housing"].name in names
    response = submit(client, form, dict(data, note="职责调整"), follow=True)
    assert "请选择改派的主办单位" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.lead_org == orgs["hrss"]

    # led elsewhere: the catalogue's suggestion is offered, preselected and marked as such
    other = perform(new_ticket(), "dispatch", u["dispatcher"], lead=orgs["housing"])
    form, data = action_form(page_of(client, other), "redispatch")
    selected = form.select("select[name=lead] option[selected]")
    assert [o.get_text(strip=True) for o in selected] == [f"{orgs['hrss'].name}（目录建议）"]


# --- Notices name the ticket and its deadline --------------------------------------------------


def day_of(moment):
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日"


def notices(user, kind):
    return list(Message.objects.filter(user=user, kind=kind).order_by("pk")
                .values_list("body", flat=True))


def test_notices_carry_the_ticket_number_and_the_deadline(client, hl, new_ticket, drive):
    u, orgs = hl["users"], hl["orgs"]
    ticket = new_ticket()
    client.force_login(u["dispatcher"])
    form, data = action_form(page_of(client, ticket), "dispatch")
    assert submit(client, form, data).status_code == 302
    ticket.refresh_from_db()
    [body] = notices(u["handler"], "hotline.dispatched")
    assert body.startswith(f"新派工单 {ticket.number} 办理时限 {day_of(ticket.handle_deadline)}")
    assert day_of(ticket.sign_deadline) in body

    # reassigned to another department: its handlers are told the same way
    ticket = perform(ticket, "redispatch", u["dispatcher"], lead=orgs["housing"], note="职责调整")
    [body] = notices(u["other_handler"], "hotline.dispatched")
    assert f"改派工单 {ticket.number} 办理时限 {day_of(ticket.handle_deadline)}" in body

    # returned answer, and both outcomes of an extension request
    other = drive(new_ticket(), Status.REPLIED)
    other = perform(other, "return_reply", u["dispatcher"], note="答复未写明依据")
    [body] = notices(u["handler"], "hotline.returned")
    assert other.number in body and f"办理时限 {day_of(other.handle_deadline)}" in body
    other = perform(other, "request_extension", u["handler"], days=3, reason="需现场核实")
    other = perform(other, "review_extension", u["dispatcher"], approve=True)
    other = perform(other, "request_extension", u["handler"], days=3, reason="仍需核实")
    other = perform(other, "review_extension", u["dispatcher"], approve=False, note="请抓紧")
    approved, refused = notices(u["handler"], "hotline.extension")
    assert other.number in approved and "已同意" in approved
    assert other.number in refused and "未同意" in refused
    assert f"办理时限 {day_of(other.handle_deadline)}" in approved
    assert f"办理时限仍为 {day_of(other.handle_deadline)}" in refused
    assert Ticket.objects.get(pk=other.pk).extension_count == 1
