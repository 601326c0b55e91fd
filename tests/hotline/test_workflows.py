"""Every transition in the table, for every role: allowed where the table says, refused with a
Chinese message (and nothing written) everywhere else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Message
from hotline.models import DispatchObjection, Status, Ticket, TicketEvent
from hotline.workflows import TRANSITIONS, TransitionError, allowed_actions, perform

pytestmark = pytest.mark.django_db

ROLE_USERS = {"dispatcher": "dispatcher", "handler": "handler", "supervisor": "supervisor"}
OUTSIDERS = ["other_handler", "editor"]  # a handler of another department; a non-hotline role


def prepare(action, hl, new_ticket, drive):
    """A ticket in the action's first source state, plus the data the action needs."""
    u, orgs = hl["users"], hl["orgs"]
    t = TRANSITIONS[action]
    ticket = drive(new_ticket(), t.sources[0])
    data = {
        "dispatch": {"lead": orgs["hrss"]},
        "close_at_intake": {"reply": "已为您解答：欠薪可向劳动监察大队投诉。"},
        "sign": {},
        "object": {"reason": "该事项属于住建部门职责。"},
        "redispatch": {"lead": orgs["housing"], "note": "职责调整"},
        "request_extension": {"days": 3, "reason": "需要现场核实"},
        "reply": {"reply": "已联系用人单位，工资已于本周全部结清。"},
        "return_reply": {"note": "答复未说明依据"},
        "approve_reply": {},
        "callback": {"satisfaction": "satisfied", "resolved": True},
        "reopen": {"note": "诉求人表示工资仍未到账"},
        "supervise": {"note": "请加快办理", "deadline": timezone.now() + timedelta(days=5)},
    }.get(action)
    if action == "merge":
        data = {"target": new_ticket()}
    elif action == "link_repeat":
        data = {"target": drive(new_ticket(), Status.CLOSED)}
    elif action == "review_objection":
        perform(ticket, "object", u["handler"], reason="不属于本单位职责",
                suggested=orgs["housing"].pk)
        data = {"decision": "uphold"}
    elif action == "review_extension":
        perform(ticket, "request_extension", u["handler"], days=2, reason="需协调")
        data = {"approve": True}
    return Ticket.objects.get(pk=ticket.pk), data


def snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.status, ticket.lead_org_id, ticket.handle_deadline, ticket.reply,
            TicketEvent.objects.filter(ticket=ticket).count())


CASES = [(action, role) for action in TRANSITIONS for role in [*ROLE_USERS, *OUTSIDERS]]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_transition_by_role(action, role, hl, new_ticket, drive):
    ticket, data = prepare(action, hl, new_ticket, drive)
    user = hl["users"][role]
    transition = TRANSITIONS[action]
    if role in transition.roles:
        before = ticket.status
        result = perform(ticket, action, user, **data)
        expected = transition.target or before
        if action == "review_objection":
            expected = Status.PENDING_SIGN
        assert result.status == expected
        event = result.events.last()
        assert event.action == action and event.actor == user
        assert event.from_status == before and event.to_status == expected
    else:
        before = snapshot(ticket)
        with pytest.raises(TransitionError, match="没有权限"):
            perform(ticket, action, user, **data)
        assert snapshot(ticket) == before


WRONG_STATE = [(action, status) for action, t in TRANSITIONS.items()
               for status in Status.values if status not in t.sources]


