"""Every transition in the table, for every role: allowed where the table says, refused with a
Chinese message (and nothing written) everywhere else."""

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import Message
from hotline.models import DispatchObjection, Status, Ticket, TicketEvent
from hotline.workflows import TRANSITIONS, TransitionError, allowed_actions, perform

pytestmark = pytest.mark.django_db

ROLE_USERS = {"dispatcher": "dispatcher", "handler": "handler", "supervisor": "supervisor"}
OUTSIDERS = ["other_handler", "editor"]  # a handler of another department; a non-hotline role


def prepare(action, source, hl, new_ticket, drive, request=None):
    """A ticket in ``source`` (one of the action's source states), plus the data the action
    needs."""
    u, orgs = hl["users"], hl["orgs"]
    ticket = drive(new_ticket(), source)
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
        "callback": {"outcome": "reached", "satisfaction": "satisfied", "resolved": True,
                     "note": "诉求人表示满意"},
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
    elif action == "link_policy":
        data = {"policy": request.getfixturevalue("make_policy")(publish=True) if request
                else None}
    return Ticket.objects.get(pk=ticket.pk), data


def snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.status, ticket.lead_org_id, ticket.handle_deadline, ticket.reply,
            TicketEvent.objects.filter(ticket=ticket).count())


# The 12345 rules written out by hand (not read from ``TRANSITIONS``): action → the states it
# starts from, the roles that may take it, and the state it leads to (None: unchanged).
OPEN = ["dispatch", "sign", "handling", "replied", "callback"]
MATRIX = {
    "dispatch": (["dispatch"], {"dispatcher"}, "sign"),
    "close_at_intake": (["dispatch"], {"dispatcher"}, "closed"),
    "merge": (["dispatch"], {"dispatcher"}, "merged"),
    "link_repeat": (["dispatch"], {"dispatcher"}, None),
    "sign": (["sign"], {"handler"}, "handling"),
    "object": (["sign", "handling"], {"handler"}, None),
    "review_objection": (["sign", "handling"], {"dispatcher"}, "sign"),  # upheld: re-dispatched
    "redispatch": (["sign", "handling"], {"dispatcher"}, "sign"),
    "request_extension": (["handling"], {"handler"}, None),
    "review_extension": (["handling"], {"dispatcher"}, None),
    "reply": (["handling"], {"handler"}, "replied"),
    "return_reply": (["replied"], {"dispatcher"}, "handling"),
    "approve_reply": (["replied"], {"dispatcher"}, "callback"),
    "callback": (["callback"], {"dispatcher"}, "closed"),
    "reopen": (["callback", "closed"], {"dispatcher"}, "handling"),
    "supervise": (["sign", "handling", "replied"], {"supervisor"}, None),
    "link_policy": ([*OPEN, "closed"], {"dispatcher", "handler"}, None),
}


def test_the_table_is_the_one_written_out_here():
    assert set(TRANSITIONS) == set(MATRIX)
    for action, (sources, _roles, _target) in MATRIX.items():
        assert sorted(TRANSITIONS[action].sources) == sorted(sources), action


CASES = [(action, source, role) for action, (sources, _r, _t) in MATRIX.items()
         for source in sources for role in [*ROLE_USERS, *OUTSIDERS]]


@pytest.mark.parametrize(("action", "source", "role"), CASES,
                         ids=[f"{a}-from-{s}-{r}" for a, s, r in CASES])
def test_transition_by_role(action, source, role, hl, new_ticket, drive, request):
    _sources, roles, target = MATRIX[action]
    # A handler acts only on tickets dispatched to their organisation.
    allowed = role in roles and (role != "handler" or source != Status.PENDING_DISPATCH)
    # (a live policy to link is made only where it will be linked: refusals come first)
    ticket, data = prepare(action, source, hl, new_ticket, drive, request if allowed else None)
    user = hl["users"][role]
    if allowed:
        before = ticket.status
        result = perform(ticket, action, user, **data)
        expected = target or before
        assert result.status == expected
        event = result.events.last()
        assert event.action == action and event.actor == user
        assert event.from_status == before and event.to_status == expected
    else:
        before = snapshot(ticket)
        with pytest.raises(TransitionError, match="没有权限"):
            perform(ticket, action, user, **data)
        assert snapshot(ticket) == before


WRONG_STATE = [(action, status) for action, (sources, _r, _t) in MATRIX.items()
               for status in Status.values if status not in sources]


