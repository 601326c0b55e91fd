"""End to end in Chromium: the resident opens the rating link from the SMS outbox and gives
不满意 with a reason; the department calls back and rectifies; the resident rates the
rectification from the second SMS; the dashboard shows the change."""

from urllib.parse import urlparse

import pytest

from ratings.models import BadRatingCase, Rating
from tests.conftest import admin_tab, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13966668888"


def sms_links(phone):
    """Rating links sent to ``phone`` as the SMS gateway receives them (the outbox file and
    the message log keep them masked)."""
    from core.messaging import for_delivery
    from core.models import Message

    links = [for_delivery(m).link for m in Message.objects.filter(
        channel="sms", recipient=phone).order_by("pk")]
    return [urlparse(link).path for link in links if "/rate/" in link]


def login(browser, live_server, username):
    return admin_tab(browser, live_server.url, username)


def figure(tab, key):
    return tab.locator(f'[data-figure="{key}"]').first.inner_text().strip()


def test_bad_rating_closed_loop_in_the_browser(live_server, page, browser, rt, invited):
    invited(phone=PHONE)
    [link] = sms_links(PHONE)

    # 1. The resident opens the link on a phone-sized screen and gives 不满意 with a reason.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + link)
    assert "请评价本次服务" in page.content()
    page.locator('input[name="level"][value="2"]').check()
    page.get_by_role("button", name="提交评价").click()
    assert "差评请选择不满意的原因" in page.content()  # a 差评 needs a reason
    page.locator('input[name="level"][value="2"]').check()
    page.get_by_label("不满意的原因（差评必选）").select_option(label="问题没有解决")
    page.get_by_label("具体情况或建议（选填）").fill("工资只补发了一个月，还有两个月没有发。")
    screenshot(page, "ratings-rate-mobile")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/ratings/done/")
    rating = Rating.objects.get()
    assert rating.level == 2 and rating.reason == "unsolved"
    case = BadRatingCase.objects.get(rating=rating)
    assert page.problems == []
    page.goto(live_server.url + link)  # the link cannot be used again
    assert "已使用" in page.content()

    # 2. The supervisor's dashboard shows an unanswered 差评.
    sup_ctx, sup = login(browser, live_server, "supervisor")
    sup.goto(live_server.url + "/admin/ratings/")
    assert figure(sup, "bad_reply") == "0.0%"
    assert figure(sup, "rectify_satisfaction") == "—"

    # 3. The department calls back and rectifies.
    ctx, tab = login(browser, live_server, "handler")
    tab.goto(live_server.url + "/admin/ratings/cases/")
    tab.get_by_role("link", name=case.created_at.astimezone().strftime("%Y-%m-%d %H:%M")).click()
    assert "待回访核实" in tab.locator("#case-stage").inner_text()
    tab.get_by_label("回访核实情况").fill("已电话回访，企业尚欠两个月工资，情况属实。")
    tab.get_by_role("button", name="回访核实").click()
    assert "整改中" in tab.locator("#case-stage").inner_text()
    tab.get_by_label("整改措施和结果（将以短信反馈给评价人）").fill(
        "已责令企业补发剩余两个月工资，款项已于今日到账。")
    tab.get_by_role("button", name="整改完成并反馈").click()
    assert "待群众评价整改" in tab.locator("#case-stage").inner_text()
    screenshot(tab, "ratings-case")
    ctx.close()

    # 4. The resident rates the rectification from the second SMS.
    links = sms_links(PHONE)
    assert len(links) == 2
    page.goto(live_server.url + links[-1])
    assert "请评价整改结果" in page.content() and "款项已于今日到账" in page.content()
    page.locator('input[name="level"][value="4"]').check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/ratings/done/")
    case.refresh_from_db()
    assert case.stage == "closed" and case.followup_level == 4

    # 5. The dashboard shows the change.
    sup.goto(live_server.url + "/admin/ratings/")
    assert figure(sup, "bad_reply") == "100.0%"
    assert figure(sup, "rectify") == "100.0%"
    assert figure(sup, "rectify_satisfaction") == "100.0%"
    screenshot(sup, "ratings-dashboard")
    sup_ctx.close()


# --- Issue 13: the window QR digits, the rectification 差评, the second round ------------------

WINDOW_PHONE = "13712345678"
PHONE_SIZE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def whole_page(tab, name, width):
    """A screenshot of the whole admin page (its content scrolls inside a fixed-height frame,
    so the viewport is made as tall as the content first)."""
    height = tab.evaluate("document.documentElement.scrollHeight")
    for _ in range(2):  # a narrower page is taller
        tab.set_viewport_size({"width": width, "height": max(height, 600)})
        height = tab.evaluate("Math.max(document.documentElement.scrollHeight, "
                              "document.querySelector('main')?.scrollHeight || 0)")
    tab.set_viewport_size({"width": width, "height": max(height, 600)})
    screenshot(tab, name)
    tab.set_viewport_size(DESKTOP)


def ids_on(tab):
    """Every id on the page (an id names one element: no repeats)."""
    return tab.eval_on_selector_all("[id]", "els => els.map(e => e.id)")


