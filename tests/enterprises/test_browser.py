"""End to end in Chromium: an enterprise logs in to its portal; a policy whose criteria match it
is published through the real publish path; the enterprise finds it in its inbox with the reason
it matched, files a request about it (the policy prefilled), and follows the request while the
hotline dispatches, the department answers and the answer is approved; then it rates it."""

import pytest
from django.core.cache import cache

from enterprises.models import Delivery, Push
from hotline.models import Category, Channel, DispatchRule, Status, Ticket
from hotline.workflows import perform
from ratings.models import Rating
from tests.conftest import admin_tab, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "经核实，贵公司符合研发设备购置补助条件，请于本月底前通过政务服务网上传设备发票，审核后20个工作日内拨付。"


@pytest.fixture
def policy_category(hl):
    cache.clear()
    top = Category.objects.create(name="企业服务", kind=Category.Kind.HELP)
    category = Category.objects.create(name="惠企政策", parent=top, kind=Category.Kind.HELP)
    DispatchRule.objects.create(category=category, lead=hl["orgs"]["hrss"])
    return category


def publish_with_criteria(page, city, enterprise, sign_off):
    """A new revision with criteria that fit the enterprise, signed off: the last approval
    publishes it the way every route publishes (``PolicyPage.publish``)."""
    draft = page.get_latest_revision_as_object()
    draft.audience_sizes = ["small", "micro"]
    draft.audience_industries = ["C39"]
    draft.audience_divisions.set([city["divisions"]["district"]])
    draft.audience_qualifications.set(list(enterprise.qualifications.all()))
    draft.change_kind = draft.ChangeKind.MINOR
    draft.save_revision()
    sign_off(page)


def test_enterprise_sees_matched_policy_files_a_request_and_follows_it(
        live_server, page, city, hl, enterprise, portal_user, make_policy, policy_category,
        sign_off):
    base = live_server.url

    # 1. The enterprise logs in through the site login and lands in its portal.
    page.goto(base + "/enterprise/")
    page.wait_for_url("**/accounts/login/?next=/enterprise/")
    log_in(page, "company", then=base + "/enterprise/")
    assert page.locator("#unread-count").inner_text() == "0"
    screenshot(page, "enterprise-dashboard-empty")

    # 2. A policy whose criteria match it goes live through the real publish path.
    policy = make_policy(publish=True, title="临江市支持电子信息制造业高质量发展若干措施",
                         summary="对高新技术企业购置研发设备给予最高30%的补助。")
    publish_with_criteria(policy, city, enterprise, sign_off)
    campaign = Push.objects.get(policy=policy)
    assert campaign.status == Push.Status.DONE and campaign.matched == 1
    assert Delivery.objects.filter(enterprise=enterprise, channel="inbox").count() == 1

    # 3. It sees the policy in its inbox with the reason it matched, and opens it.
    page.reload()
    assert page.locator("#unread-count").inner_text() == "1"
    assert "临江市支持电子信息制造业高质量发展若干措施" in page.locator("#latest-title + ul").inner_text()
    page.locator(".portal-nav").get_by_role("link", name="政策消息").click()
    page.wait_for_url("**/enterprise/inbox/")
    screenshot(page, "enterprise-inbox")
    page.get_by_role("link", name="临江市支持电子信息制造业高质量发展若干措施").first.click()
    page.wait_for_url("**/enterprise/inbox/*/")
    reasons = page.locator("ul.reasons").inner_text()
    assert "江城区" in reasons and "高新技术企业" in reasons and "小型" in reasons
    screenshot(page, "enterprise-inbox-item")
    assert Delivery.objects.get(enterprise=enterprise, channel="inbox").read_at is not None

    # 4. It files a request about the policy: the policy is prefilled.
    page.get_by_role("link", name="就此政策提出诉求").click()
    page.wait_for_url(f"**/enterprise/requests/new/?policy={policy.pk}")
    assert page.get_by_label("涉及政策（可选）").input_value() == str(policy.pk)
    assert page.get_by_label("联系人").input_value() == "王敏"
    page.get_by_label("诉求事项").fill("研发设备购置补助如何申请")
    page.get_by_label("诉求分类").select_option(label="企业服务 › 惠企政策")
    page.get_by_label("具体内容").fill("我公司今年购置了三台研发测试设备，请问补助需要提交哪些材料、何时拨付？")
    screenshot(page, "enterprise-request-new")
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_url("**/enterprise/requests/12345-*/")
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.ENTERPRISE and ticket.policy_id == policy.pk
    assert ticket.enterprise_credit_code == enterprise.credit_code
    assert page.locator("#request-status").inner_text() == "待派单"
    assert "诉求已提交" in page.content()
    screenshot(page, "enterprise-request-filed")

    # 5. The hotline dispatches it; the enterprise sees the new status and the department.
    users = hl["users"]
    ticket = perform(ticket, "dispatch", users["dispatcher"])
    page.reload()
    assert page.locator("#request-status").inner_text() == "待签收"
    assert "派单" in page.locator("#request-timeline").inner_text()
    assert str(hl["orgs"]["hrss"]) in page.locator(".ticket-progress .facts").inner_text()

    # 6. The department answers, the hotline approves: the enterprise reads the answer and
    #    rates the handling.
    ticket = perform(ticket, "sign", users["handler"])
    ticket = perform(ticket, "reply", users["handler"], reply=REPLY)
    ticket = perform(ticket, "approve_reply", users["dispatcher"])
    page.locator(".portal-nav").get_by_role("link", name="企业诉求").click()
    page.wait_for_url("**/enterprise/requests/")
    assert "待回访" in page.locator("#request-list").inner_text()
    page.get_by_role("link", name=ticket.number).click()
    assert page.locator("#request-reply").inner_text().strip() == REPLY
    page.get_by_text("非常满意").click()
    screenshot(page, "enterprise-request-answered")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "感谢您的评价" in page.content() and "您已于" in page.content()
    rating = Rating.objects.get(ticket=ticket)
    assert rating.level == 5 and rating.channel == "portal"
    assert Ticket.objects.get().status == Status.PENDING_CALLBACK
    screenshot(page, "enterprise-request-rated")

    # 7. Its profile and notification settings are one click away.
    page.locator(".portal-nav").get_by_role("link", name="企业档案").click()
    page.wait_for_url("**/enterprise/profile/")
    page.get_by_label("从业人数").fill("-3")
    page.get_by_role("button", name="保存修改").click()
    page.get_by_text("从业人数不能为负数").first.wait_for()  # the form comes back with the error
    screenshot(page, "enterprise-profile-error")
    page.locator(".portal-nav").get_by_role("link", name="推送设置").click()
    page.wait_for_url("**/enterprise/preferences/")
    page.get_by_label("每日汇总").check()
    page.get_by_role("button", name="保存设置").click()
    assert "推送设置已保存" in page.content()
    screenshot(page, "enterprise-preferences")
    assert page.problems == []


