"""The 差评整改 loop closes only the right way: the rectification re-rating offers the reasons of a
first rating, a 差评 on a rectification (web or SMS) starts a new round escalated to the
supervisors, and the loop ends only with a non-差评 rating, an upheld appeal or the
supervisor's written decision. Every step through the rendered pages (tests/forms.py)."""

import pytest

from core import roles
from core.models import Message
from hotline.models import Status
from hotline.workflows import perform
from ratings import services
from ratings.models import BadRatingCase, Channel, Rating, RatingInvitation
from tests.forms import field_errors, form_data, option_value

from .conftest import token_from_outbox

pytestmark = pytest.mark.django_db

PHONE = "13712345678"
SECRET = {"X-Webhook-Secret": "test-secret"}


def case_url(case):
    return f"/admin/ratings/cases/{case.pk}/"


def act_form(client, case, action):
    """The case page's form of ``action`` as rendered: (form, data)."""
    html = client.get(case_url(case)).content.decode()
    return form_data(html, f'form[action$="/act/{action}/"]')


def post_act(client, case, action, **typed):
    form, data = act_form(client, case, action)
    data.update(typed)
    return client.post(form["action"], data, follow=True)


def rectified(rt, client, phone=PHONE, note="已对窗口人员批评教育并组织服务规范培训"):
    """A window 差评 called back and rectified by the department on the case page: the case
    waits for the resident's rating of the rectification; (case, token of that SMS link)."""
    event = services.record_event(window=rt["window"], item=rt["item"], phone=phone)
    rating = services.submit_rating(event=event, level=2, reason="attitude", comment="态度冷淡",
                                    channel=Channel.QR, phone_check=phone[-4:])
    return rectify(rt, client, rating.case, note)


def rectify(rt, client, case, note="已再次约谈窗口负责人，整改服务流程并当面致歉"):
    client.force_login(rt["users"]["handler"])
    if case.stage == BadRatingCase.Stage.CALLBACK:
        post_act(client, case, "callback", note="已电话回访，办事人反映窗口人员态度冷淡")
    post_act(client, case, "rectify", note=note)
    client.logout()
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.FEEDBACK
    return case, token_from_outbox(case.rating.phone)


def rate_page(client, token):
    form, data = form_data(client.get(f"/rate/{token}/").content.decode())
    return form, data


def reasons(form):
    return [o.get_text(strip=True) for o in form.select("select[name=reason] option")]


# --- Item 2: the re-rating form offers the reasons ----------------------------------------------


def test_rectification_rerating_offers_the_reasons_of_a_first_rating(rt, client, invited):
    _ticket, _invitation, first_token = invited(phone="13900001111")
    first_form, _data = rate_page(client, first_token)
    case, token = rectified(rt, client)
    form, data = rate_page(client, token)
    assert reasons(form) and reasons(form) == reasons(first_form)
    assert form.select("textarea[name=comment]")
    # a 差评 without a reason is refused on the page and changes nothing
    data["level"] = option_value(form, "level", "不满意")
    refused = client.post(f"/rate/{token}/", data)
    assert refused.status_code == 200
    assert "差评请选择不满意的原因" in refused.content.decode()
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.FEEDBACK and case.followup_level is None
    # with its reason it is accepted
    form, data = form_data(refused.content.decode())
    data["level"] = option_value(form, "level", "不满意")
    data["reason"] = option_value(form, "reason", "问题没有解决")
    data["comment"] = "只是口头道歉，窗口依然推诿"
    done = client.post(f"/rate/{token}/", data)
    assert done.status_code == 302 and done["Location"] == "/ratings/done/"
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 2
    rated = case.history.get(action="rated", round=1)
    assert (rated.level, rated.reason, rated.note) == (2, "unsolved", "只是口头道歉，窗口依然推诿")