@pytest.mark.parametrize(("action", "status"), WRONG_STATE,
                         ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_transition_refused_in_wrong_state(action, status, hl, new_ticket, drive):
    ticket = new_ticket()
    if status == Status.MERGED:
        ticket = perform(ticket, "merge", hl["users"]["dispatcher"], target=new_ticket())
    else:
        ticket = drive(ticket, status)
    role = sorted(MATRIX[action][1])[0]
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
    assert names("handler") == {"object", "request_extension", "reply", "link_policy"}
    # nothing to review yet: no 审核派单异议 or 审核延期 (see test_loop_actions.py)
    assert names("dispatcher") == {"redispatch", "link_policy"}
    assert names("supervisor") == {"supervise"}
    assert names("other_handler") == set() and names("editor") == set()


def test_reopen_a_closed_ticket(hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.CLOSED)
    assert ticket.closed_at and ticket.resolved is True
    ticket = perform(ticket, "reopen", hl["users"]["dispatcher"], note="诉求人事后反映工资仍未到账")
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    assert ticket.closed_at is None and ticket.resolved is None and ticket.replied_at is None
    assert ticket.satisfaction == "unsatisfied" and ticket.handle_deadline > timezone.now()
    event = ticket.events.last()
    assert (event.action, event.from_status, event.to_status) == (
        "reopen", Status.CLOSED, Status.IN_PROGRESS)
    assert "工资仍未到账" in event.note and "新办理期限" in event.note
    assert Message.objects.filter(user=hl["users"]["handler"], kind="hotline.reopened",
                                  body__contains=ticket.number).exists()
    # the department answers again and the loop runs to the end once more
    ticket = drive_from_progress(ticket, hl)
    assert ticket.status == Status.CLOSED and ticket.reopen_count == 1


def drive_from_progress(ticket, hl):
    u = hl["users"]
    ticket = perform(ticket, "reply", u["handler"], reply="已再次督促用人单位，工资已全部到账。")
    ticket = perform(ticket, "approve_reply", u["dispatcher"])
    return perform(ticket, "callback", u["dispatcher"], outcome="reached", satisfaction="basic",
                   resolved=True, note="诉求人表示基本满意")


def test_reopen_a_ticket_closed_at_intake_goes_back_to_dispatch(hl, new_ticket):
    ticket = new_ticket(answer="您好，社保缴费基数每年7月调整。")
    ticket = perform(ticket, "reopen", hl["users"]["dispatcher"], note="诉求人认为答复不清楚")
    assert ticket.status == Status.PENDING_DISPATCH and ticket.handle_deadline is None
    assert ticket.closed_at is None and ticket.reopen_count == 1


def test_reopen_needs_a_reason_and_the_dispatcher_role(hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.CLOSED)
    with pytest.raises(TransitionError, match="不满意的原因"):
        perform(ticket, "reopen", hl["users"]["dispatcher"], note=" ")
    with pytest.raises(TransitionError, match="没有权限"):
        perform(ticket, "reopen", hl["users"]["handler"], note="不满意")
    assert snapshot(ticket)[0] == Status.CLOSED


def test_no_receipt_for_an_intake_that_is_rolled_back(hl, new_ticket, settings,
                                                     django_capture_on_commit_callbacks):
    outbox = settings.MESSAGE_OUTBOX_DIR / "sms.jsonl"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            new_ticket(caller_phone="13911110000")
            raise RuntimeError("the request failed after intake")
    assert callbacks == [] and not outbox.exists()
    assert not Ticket.objects.exists() and not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket = new_ticket(caller_phone="13911110000")
    assert len(callbacks) == 1
    sms = outbox.read_text(encoding="utf-8")
    assert ticket.number in sms and "已受理" in sms and "13911110000" in sms


def test_numbers_continue_after_those_already_handed_out(hl, new_ticket):
    """A day's numbers start after those the day already has (from the counter table, or on
    tickets), on every database."""
    from hotline.models import TicketSequence

    counted = timezone.make_aware(datetime(2031, 3, 4, 10, 0))
    TicketSequence.objects.create(day=counted.date(), last=41)
    assert new_ticket(received_at=counted).number == "12345-20310304-000042"
    assert new_ticket(received_at=counted).number == "12345-20310304-000043"
    on_tickets = timezone.make_aware(datetime(2031, 3, 5, 10, 0))
    Ticket.objects.filter(pk=new_ticket(received_at=counted).pk).update(
        number="12345-20310305-000050")
    assert new_ticket(received_at=on_tickets).number == "12345-20310305-000051"


def test_a_number_already_on_a_ticket_is_skipped(hl, new_ticket):
    """Once the day is counting, a ticket written with one of its next numbers (an import, demo
    data) does not make the next intake fail: the taken number is skipped, on every database."""
    day = timezone.make_aware(datetime(2031, 4, 1, 10, 0))
    assert new_ticket(received_at=day).number == "12345-20310401-000001"
    Ticket.objects.filter(pk=new_ticket(received_at=day).pk).update(
        number="12345-20310401-000003")
    assert new_ticket(received_at=day).number == "12345-20310401-000004"
