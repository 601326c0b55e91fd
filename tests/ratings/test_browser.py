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