def test_rectification_rated_well_on_the_web_closes_the_case(rt, client):
    case, token = rectified(rt, client)
    form, data = rate_page(client, token)
    data["level"] = option_value(form, "level", "满意")
    assert client.post(f"/rate/{token}/", data).status_code == 302
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.CLOSED and case.followup_level == 4
    assert case.round == 1 and case.closed_at is not None


# --- Item 3: an SMS reply follows the same rule -------------------------------------------------


def test_sms_reply_1_to_a_rectification_starts_a_second_round(rt, client):
    case, _token = rectified(rt, client)
    reply = client.post("/ratings/sms-reply/", {"phone": PHONE, "text": "1"}, headers=SECRET)
    assert reply.json()["ok"] is True
    case.refresh_from_db()
    assert case.stage != BadRatingCase.Stage.CLOSED and case.closed_at is None
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 2
    rated = case.history.get(action="rated")
    assert rated.level == 1 and rated.reason == "unspecified"
    # the supervisor sees it on the case page
    client.force_login(rt["users"]["supervisor"])
    page = client.get(case_url(case)).content.decode()
    assert "第 2 轮" in page and "短信评价，未说明原因" in page
    # a second SMS reply rates nothing more
    again = client.post("/ratings/sms-reply/", {"phone": PHONE, "text": "5"}, headers=SECRET)
    assert again.json()["ok"] is False
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING


def test_sms_reply_4_to_a_rectification_closes_the_case(rt, client):
    case, _token = rectified(rt, client)
    reply = client.post("/ratings/sms-reply/", {"phone": PHONE, "text": "4"}, headers=SECRET)
    assert reply.json()["ok"] is True
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.CLOSED and case.followup_level == 4


# --- Item 4: a second 差评 reopens, escalated; only three ways out --------------------------------


def test_second_bad_rating_reopens_the_case_and_escalates_it(rt, client, invited):
    handler, supervisor = rt["users"]["handler"], rt["users"]["supervisor"]
    dispatcher = rt["users"]["dispatcher"]
    ticket, _invitation, token = invited(phone=PHONE)
    form, data = rate_page(client, token)
    data.update(level=option_value(form, "level", "非常不满意"),
                reason=option_value(form, "reason", "问题没有解决"), comment="工资只发了一半")
    assert client.post(f"/rate/{token}/", data).status_code == 302
    case = BadRatingCase.objects.get()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    # the department answers the reopened ticket and the hotline closes it again
    perform(ticket, "reply", handler, reply="已督促企业补发剩余工资。")
    perform(ticket, "approve_reply", dispatcher)
    perform(ticket, "callback", dispatcher, outcome="reached", satisfaction="satisfied",
            resolved=True, note="已电话回访，诉求人表示已收到部分工资。")
    case, token = rectify(rt, client, case, note="已责令企业补发剩余工资")

    # the resident is not satisfied with the rectification either: a second 差评
    form, data = rate_page(client, token)
    data.update(level=option_value(form, "level", "不满意"),
                reason=option_value(form, "reason", "问题没有解决"), comment="还差一个月工资")
    assert client.post(f"/rate/{token}/", data).status_code == 302
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 2
    assert case.closed_at is None and case.rectified_at is None and case.rectify_due
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 2
    # escalated to the supervisor (督办人) and back to the department, in their notices
    notice = Message.objects.get(user=supervisor, channel="inbox", kind="ratings.case_reopened")
    assert "第2轮" in notice.body and notice.link == case_url(case)
    assert Message.objects.filter(user=handler, kind="ratings.case_reopened").exists()

    # the supervisor sees the round and its history on the case page
    client.force_login(supervisor)
    page = client.get(case_url(case)).content.decode()
    assert "第 2 轮" in page
    for step in ("差评立案", "回访核实", "整改完成并反馈", "群众评价整改", "还差一个月工资",
                 "再次差评，重新整改"):
        assert step in page, step
    client.logout()

    # round 2: the department rectifies again; a new link; the resident rates it 满意
    case, token2 = rectify(rt, client, case, note="已协调企业结清全部工资并书面致歉")
    assert token2 != token
    assert RatingInvitation.objects.filter(case=case).count() == 2
    assert client.get(f"/rate/{token}/").status_code == 410  # the first round's link is spent
    form, data = rate_page(client, token2)
    data["level"] = option_value(form, "level", "满意")
    assert client.post(f"/rate/{token2}/", data).status_code == 302
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.CLOSED and case.followup_level == 4
    assert Rating.objects.count() == 1  # ratings are never added or changed by the loop


