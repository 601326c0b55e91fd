"""End to end in Chromium: a resident files a request on the public site, the dispatcher
dispatches it, the handler signs and answers, the hotline approves the answer, and the
resident tracks the request and reads the reply."""

import pytest

from hotline.models import Status, Ticket
from tests.conftest import admin_tab, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "已约谈用人单位，拖欠的三个月工资已于今日全部发放到您的银行卡。"


def login(browser, live_server, username):
    return admin_tab(browser, live_server.url, username)


def act(tab, action, fill=None):
    form = tab.locator(f'form[data-action="{action}"]')
    for selector, value in (fill or {}).items():
        form.locator(selector).fill(value)
    form.get_by_role("button").click()
    tab.wait_for_load_state()


def test_resident_files_dispatcher_dispatches_handler_answers_resident_tracks(
        live_server, page, browser, hl):
    # 1. The resident files a request.
    page.goto(live_server.url + "/hotline/submit/")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("手机号码").fill("13987654321")
    page.get_by_label("所在区域").select_option(label="江城区解放路街道")
    page.get_by_label("详细地址").fill("解放路8号")
    page.get_by_label("诉求分类").select_option(label="劳动保障 › 欠薪")
    page.get_by_label("诉求内容").fill("公司拖欠我三个月工资，多次讨要无果，请求帮助追讨。")
    page.get_by_label("我确认所填内容真实").check()
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_url("**/hotline/submit/done/")
    number = page.locator("#receipt-number").inner_text().strip()
    ticket = Ticket.objects.get(number=number)
    screenshot(page, "hotline-receipt")
    detail = f"{live_server.url}/admin/hotline/ticket/{ticket.pk}/"

    # 2. The dispatcher dispatches it to the department the catalogue suggests.
    ctx, tab = login(browser, live_server, "dispatcher")
    tab.goto(detail)
    assert "派单目录建议" in tab.content()
    act(tab, "dispatch")
    assert "已派单" in tab.content()
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_SIGN and ticket.lead_org == hl["orgs"]["hrss"]

    # 3. The handler signs and answers.
    hctx, htab = login(browser, live_server, "handler")
    htab.goto(detail)
    act(htab, "sign")
    act(htab, "reply", {"textarea[name=reply]": REPLY})
    assert "已答复" in htab.content()
    screenshot(htab, "hotline-handler-replied")

    # 4. The hotline approves the answer (the resident is told by SMS).
    tab.goto(detail)
    act(tab, "approve_reply")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CALLBACK
    assert [e.action for e in ticket.events.all()] == [
        "intake", "dispatch", "sign", "reply", "approve_reply"]

    # 5. The resident tracks it and reads the reply; personal data is masked.
    page.goto(live_server.url + "/hotline/track/")
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("手机号码").fill("13987654321")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.locator("#ticket-reply").inner_text().strip() == REPLY
    text = page.content()
    assert "待回访" in text and "王**" in text and "139****4321" in text
    assert "13987654321" not in text
    screenshot(page, "hotline-track")
    assert page.problems == []
    ctx.close()
    hctx.close()