def rectified_window_case(rt):
    """A window 差评 whose department called back and rectified: the resident has the
    rectification's rating link by SMS."""
    from ratings import services
    from ratings.models import Channel

    handler = rt["users"]["handler"]
    event = services.record_event(window=rt["window"], item=rt["item"], phone=WINDOW_PHONE)
    rating = services.submit_rating(event=event, level=2, reason="attitude", comment="态度冷淡",
                                    channel=Channel.QR, phone_check=WINDOW_PHONE[-4:])
    services.act_on_case(rating.case, "callback", handler, note="已电话回访，情况属实。")
    case = services.act_on_case(rating.case, "rectify", handler,
                                note="已对窗口人员批评教育并组织服务规范培训。")
    return case, sms_links(WINDOW_PHONE)[-1]


def test_window_qr_rating_with_the_digits_in_the_visible_field(live_server, page, rt):
    from ratings import services

    services.record_event(window=rt["window"], item=rt["item"], phone=WINDOW_PHONE)
    url = f"{live_server.url}/rate/window/{rt['window'].key}/"
    page.goto(url)
    ids = ids_on(page)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    screenshot(page, "ratings-window-qr-desktop")
    page.set_viewport_size(PHONE_SIZE)
    digits = page.get_by_label("办事时登记的手机号码后四位")  # one box (strict locator)
    assert digits.is_visible()
    # wrong digits: the message is next to the box, and the box is still the only one
    page.locator('input[name="level"][value="5"]').check()
    digits.fill("1111")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "后四位不正确" in page.locator("#phone-check-errors").inner_text()
    assert page.locator("input[name=phone_check]").count() == 1
    screenshot(page, "ratings-window-qr-error-mobile")
    # the right digits typed into the visible box are accepted
    page.locator('input[name="level"][value="5"]').check()
    page.get_by_label("办事时登记的手机号码后四位").fill("5678")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/ratings/done/")
    assert "感谢您的评价" in page.content()
    rating = Rating.objects.get()
    assert rating.channel == "qr" and rating.level == 5
    assert page.problems == []


def test_web_bad_rating_of_a_rectification_with_its_reason(live_server, page, rt):
    case, link = rectified_window_case(rt)
    page.goto(live_server.url + link)
    assert "请评价整改结果" in page.content() and "批评教育" in page.content()
    screenshot(page, "ratings-rectification-desktop")
    page.set_viewport_size(PHONE_SIZE)
    reason = page.locator("select[name=reason]")
    assert reason.count() == 1 and reason.is_visible()
    page.locator('input[name="level"][value="2"]').check()
    page.get_by_label("不满意的原因（差评必选）").select_option(label="问题没有解决")
    page.get_by_label("具体情况或建议（选填）").fill("只是口头批评，窗口依然推诿。")
    screenshot(page, "ratings-rectification-mobile")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/ratings/done/")
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 2
    rated = case.history.get(action="rated")
    assert (rated.level, rated.reason) == (2, "unsolved")
    assert page.problems == []


def test_second_bad_rating_reopens_and_the_supervisor_sees_it(live_server, page, browser, rt):
    case, _link = rectified_window_case(rt)
    # the resident answers the rectification SMS with 1 (非常不满意) through the SMS gateway
    reply = page.request.post(live_server.url + "/ratings/sms-reply/",
                              form={"phone": WINDOW_PHONE, "text": "1"},
                              headers={"X-Webhook-Secret": "test-secret"})
    assert reply.json()["ok"] is True
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING and case.round == 2

    # the supervisor finds the notice in 我的消息 and opens the case from it
    ctx, tab = login(browser, live_server, "supervisor")
    tab.goto(live_server.url + "/admin/inbox/")
    tab.get_by_role("link", name="差评再次整改督办").click()
    tab.wait_for_url(f"**/admin/ratings/cases/{case.pk}/")
    assert "第 2 轮" in tab.locator("#case-round").inner_text()
    assert "再次差评，已报督办" in tab.locator("#case-round").inner_text()
    history = tab.locator("#case-history").inner_text()
    for step in ("差评立案", "回访核实", "整改完成并反馈", "非常不满意", "短信评价，未说明原因",
                 "再次差评，重新整改并报送督办"):
        assert step in history, step
    ids = ids_on(tab)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    # a decision needs a written reason: too short is refused at the field, nothing changes
    form = tab.locator('form[data-action="decide"]')
    form.get_by_label("督办决定及理由（必填，不少于10个字）").fill("同意办结")
    form.get_by_role("button", name="督办决定办结").click()
    tab.wait_for_load_state()
    assert "请写明督办决定及理由" in tab.locator("#error-decide").inner_text()
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.RECTIFYING
    reason = "经现场核查，窗口已两轮整改并当面致歉，评价人的其他诉求已转12345另行办理，督办办结。"
    form = tab.locator('form[data-action="decide"]')
    form.get_by_label("督办决定及理由（必填，不少于10个字）").fill(reason)
    whole_page(tab, "ratings-case-round2-desktop", 1280)
    form.get_by_role("button", name="督办决定办结").click()
    tab.wait_for_load_state()
    assert "督办决定办结" in tab.locator("#case-stage").inner_text()
    assert reason in tab.locator("#case-decision").inner_text()
    whole_page(tab, "ratings-case-decided-mobile", 390)
    whole_page(tab, "ratings-case-decided-desktop", 1280)
    tab.goto(live_server.url + "/admin/ratings/cases/?escalated=1")
    assert "第 2 轮" in tab.content()
    case.refresh_from_db()
    assert case.stage == BadRatingCase.Stage.DECIDED and case.decision_note == reason
    ctx.close()
