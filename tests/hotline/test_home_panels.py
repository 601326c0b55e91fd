"""The staff home page (/admin/) of the hotline roles: the dispatcher's, the handler's and the
supervisor's panels show what waits for them, each count equal to the tickets of the small
world built here (counted by hand), each linking to the list that shows those tickets; no role
sees another's panel. Before these panels the dispatcher's and the supervisor's home pages were
empty."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.models import JointHandling, Status, Ticket
from hotline.panels import ITEMS
from hotline.tasks import mark_deadlines
from hotline.workflows import perform
from tests.hotline import home_panels as hp

PANELS = ["dispatcher", "handler", "supervisor"]


def set_deadlines(ticket, **deadlines):
    Ticket.objects.filter(pk=ticket.pk).update(**deadlines)


@pytest.fixture
def world(hl, new_ticket, drive):
    """Tickets in every state a panel counts, with known deadlines and alerts."""
    u, orgs = hl["users"], hl["orgs"]
    now = timezone.now()
    far = now + timedelta(days=60)
    t = {}
    # 待派单: three, the first received five hours ago.
    for name, hours in (("d1", 5), ("d2", 2), ("d3", 1)):
        t[name] = new_ticket(received_at=now - timedelta(hours=hours))
    # 待签收 at 市人社局 (s1, s2, o1 with a pending objection, r1 whose objection was turned
    # down) and at 市住建局 (s3, u1 moved there by an upheld objection).
    for name in ("s1", "s2", "o1", "r1", "u1"):
        t[name] = drive(new_ticket(), Status.PENDING_SIGN)
    t["s3"] = perform(new_ticket(), "dispatch", u["dispatcher"], lead=orgs["housing"])
    perform(t["o1"], "object", u["handler"], reason="该事项属住建部门职责，请改派。")
    perform(t["r1"], "object", u["handler"], reason="该事项属住建部门职责，请改派。")
    perform(t["r1"], "review_objection", u["dispatcher"], decision="reject",
            note="欠薪事项由人社部门主办。")
    perform(t["u1"], "object", u["handler"], reason="该事项属住建部门职责，请改派。")
    perform(t["u1"], "review_objection", u["dispatcher"], decision="uphold",
            lead=orgs["housing"].pk, note="属实，改派住建局。")
    # 办理中 at 市人社局: h1..h6, e1 whose extension was granted; h4 asks for one now.
    for name in ("h1", "h2", "h3", "h4", "h5", "h6", "e1"):
        t[name] = drive(new_ticket(), Status.IN_PROGRESS)
    perform(t["e1"], "request_extension", u["handler"], days=3, reason="需要现场核查。")
    perform(t["e1"], "review_extension", u["dispatcher"], approve="1")
    perform(t["h4"], "request_extension", u["handler"], days=5, reason="需要协调用人单位。")
    # 督办: h1 is under 督办 (still with the department); h5's 督办 ended with its answer.
    for name in ("h1", "h5"):
        perform(t[name], "supervise", u["supervisor"], note="请加快办理。",
                deadline=(now + timedelta(days=5)).date())
    t["h5"] = perform(t["h5"], "reply", u["handler"], reply="已联系用人单位，工资已于本周全部结清。")
    # Known deadlines: s1 overdue to sign, h3 overdue, h2 due within the hour; all else far.
    for ticket in Ticket.objects.exclude(status__in=[Status.PENDING_DISPATCH, Status.CLOSED]):
        set_deadlines(ticket, sign_deadline=far, handle_deadline=far + timedelta(
            minutes=ticket.pk))
    set_deadlines(t["s1"], sign_deadline=now - timedelta(hours=1))
    set_deadlines(t["h3"], handle_deadline=now - timedelta(hours=1))
    set_deadlines(t["h2"], handle_deadline=now + timedelta(minutes=30))
    set_deadlines(t["h1"], handle_deadline=now + timedelta(days=20))
    mark_deadlines(now=now, notify=False)
    # 会办: one in progress, one finished.
    JointHandling.objects.create(matter=t["d1"], responsible_name="王强", repeat_count=3,
                                 deadline=far, created_at=now)
    JointHandling.objects.create(matter=t["s2"], responsible_name="王强", repeat_count=3,
                                 deadline=far, created_at=now,
                                 status=JointHandling.Status.DONE)
    for ticket in t.values():
        ticket.refresh_from_db()
    return t


def numbers(tickets):
    return sorted(t.number for t in tickets)


def listed_numbers(client, href):
    """The ticket numbers the list at ``href`` shows."""
    html = client.get(href).content.decode()
    return sorted(row.select_one("td a").get_text(strip=True) for row in hp.listing_rows(html))


def test_dispatcher_sees_dispatch_objections_and_the_citys_deadlines(client, hl, world):
    t = world
    html = hp.home(client, hl["users"]["dispatcher"])
    assert hp.counts(html, "dispatcher") == {
        "dispatch": 3, "objection": 1, "extension": 1, "due_soon": 1, "overdue": 2}
    # The oldest waiting ticket, with how long it has waited.
    assert "最早一件已等待 5" in hp.row_text(html, "dispatcher", "dispatch")
    [(text, link)] = hp.items(html, "dispatcher", "dispatch")
    assert t["d1"].number in text and link == f"/admin/hotline/ticket/{t['d1'].pk}/"
    # 临期/超期 are words on the page, not only a colour.
    assert "临期" in hp.row_text(html, "dispatcher", "due_soon")
    assert "超期" in hp.row_text(html, "dispatcher", "overdue")
    # Each count leads to the list of exactly those tickets.
    expected = {"dispatch": [t["d1"], t["d2"], t["d3"]], "objection": [t["o1"]],
                "extension": [t["h4"]], "due_soon": [t["h2"]], "overdue": [t["s1"], t["h3"]]}
    for key, tickets in expected.items():
        assert listed_numbers(client, hp.row_link(html, "dispatcher", key)) == numbers(tickets)
    for other in ("handler", "supervisor", "ratings-supervisor", "policy-work"):
        assert hp.section(html, other) is None


def test_handler_sees_their_departments_tickets_nearest_deadline_first(client, hl, world):
    t = world
    html = hp.home(client, hl["users"]["handler"])
    assert hp.counts(html, "handler") == {"sign": 4, "handling": 6, "outcomes": 3}
    # 待答复 (h5 has answered): the nearest deadlines first, a few of them, the overdue and
    # due-soon ones with their badge.
    shown = hp.items(html, "handler", "handling")
    assert len(shown) == ITEMS
    order = [t["h3"], t["h2"], t["h1"]]
    assert [text.split()[0] for text, _link in shown[:3]] == [x.number for x in order]
    assert "超期" in shown[0][0] and "临期" in shown[1][0]
    assert "超期" not in shown[2][0] and "临期" not in shown[2][0]
    assert shown[0][1] == f"/admin/hotline/ticket/{t['h3'].pk}/"
    # 延期/异议 outcomes: the granted extension, the refused objection and the upheld one
    # (that ticket now belongs to 市住建局: no link to it).
    outcomes = {text.split()[0]: (text, link) for text, link in
                hp.items(html, "handler", "outcomes")}
    assert set(outcomes) == {t["e1"].number, t["r1"].number, t["u1"].number}
    assert "同意延期" in outcomes[t["e1"].number][0]
    assert "异议不成立" in outcomes[t["r1"].number][0]
    assert "异议成立" in outcomes[t["u1"].number][0] and outcomes[t["u1"].number][1] is None
    assert outcomes[t["r1"].number][1] == f"/admin/hotline/ticket/{t['r1'].pk}/"
    # The lists: 市人社局's tickets only.
    assert listed_numbers(client, hp.row_link(html, "handler", "sign")) == numbers(
        [t["s1"], t["s2"], t["o1"], t["r1"]])
    assert listed_numbers(client, hp.row_link(html, "handler", "handling")) == numbers(
        [t[n] for n in ("h1", "h2", "h3", "h4", "h6", "e1")])
    for other in ("dispatcher", "supervisor"):
        assert hp.section(html, other) is None


def test_another_departments_handler_counts_only_its_own(client, hl, world):
    html = hp.home(client, hl["users"]["other_handler"])
    assert hp.counts(html, "handler") == {"sign": 2, "handling": 0, "outcomes": 0}


def test_supervisor_sees_overdue_supervision_joint_and_the_month_so_far(client, hl, world):
    t = world
    html = hp.home(client, hl["users"]["supervisor"])
    assert hp.counts(html, "supervisor") == {"overdue": 2, "supervised": 1, "joint": 1}
    assert listed_numbers(client, hp.row_link(html, "supervisor", "overdue")) == numbers(
        [t["s1"], t["h3"]])
    assert listed_numbers(client, hp.row_link(html, "supervisor", "supervised")) == numbers(
        [t["h1"]])
    joint_list = client.get(hp.row_link(html, "supervisor", "joint")).content.decode()
    assert len(hp.listing_rows(joint_list)) == 1 and t["d1"].number in joint_list
    for other in ("dispatcher", "handler"):
        assert hp.section(html, other) is None


def month_bounds(now):
    now = timezone.localtime(now)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous_start = (start - timedelta(days=1)).replace(day=1)
    return start, previous_start, min(previous_start + (now - start), start)


def test_supervisor_compares_this_month_so_far_with_the_same_days_of_last_month(
        client, hl, new_ticket):
    now = timezone.now()
    start, previous_start, previous_end = month_bounds(now)
    received = [now - timedelta(minutes=5), now - timedelta(minutes=1)]
    received += [previous_start + (previous_end - previous_start) / 2]  # last month, same days
    if start - previous_end > timedelta(hours=2):  # last month, after today's day
        received.append(previous_end + (start - previous_end) / 2)
    for moment in received:
        new_ticket(received_at=moment, answer="已当场解答，诉求人表示满意。", notify=False)
    this_month = sum(start <= moment <= now for moment in received)
    last_month = sum(previous_start <= moment < previous_end for moment in received)

    html = hp.home(client, hl["users"]["supervisor"])
    panel = hp.section(html, "supervisor")
    table = panel.select_one("table[data-month]")
    current = table.select_one("[data-current-label]").get_text(strip=True)
    previous = table.select_one("[data-previous-label]").get_text(strip=True)
    last_day = (previous_end - timedelta(microseconds=1)).day
    assert current == (f"本月截至今日（{start.month}月1日—{start.month}月"
                       f"{timezone.localtime(now).day}日）")
    assert previous == f"上月同期（{previous_start.month}月1日—{previous_start.month}月{last_day}日）"
    first = table.select_one("tbody tr")
    cells = [c.get_text(strip=True) for c in first.select("th, td")]
    assert cells[:3] == ["受理量（件）", str(this_month), str(last_month)]
    assert panel.select_one('a[href="/admin/hotline/analysis/"]') is not None


def test_people_without_a_hotline_role_see_no_hotline_panel(client, hl, world):
    html = hp.home(client, hl["users"]["editor"])
    for name in PANELS:
        assert hp.section(html, name) is None


# --- In Chromium -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_pages_in_the_browser(live_server, browser, hl, world):
    t = world
    expected = {
        "dispatcher": {"dispatch": 3, "objection": 1, "extension": 1, "due_soon": 1,
                       "overdue": 2},
        "handler": {"sign": 4, "handling": 6, "outcomes": 3},
        "supervisor": {"overdue": 2, "supervised": 1, "joint": 1},
    }
    for role, counts in expected.items():
        context, tab = hp.open_home(browser, live_server, hl["users"][role].username,
                                    f"home-{role}")
        assert hp.shown_counts(tab, role) == counts
        for other in set(PANELS) - {role}:
            assert tab.locator(f"#home-{other}-section").count() == 0
        if role == "dispatcher":
            # 超期 leads to the list of those two tickets.
            tab.locator('#home-dispatcher-section li[data-row="overdue"] a').click()
            tab.wait_for_url("**/admin/hotline_tickets/?queue=overdue")
            body = tab.locator("main table tbody")
            assert body.locator("tr").count() == 2
            assert t["s1"].number in body.inner_text() and t["h3"].number in body.inner_text()
        if role == "handler":
            # The nearest deadline opens its ticket.
            tab.locator('#home-handler-section ul[data-items="handling"] a').first.click()
            tab.wait_for_url(f"**/admin/hotline/ticket/{t['h3'].pk}/")
            assert t["h3"].number in tab.content()
        context.close()
