"""Each figure's formula on a hand-computed example."""

from datetime import datetime

import pytest
from django.utils import timezone

from ratings import metrics
from ratings.models import BadRatingCase, Rating

pytestmark = pytest.mark.django_db


def _rating(rt, level, *, org="hrss", default=False, status="counted", month=3, channel="qr",
            item="社会保障卡补办", case=None):
    from ratings.models import ServiceEvent

    at = timezone.make_aware(datetime(2026, month, 10, 10, 0))
    event = ServiceEvent.objects.create(window=rt["window"], organisation=rt["orgs"][org],
                                        item=rt["item"], served_at=at)
    rating = Rating.objects.create(event=event, organisation=rt["orgs"][org], item=item,
                                   channel="default" if default else channel, level=level,
                                   is_default=default, reason="" if level > 2 else "slow",
                                   served_at=at, rated_at=at, status=status)
    if case is not None:
        BadRatingCase.objects.create(rating=rating, organisation=rt["orgs"][org], created_at=at,
                                     callback_due=at, rectify_due=at, **case)
    return rating


def test_each_figure_on_a_hand_computed_example(rt):
    at = timezone.make_aware(datetime(2026, 3, 11))
    # March, 市人社局: 10 counted ratings
    for level in (5, 5, 4, 3):
        _rating(rt, level)                        # 4 active good, 3 of them 满意 or better
    _rating(rt, 3, default=True)                  # 2 defaults (unrated)
    _rating(rt, 3, default=True)
    _rating(rt, 2, case={"callback_at": at, "rectified_at": at, "followup_level": 4})
    _rating(rt, 1, case={"callback_at": at, "rectified_at": at, "followup_level": 2})
    _rating(rt, 2, case={"callback_at": at})
    _rating(rt, 1, case={})                       # 4 差评: 3 replied, 2 rectified, 2 followed
    # not counted: flagged, excluded by an upheld appeal, another month
    _rating(rt, 1, status="flagged")
    _rating(rt, 1, status="excluded", case={"callback_at": at})
    _rating(rt, 5, month=4)
    start, end = metrics.month_range(2026, 3)
    s = metrics.summary(start, end)
    assert (s["total"], s["active"], s["defaults"], s["bad"]) == (10, 8, 2, 4)
    assert s["satisfaction"] == 37.5        # 3 / 8
    assert s["good"] == 60.0                # (4 + 2 defaults) / 10
    assert s["active_good"] == 50.0         # 4 / 8
    assert s["unrated"] == 20.0             # 2 / 10
    assert s["bad_reply"] == 75.0           # 3 / 4
    assert s["rectify"] == 50.0             # 2 / 4
    assert s["rectify_satisfaction"] == 50.0  # 1 / 2


def test_grouped_by_department_item_channel_and_month(rt):
    _rating(rt, 5)
    _rating(rt, 1, org="housing", item="住房公积金提取", channel="sms_link")
    _rating(rt, 4, month=4)
    by_department = {r["department"]: r for r in metrics.table(by=("department",))}
    assert by_department["临江市人力资源和社会保障局"]["total"] == 2
    assert by_department["临江市住房和城乡建设局"]["good"] == 0.0
    by_month = metrics.table(by=("month",))
    assert [r["month"].month for r in by_month] == [3, 4]
    by_item = {r["item"]: r["total"] for r in metrics.table(by=("item",))}
    assert by_item == {"社会保障卡补办": 2, "住房公积金提取": 1}
    by_channel = {r["channel"]: r["total"] for r in metrics.table(by=("channel",))}
    assert by_channel == {"qr": 2, "sms_link": 1}
    ranking = metrics.ranking(None, None)
    assert [r["department"] for r in ranking] == ["临江市人力资源和社会保障局",
                                                  "临江市住房和城乡建设局"]


def test_no_ratings_means_no_figure_not_zero(rt):
    s = metrics.summary()
    assert s["total"] == 0 and s["good"] is None and s["bad_reply"] is None
