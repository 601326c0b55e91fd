"""Two people act on one ticket at the same moment: exactly one wins (PostgreSQL row lock)."""

import threading
import time

import pytest
from django.db import connection

from hotline import services, workflows
from hotline.models import Status, Ticket, TicketAssignment, TicketEvent
from hotline.workflows import TransitionError, perform

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls, monkeypatch, action):
    """Run ``calls`` in threads that start together; the handler of ``action`` is slowed down
    so the second caller certainly arrives while the first holds the lock."""
    original = workflows.HANDLERS[action]

    def slow(*args):
        time.sleep(0.3)
        return original(*args)

    monkeypatch.setitem(workflows.HANDLERS, action, slow)
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except TransitionError as exc:
            results[i] = ("refused", str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_dispatchers_dispatch_the_same_ticket(hl, new_ticket, monkeypatch):
    u, orgs = hl["users"], hl["orgs"]
    ticket = new_ticket()
    results = race([
        lambda: perform(ticket, "dispatch", u["dispatcher"], lead=orgs["hrss"]),
        lambda: perform(ticket, "dispatch", u["dispatcher2"], lead=orgs["housing"]),
    ], monkeypatch, "dispatch")
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"]
    message = next(r[1] for r in results if r[0] == "refused")
    assert "当前状态为「待签收」" in message and "请刷新" in message
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_SIGN
    assert TicketEvent.objects.filter(ticket=ticket, action="dispatch").count() == 1
    assert TicketAssignment.objects.filter(ticket=ticket, active=True).count() == 1


def test_handler_signs_while_dispatcher_redispatches(hl, new_ticket, drive, monkeypatch):
    u, orgs = hl["users"], hl["orgs"]
    ticket = drive(new_ticket(), Status.PENDING_SIGN)
    results = race([
        lambda: perform(ticket, "sign", u["handler"]),
        lambda: perform(ticket, "merge", u["dispatcher"], target=ticket.pk),
        lambda: perform(ticket, "redispatch", u["dispatcher"], lead=orgs["housing"],
                        note="职责调整"),
    ], monkeypatch, "sign")
    kinds = [r[0] for r in results]
    assert kinds[1] == "refused"  # merging a dispatched ticket is never allowed
    assert sorted([kinds[0], kinds[2]]) in (["ok", "ok"], ["ok", "refused"])
    ticket = Ticket.objects.get(pk=ticket.pk)
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    if kinds[0] == "ok" and kinds[2] == "ok":
        # signed first, then redispatched (allowed from 办理中): state is consistent
        assert events[-2:] == ["sign", "redispatch"] and ticket.status == Status.PENDING_SIGN
    else:
        assert ticket.status in (Status.IN_PROGRESS, Status.PENDING_SIGN)
        assert events.count("sign") + events.count("redispatch") == 1


def test_concurrent_intakes_get_distinct_numbers(hl):
    """Four intakes at once, five times over: every ticket gets its own number of the day."""
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def file(worker):
        try:
            for n in range(5):
                barrier.wait()
                ticket = services.intake(
                    channel="web", caller_name="张三", caller_phone=f"1390000{worker}{n:03d}",
                    category=hl["cats"]["wages"], division=hl["divisions"]["street"],
                    content=f"公司拖欠三个月工资不发，请帮忙追讨（{worker}-{n}）")
                numbers.append(ticket.number)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(numbers) == 20 and len(set(numbers)) == 20
    assert sorted(Ticket.objects.values_list("number", flat=True)) == sorted(numbers)
    suffixes = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert suffixes == list(range(suffixes[0], suffixes[0] + 20))  # no gaps: none failed
