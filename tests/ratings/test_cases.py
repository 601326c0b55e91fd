"""差评整改: deadlines on working days, the full loop with the rater's rectification rating,
overdue escalation, permissions, and appeals that never delete a rating."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.models import Message
from ratings import metrics, services
from ratings.models import Appeal, BadRatingCase, Channel, Rating, RatingInvitation
from ratings.tasks import mark_overdue_cases

from .conftest import token_from_outbox

pytestmark = pytest.mark.django_db


def _bad_rating(rt, phone="13712345678", at=None):
    event = services.record_event(window=rt["window"], item=rt["item"], phone=phone,
                                  served_at=at)
    return services.submit_rating(event=event, level=2, reason="attitude", comment="态度冷淡",
                                  channel=Channel.QR, phone_check=phone[-4:], now=at)


def test_deadlines_count_working_days_across_national_day(rt):
    # Tuesday 30 September 2025, 10:00: 1–8 October are holidays, Saturday 11 October is a
    # make-up working day.
    at = timezone.make_aware(datetime(2025, 9, 30, 10, 0))
    rating = _bad_rating(rt, at=at)
    case = rating.case
    assert timezone.localtime(case.callback_due) == timezone.make_aware(
        datetime(2025, 10, 9, 18, 0))
    # 9,10,11(调休),13,14,15,16,17,20,21,22,23,24,27,28 October: the 15th working day
    assert timezone.localtime(case.rectify_due) == timezone.make_aware(
        datetime(2025, 10, 28, 18, 0))


def test_deadlines_follow_the_settings(rt, settings):
    settings.PLATFORM = {**settings.PLATFORM, "RATINGS_RECTIFY_WORKING_DAYS": 5}
    at = timezone.make_aware(datetime(2025, 9, 30, 10, 0))
    case = _bad_rating(rt, at=at).case
    assert timezone.localtime(case.rectify_due).date() == datetime(2025, 10, 14).date()


def test_closed_loop_callback_rectify_feedback_and_rectification_rating(rt, client):
    handler, other = rt["users"]["handler"], rt["users"]["other_handler"]
    rating = _bad_rating(rt)
    case = rating.case
    assert Message.objects.filter(user=handler, kind="ratings.case_opened").exists()
    # another department cannot act on it
    with pytest.raises(services.RatingError):
        services.act_on_case(case, "callback", other, note="已回访")
    with pytest.raises(services.RatingError, match="回访核实情况"):
        services.act_on_case(case, "callback", handler, note="")
    services.act_on_case(case, "callback", handler, note="已电话回访，办事人反映窗口人员态度冷淡")
    with pytest.raises(services.RatingError):  # the same step twice
        services.act_on_case(case, "callback", handler, note="再次回访情况")
    case = services.act_on_case(case, "rectify", handler,
                                note="已对窗口人员批评教育并组织服务规范培训")
    assert case.stage == BadRatingCase.Stage.FEEDBACK
    sms = Message.objects.filter(recipient="13712345678", kind="ratings.rectification").get()
    assert "批评教育" in sms.body
    # the rater rates the rectification through the link in the SMS
    token = token_from_outbox("13712345678")
    page = client.get(f"/rate/{token}/")
    assert "整改" in page.content.decode()
    assert client.post(f"/rate/{token}/", {"level": 4}).status_code == 302
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.CLOSED and case.followup_level == 4
    assert client.post(f"/rate/{token}/", {"level": 1}).status_code == 410
    # the original rating is untouched
    assert Rating.objects.get(pk=rating.pk).level == 2
    figures = metrics.summary()
    assert (figures["bad_reply"], figures["rectify"], figures["rectify_satisfaction"]) == (
        100.0, 100.0, 100.0)


def test_the_figures_follow_each_step_of_a_case(rt):
    """A case's step marks its day for the figures again (a database trigger): read between
    the steps, the figures are never stale."""
    handler = rt["users"]["handler"]
    case = _bad_rating(rt).case
    assert metrics.summary()["bad_reply"] == 0.0
    services.act_on_case(case, "callback", handler, note="已电话回访核实情况")
    assert metrics.summary()["bad_reply"] == 100.0
    assert metrics.summary()["rectify"] == 0.0
    services.act_on_case(case, "rectify", handler, note="已整改并培训窗口人员")
    assert metrics.summary()["rectify"] == 100.0


def test_overdue_cases_go_to_supervisors_once(rt):
    supervisor = rt["users"]["supervisor"]
    at = timezone.now() - timedelta(days=10)
    case = _bad_rating(rt, at=at).case
    fresh = _bad_rating(rt, phone="13712340000").case
    assert mark_overdue_cases() == 1
    assert mark_overdue_cases() == 0
    case.refresh_from_db()
    fresh.refresh_from_db()
    assert case.overdue and case.escalated_at and not fresh.overdue
    assert Message.objects.filter(user=supervisor, kind="ratings.case_overdue").count() == 1


def test_upheld_appeal_keeps_the_rating_but_removes_it_from_the_figures(rt):
    handler, supervisor = rt["users"]["handler"], rt["users"]["supervisor"]
    good_event = services.record_event(window=rt["window"], item=rt["item"])
    services.submit_rating(event=good_event, level=5, channel=Channel.QR)
    rating = _bad_rating(rt)
    assert metrics.summary()["good"] == 50.0
    with pytest.raises(services.RatingError, match="申诉理由"):
        services.act_on_case(rating.case, "appeal", handler, reason="恶意")
    services.act_on_case(rating.case, "appeal", handler,
                         reason="监控显示该办事人未在本窗口办理业务，系误评，请求复核。")
    assert Appeal.objects.get().status == "pending"
    # the department cannot decide its own appeal
    with pytest.raises(services.RatingError):
        services.act_on_case(rating.case, "decide_appeal", handler, decision="uphold",
                             reason="自行裁定")
    with pytest.raises(services.RatingError, match="裁定理由"):
        services.act_on_case(rating.case, "decide_appeal", supervisor, decision="uphold")
    services.act_on_case(rating.case, "decide_appeal", supervisor, decision="uphold",
                         reason="经调取监控核实，评价人非本次服务对象，申诉成立。")
    stored = Rating.objects.get(pk=rating.pk)
    assert stored.level == 2 and stored.status == Rating.Status.EXCLUDED
    assert "申诉成立" in stored.status_note
    appeal = Appeal.objects.get()
    assert appeal.status == "upheld" and appeal.decided_by == supervisor
    assert "监控" in appeal.decision_reason
    figures = metrics.summary()
    assert figures["total"] == 1 and figures["bad"] == 0 and figures["good"] == 100.0
    assert BadRatingCase.objects.get().stage == BadRatingCase.Stage.APPEAL_UPHELD


def test_rejected_appeal_keeps_the_rating_counted(rt):
    handler, supervisor = rt["users"]["handler"], rt["users"]["supervisor"]
    rating = _bad_rating(rt)
    services.act_on_case(rating.case, "appeal", handler, reason="评价人描述与事实不符，请求复核。")
    services.act_on_case(rating.case, "decide_appeal", supervisor, decision="reject",
                         reason="回访录音证实评价属实。")
    assert metrics.summary()["bad"] == 1
    assert BadRatingCase.objects.get().stage == BadRatingCase.Stage.CALLBACK


def test_rectification_link_is_for_that_case_only(rt):
    handler = rt["users"]["handler"]
    case = _bad_rating(rt).case
    services.act_on_case(case, "callback", handler, note="已回访核实情况")
    services.act_on_case(case, "rectify", handler, note="已整改完毕并培训")
    invitation = RatingInvitation.objects.get(case=case)
    assert invitation.kind == "rectification"
    result = services.handle_sms_reply("13712345678", "3")
    assert result.ok
    case.refresh_from_db()
    assert case.followup_level == 3 and Rating.objects.count() == 1