def test_dispatcher_arranges_assistance_and_the_enterprise_sees_the_visit(
        live_server, page, browser, hl, enterprise, portal_user, policy_category):
    from enterprises import services

    base = live_server.url
    ticket = services.file_request(
        enterprise, subject="招工难", category=policy_category, contact_name="王敏",
        contact_phone="13912345678", content="扩产急需数控操作工二十名，希望对接职业院校。")
    ticket = perform(ticket, "dispatch", hl["users"]["dispatcher"])
    ctx, tab = admin_tab(browser, base, "dispatcher")
    tab.goto(base + f"/admin/hotline/ticket/{ticket.pk}/")
    tab.get_by_role("link", name="安排线下帮办").click()
    tab.wait_for_url(f"**/admin/enterprises/assistance/{ticket.pk}/")
    form = tab.locator('form[data-action="assign"]')
    form.get_by_label("帮办人").select_option(label=f"郭伟（{hl['orgs']['hrss']}）")
    form.get_by_role("button").click()
    tab.wait_for_load_state()
    assert "已指派帮办人：郭伟" in tab.content()
    visit = tab.locator('form[data-action="visit"]')
    visit.get_by_label("参与人员").fill("市人社局 郭伟；企业 人事经理 王敏")
    visit.get_by_label("走访结果").fill("上门核实用工缺口，约定下周组织校企对接会。")
    visit.get_by_role("button").click()
    tab.wait_for_load_state()
    assert "走访记录已保存" in tab.content()
    screenshot(tab, "assistance-detail")
    tab.goto(base + "/admin/enterprises/assistance/")
    assert ticket.number in tab.locator("#assistance-list").inner_text()
    screenshot(tab, "assistance-list")
    ctx.close()

    page.goto(base + "/accounts/login/?next=/enterprise/requests/")
    log_in(page, "company")
    page.get_by_role("link", name=ticket.number).click()
    assistance = page.locator("#assistance").inner_text()
    assert "郭伟" in assistance and "约定下周组织校企对接会" in assistance
    screenshot(page, "enterprise-request-assistance")
    assert page.problems == []
