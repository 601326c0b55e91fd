"""The rates are computed from the tickets, each by its one definition."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline import metrics
from hotline.models import Status, Ticket
from hotline.workflows import perform

pytestmark = pytest.mark.django_db


def test_rates_follow_their_definitions(hl, new_ticket, drive):
    u = hl["users"]
    on_time = drive(new_ticket(), Status.CLOSED)
    late = drive(new_ticket(), Status.CLOSED)
    Ticket.objects.filter(pk=late.pk).update(
        handle_deadline=late.replied_at - timedelta(hours=1),
        sign_deadline=late.signed_at - timedelta(minutes=1))
    unresolved = drive(new_ticket(), Status.PENDING_CALLBACK)
    perform(unresolved, "callback", u["dispatcher"], outcome="reached", satisfaction="basic",
            resolved=False, note="诉求人表示问题仍未解决")
    waiting = new_ticket()
    perform(new_ticket(), "link_repeat", u["dispatcher"], target=on_time)
    start, end = metrics.months_back(1)
    [row] = metrics.table(start, end, by=("month",))
    assert row["received"] == 5
    # 响应率: 2 of the 3 dispatched tickets were signed in time (the late one was not);
    # the linked repeat and the waiting ticket were never dispatched.
    assert (row["response_num"], row["response_den"]) == (2, 3)
    assert (row["on_time_num"], row["on_time_den"]) == (2, 3)
    assert (row["resolution_num"], row["resolution_den"]) == (2, 3)
    assert (row["repeat_num"], row["repeat_den"]) == (1, 5) and row["repeat"] == 20.0
    assert waiting.status == Status.PENDING_DISPATCH
    [dept] = [r for r in metrics.table(start, end, by=("department",))
              if r["department_name"] == hl["orgs"]["hrss"].name]
    assert dept["on_time"] == pytest.approx(66.7)
    [cat] = metrics.table(start, end, by=("category",))
    assert cat["category"] == "劳动保障" and cat["received"] == 5
    for rate in metrics.RATES:
        assert "=" in rate.formula and "÷" in rate.formula  # the formula is written down


def test_recurring_cluster_is_flagged_when_growing(hl, new_ticket):
    now = timezone.now()
    for i in range(6):
        new_ticket(received_at=now - timedelta(days=i + 1))
    new_ticket(received_at=now - timedelta(days=40))
    clusters = metrics.recurring_clusters(now - timedelta(days=30), now, minimum=5)
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster["count"] == 6 and cluster["previous"] == 1 and cluster["growing"]
    assert cluster["category"] == "欠薪" and cluster["county"] == "江城区"


def test_satisfaction_rate_counted_by_hand(hl, new_ticket, drive):
    u = hl["users"]

    def called_back(satisfaction, resolved=True):
        ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
        return perform(ticket, "callback", u["dispatcher"], outcome="reached",
                       satisfaction=satisfaction, resolved=resolved, note="回访记录")

    called_back("satisfied")
    called_back("basic", resolved=False)
    # 不满意: reopened (重办), then answered again and closed as satisfied: it stays 不满意.
    reopened = perform(drive(new_ticket(), Status.PENDING_CALLBACK), "reopen", u["dispatcher"],
                       note="诉求人表示工资仍未到账")
    reopened = perform(reopened, "reply", u["handler"], reply="工资已于本周全部结清。")
    reopened = perform(reopened, "approve_reply", u["dispatcher"])
    perform(reopened, "callback", u["dispatcher"], outcome="reached", satisfaction="satisfied",
            resolved=True, note="诉求人表示满意")
    # Still reopened and in progress: 不满意 as well.
    perform(drive(new_ticket(), Status.PENDING_CALLBACK), "reopen", u["dispatcher"],
            note="诉求人不满意")
    drive(new_ticket(), Status.PENDING_CALLBACK)  # not called back yet: not counted
    start, end = metrics.months_back(1)
    [row] = metrics.table(start, end, by=("month",))
    # 满意率 = (满意 1 + 基本满意 1) ÷ (those 2 + the 2 reopened) = 2 ÷ 4 = 50.0 %
    assert (row["satisfaction_num"], row["satisfaction_den"]) == (2, 4)
    assert row["satisfaction"] == 50.0
    # 解决率 = resolved 2 (the satisfied one and the reopened one closed again) ÷ closed 3
    assert (row["resolution_num"], row["resolution_den"]) == (2, 3)
    assert row["resolution"] == 66.7
