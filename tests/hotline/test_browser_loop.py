"""Issue 13 in Chromium, on the ticket page: the 回访 form refuses an empty submit (messages
beside the fields, the ticket unchanged), and the dispatcher is offered no action that does not
apply (no 审核派单异议 without an objection, no 审核延期 without a request, no department
preselected for 改派)."""

import pytest

from hotline.models import Status
from hotline.workflows import perform
from tests.conftest import admin_tab, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def detail_url(live_server, ticket):
    return f"{live_server.url}/admin/hotline/ticket/{ticket.pk}/"


def offered(tab):
    return set(tab.locator("form[data-action]").evaluate_all(
        "forms => forms.map(f => f.dataset.action)"))


def test_callback_form_refuses_an_empty_submit(live_server, browser, hl, new_ticket, drive):
    ticket = drive(new_ticket(), Status.PENDING_CALLBACK)
    events = ticket.events.count()
    ctx, tab = admin_tab(browser, live_server.url, "dispatcher")
    tab.goto(detail_url(live_server, ticket))
    form = tab.locator('form[data-action="callback"]')
    assert form.locator("input[type=radio]:checked").count() == 0  # nothing preselected
    assert form.get_by_label("回访记录").input_value() == ""
    form.get_by_role("button", name="提交回访结果").click()
    tab.wait_for_load_state()

    form = tab.locator('form[data-action="callback"]')
    for field, text in [("outcome", "请选择回访结果"), ("satisfaction", "满意或基本满意"),
                        ("resolved", "是否已解决")]:
        error = form.locator(f"#cb-{field} .error-message")
        assert error.is_visible() and text in error.inner_text()
    note_error = form.locator("#cb-note-error")
    assert note_error.is_visible() and "请填写回访记录" in note_error.inner_text()
    assert form.get_by_label("回访记录").get_attribute("aria-invalid") == "true"
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CALLBACK and ticket.satisfaction == ""
    assert ticket.events.count() == events
    form.scroll_into_view_if_needed()
    screenshot(tab, "hotline-callback-refused")
    tab.set_viewport_size(PHONE)
    form.locator("#cb-outcome").scroll_into_view_if_needed()
    assert form.locator("#cb-outcome .error-message").is_visible()
    screenshot(tab, "hotline-callback-refused-phone")

    # choosing 联系不上 with a note records the first attempt; the ticket stays 待回访
    form.get_by_label("联系不上", exact=True).check()
    form.get_by_label("回访记录").fill("14:00 拨打两次无人接听")
    form.get_by_role("button", name="提交回访结果").click()
    tab.wait_for_load_state()
    assert "回访联系不上（第 1 次）" in tab.locator("#t-timeline + ol").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CALLBACK
    attempts = tab.locator("#cb-attempts")
    attempts.scroll_into_view_if_needed()
    assert "已回访联系不上 1 次" in attempts.inner_text()
    screenshot(tab, "hotline-callback-attempt-phone")
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(live_server.url + "/hotline/figures/")
    assert "回访无法联系（件）" in tab.locator("table.data").first.inner_text()
    screenshot(tab, "hotline-figures")
    ctx.close()


def test_dispatcher_sees_no_phantom_actions(live_server, browser, hl, new_ticket, drive):
    u, orgs = hl["users"], hl["orgs"]
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    waiting = new_ticket()
    ctx, tab = admin_tab(browser, live_server.url, "dispatcher")

    tab.goto(detail_url(live_server, ticket))
    actions = tab.locator("#t-actions").locator("..")
    assert offered(tab) == {"redispatch", "link_policy"}
    assert "审核派单异议" not in actions.inner_text() and "审核延期" not in actions.inner_text()
    lead = tab.locator("#redispatch-lead")
    assert lead.input_value() == ""  # no department preselected
    assert orgs["hrss"].name not in lead.inner_text()  # nor the present one offered again
    screenshot(tab, "hotline-dispatcher-in-progress")

    # with an objection and an extension request pending, their reviews appear — and 改派
    # gives way to the objection's review
    perform(ticket, "object", u["handler"], reason="该事项属于住建部门职责。",
            suggested=orgs["housing"].pk)
    perform(ticket, "request_extension", u["handler"], days=3, reason="需现场核实")
    tab.reload()
    assert offered(tab) == {"review_objection", "review_extension", "link_policy"}

    # 派单: the catalogue's suggestion is the one preselected, and it says so
    tab.goto(detail_url(live_server, waiting))
    chosen = tab.locator("#dispatch-lead option:checked")
    assert chosen.inner_text().strip() == f"{orgs['hrss'].name}（目录建议）"
    tab.locator('form[data-action="dispatch"]').scroll_into_view_if_needed()
    screenshot(tab, "hotline-dispatch-suggestion")
    tab.set_viewport_size(PHONE)
    tab.locator("#dispatch-lead").scroll_into_view_if_needed()
    assert tab.locator("#dispatch-lead-help").is_visible()  # the mark, even if the select is cut
    screenshot(tab, "hotline-dispatch-suggestion-phone")
    ctx.close()