@pytest.mark.parametrize(("action", "status"), WRONG_STATE,
                         ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_transition_refused_in_wrong_state(action, status, hl, new_ticket, drive):
    ticket = new_ticket()
    if status == Status.MERGED:
        ticket = perform(ticket, "merge", hl["users"]["dispatcher"], target=new_ticket())
    else:
        ticket = drive(ticket, status)
    role = sorted(TRANSITIONS[action].roles)[0]
    before = snapshot(ticket)
    with pytest.raises(TransitionError, match="当前状态为"):
        perform(ticket, action, hl["users"][ROLE_USERS[role]], note="x", reason="x")
    assert snapshot(ticket) == before


def test_full_lifecycle_writes_timeline_and_tells_the_resident(hl, new_ticket, drive):
    ticket = new_ticket(caller_phone="13912345678")
    assert ticket.number.startswith("12345-") and ticket.status == Status.PENDING_DISPATCH
    assert ticket.suggested_lead == hl["orgs"]["hrss"]
    ticket = drive(ticket, Status.CLOSED)
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions == ["intake", "dispatch", "sign", "reply", "approve_reply", "callback"]
    assert ticket.closed_at and ticket.satisfaction == "satisfied" and ticket.resolved is True
    sms = Message.objects.filter(channel="sms", recipient="13912345678")
    assert {m.kind for m in sms} == {"hotline.receipt", "hotline.replied"}
    assert Message.objects.filter(channel="inbox", user=hl["users"]["handler"],
                                  kind="hotline.dispatched").exists()


def test_close_at_intake(hl, new_ticket):
    ticket = new_ticket(answer="您好，社保缴费基数每年7月调整。")
    assert ticket.status == Status.CLOSED and ticket.reply.startswith("您好")
    with pytest.raises(TransitionError):  # a resident (no user) cannot close at intake
        new_ticket(user=None, answer="自己办结")


def test_bad_input_is_refused_and_changes_nothing(hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    before = snapshot(ticket)
    for action, data, message in [
        ("reply", {"reply": ""}, "请填写答复内容"),
        ("request_extension", {"days": 0, "reason": "x"}, "延期天数"),
        ("request_extension", {"days": 2}, "延期理由"),
        ("object", {}, "异议理由"),
    ]:
        with pytest.raises(TransitionError, match=message):
            perform(ticket, action, hl["users"]["handler"], **data)
    with pytest.raises(TransitionError, match="晚于现在"):
        perform(ticket, "supervise", hl["users"]["supervisor"], note="快",
                deadline=timezone.now() - timedelta(days=1))
    assert snapshot(ticket) == before


def test_objection_rejected_keeps_department_and_upheld_redispatches(hl, new_ticket, drive):
    u, orgs = hl["users"], hl["orgs"]
    ticket = drive(new_ticket(), Status.PENDING_SIGN)
    perform(ticket, "object", u["handler"], reason="应由住建局办理")
    with pytest.raises(TransitionError, match="待审核"):
        perform(ticket, "object", u["handler"], reason="再次提出")
    with pytest.raises(TransitionError, match="审核意见"):
        perform(ticket, "review_objection", u["dispatcher"], decision="reject")
    ticket = perform(ticket, "review_objection", u["dispatcher"], decision="reject",
                     note="欠薪属人社职责")
    assert ticket.lead_org == orgs["hrss"] and ticket.status == Status.PENDING_SIGN
    perform(ticket, "object", u["handler"], reason="确属住建职责", suggested=orgs["housing"].pk)
    ticket = perform(ticket, "review_objection", u["dispatcher"], decision="uphold")
    assert ticket.lead_org == orgs["housing"]
    assert list(DispatchObjection.objects.filter(ticket=ticket).order_by("created_at")
                .values_list("status", flat=True)) == ["rejected", "upheld"]
    # the old department can no longer act; the new one can
    with pytest.raises(TransitionError, match="没有权限"):
        perform(ticket, "sign", u["handler"])
    assert perform(ticket, "sign", u["other_handler"]).status == Status.IN_PROGRESS


def test_reopen_sends_ticket_back_with_new_deadline(hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    ticket = perform(ticket, "reopen", hl["users"]["dispatcher"], note="工资仍未到账")
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    assert ticket.satisfaction == "unsatisfied" and ticket.handle_deadline > timezone.now()


def test_allowed_actions_lists_buttons_per_role(hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    names = lambda who: {t.action for t in allowed_actions(ticket, hl["users"][who])}  # noqa: E731
    assert names("handler") == {"object", "request_extension", "reply"}
    assert names("dispatcher") == {"redispatch", "review_objection", "review_extension"}
    assert names("supervisor") == {"supervise"}
    assert names("other_handler") == set() and names("editor") == set()