def test_every_further_bad_rating_opens_another_round(rt, client):
    case, _token = rectified(rt, client)
    assert services.handle_sms_reply(PHONE, "2").ok
    case, _token = rectify(rt, client, BadRatingCase.objects.get(pk=case.pk))
    assert services.handle_sms_reply(PHONE, "1").ok
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 3
    assert list(case.history.filter(action="rated").values_list("round", "level")) == [
        (1, 2), (2, 1)]


def test_supervisor_decision_needs_a_written_reason_and_is_shown(rt, client):
    handler, supervisor = rt["users"]["handler"], rt["users"]["supervisor"]
    case, _token = rectified(rt, client)
    # the first round cannot be ended by a decision: it is not escalated yet
    client.force_login(supervisor)
    assert "/act/decide/" not in client.get(case_url(case)).content.decode()
    with pytest.raises(services.RatingError):
        services.act_on_case(case, "decide", supervisor, note="已核实，诉求超出政策范围，予以办结。")
    assert services.handle_sms_reply(PHONE, "1").ok
    case.refresh_from_db()
    # the department cannot decide; the form is the supervisor's
    client.force_login(handler)
    assert "/act/decide/" not in client.get(case_url(case)).content.decode()
    client.force_login(supervisor)
    response = post_act(client, case, "decide")  # the form as rendered: no reason written
    assert field_errors(response.content.decode()) == ["请写明督办决定及理由（不少于10个字）。"]
    short = post_act(client, case, "decide", note="同意办结")
    assert field_errors(short.content.decode()) == ["请写明督办决定及理由（不少于10个字）。"]
    assert "同意办结" in short.content.decode()  # what was typed is kept
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.decided_at is None
    reason = "经现场核查，企业已按劳动合同结清工资，评价人另提的赔偿诉求不属本案，督办办结。"
    page = post_act(client, case, "decide", note=reason).content.decode()
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.DECIDED and case.closed_at is not None
    assert case.decided_by == supervisor and case.decision_note == reason
    assert reason in page and "督办决定办结" in page
    assert case.history.filter(action="decided", note=reason).exists()
    # nothing further can be done on it
    assert services.allowed_case_actions(case, supervisor) == []


def test_upheld_appeal_ends_a_second_round(rt, client):
    handler, supervisor = rt["users"]["handler"], rt["users"]["supervisor"]
    case, _token = rectified(rt, client)
    assert services.handle_sms_reply(PHONE, "2").ok
    case.refresh_from_db()
    client.force_login(handler)
    post_act(client, case, "appeal", reason="监控显示该办事人未在本窗口办理业务，系误评，请求复核。")
    client.force_login(supervisor)
    form, data = act_form(client, case, "decide_appeal")
    data.update(decision="uphold", reason="经调取监控核实，评价人非本次服务对象，申诉成立。")
    client.post(form["action"], data)
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.APPEAL_UPHELD and case.round == 2
    assert Rating.objects.get().status == Rating.Status.EXCLUDED


def test_case_list_shows_the_round_for_the_supervisor(rt, client, make_user):
    case, _token = rectified(rt, client)
    assert services.handle_sms_reply(PHONE, "1").ok
    client.force_login(rt["users"]["supervisor"])
    listing = client.get("/admin/ratings/cases/?escalated=1").content.decode()
    assert "第 2 轮" in listing and case_url(case) in listing
    # a supervisor from the platform's roles only: the group grants it
    assert rt["users"]["supervisor"].groups.filter(name=roles.SUPERVISOR).exists()
