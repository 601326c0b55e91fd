"""Headless Chromium: an editor drafts a policy without materials (refused, message shown),
adds the package, submits; the department's approver presses 发布 and is refused (no sign-off
yet), then approves the first step; 合法性审核 and 办公室审签 follow by two other people, each
in their own organisation; the public page appears only after the last approval and shows both
parts, never the 解读方案."""

import pytest
from django.core.cache import cache

from core import roles
from core.demo import ensure_section
from core.models import Organisation
from interpretations.models import InterpretationIndexPage, PolicyIndexPage, PolicyPage
from interpretations.workflows import ensure_policy_section
from tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def policy_section(city, make_user, settings):
    # The live server and the test share one SQLite database: no background autosave requests.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    cache.clear()
    city["orgs"]["hrss"].principal = "郑海涛"
    city["orgs"]["hrss"].save()
    gov, division = city["orgs"]["gov"], city["divisions"]["city"]
    justice = Organisation.objects.create(name="临江市司法局", short_name="市司法局",
                                          kind="department", division=division, parent=gov)
    office = Organisation.objects.create(name="临江市人民政府办公室", short_name="市政府办公室",
                                         kind="department", division=division, parent=gov)
    index = ensure_section("policies", "政策文件", PolicyIndexPage, intro="")
    ensure_section("interpretations", "政策解读", InterpretationIndexPage, intro="")
    ensure_policy_section(index)  # 起草部门审核 → 合法性审核 (市司法局) → 办公室审签 (市政府办公室)
    make_user(roles.EDITOR, city["orgs"]["hrss"], username="editor_b", last_name="林",
              first_name="晓")
    make_user(roles.APPROVER, city["orgs"]["hrss"], username="approver_b", last_name="黄",
              first_name="振华")
    make_user(roles.LEGALITY_REVIEWER, justice, username="legal_b", last_name="钱",
              first_name="法明")
    make_user(roles.OFFICE_REVIEWER, office, username="office_b", last_name="孙",
              first_name="文博")
    return index


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    log_in(page, username, then=base + "/admin/")


def test_editor_to_approver_to_public_page(live_server, policy_section, page):
    base = live_server.url
    login(page, base, "editor_b")
    page.goto(f"{base}/admin/pages/add/interpretations/policypage/{policy_section.pk}/")
    screenshot(page, "policy-add")
    page.fill("#id_title", "关于提高城乡居民基础养老金的通知")
    page.fill("#id_doc_number", "临人社发〔2026〕88号")
    page.select_option("#id_issuing_organ", label="市人社局")
    page.select_option("#id_drafting_department", label="市人社局")
    for field, value in (("written_on", "2026-06-01"), ("published_on", "2026-06-05")):
        page.fill(f"#id_{field}", value)
        page.keyboard.press("Escape")
    page.locator(".public-DraftEditor-content").first.click()
    page.keyboard.type("自2026年7月1日起，城乡居民基础养老金每人每月提高20元。")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给政策文件三同步审签").click()
    error = page.locator(".messages .error, .help-critical, .w-field__errors, .error-message")
    error.first.wait_for()
    content = page.content()
    assert "政策文件与解读未能同步发布" in content and "解读方案不完整" in content
    screenshot(page, "policy-refused")

    # The editor adds the package: a Q&A material and the 解读方案, then submits again.
    page.get_by_role("tab", name="解读材料").click()
    page.locator("button.c-sf-add-button:visible").first.click()
    page.get_by_role("option", name="政策问答").or_(page.get_by_text("政策问答", exact=True)).first.click()
    page.locator("input[name='materials-0-value-question']").fill("调整后每月能多领多少？")
    page.locator("textarea[name='materials-0-value-answer']").fill("每人每月多领20元，7月起按月发放。")
    page.get_by_role("tab", name="解读方案").click()
    page.fill("#id_plan_interpreters", "第一解读人：郑海涛；责任处室：养老保险科")
    page.fill("#id_plan_forms", "文字解读、政策问答")
    page.fill("#id_plan_schedule", "与文件同步发布")
    page.fill("#id_plan_expected_concerns", "内部口径QZX：预计关注发放时间")
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给政策文件三同步审签").click()
    page.wait_for_url("**/admin/pages/**/")
    screenshot(page, "policy-submitted")
    policy = PolicyPage.objects.get(title="关于提高城乡居民基础养老金的通知")
    assert not policy.live and policy.workflow_in_progress

    # The department's approver presses 发布: refused, the revision has no sign-off yet.
    login(page, base, "approver_b")
    page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
    page.get_by_role("button", name="更多动作").click()
    screenshot(page, "policy-approver-menu")
    page.get_by_role("button", name="发布", exact=True).click()
    # Wagtail warns that publishing would end the running sign-off; the approver goes on.
    page.get_by_role("dialog").get_by_role("button", name="发布", exact=True).click()
    page.locator(".messages .error, .help-critical, .w-field__errors, .error-message"
                 ).first.wait_for()
    content = page.content()
    assert "须经完整审签后才能发布" in content and "当前环节：起草部门审核" in content
    screenshot(page, "policy-publish-refused")
    assert not PolicyPage.objects.get(pk=policy.pk).live

    # Three people, one step each; nothing is public until the last approval.
    signed = []
    for username, name in (("approver_b", "黄振华"), ("legal_b", "钱法明"),
                           ("office_b", "孙文博")):
        login(page, base, username)
        page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
        status = page.locator("[data-publishing-status]").inner_text()
        assert all(f"{n} ✓" in status for n in signed), status  # the steps already signed
        signed.append(name)
        page.get_by_role("button", name="更多动作").click()
        page.get_by_role("button", name="批准", exact=True).click()
        # The department's approver returns to the section; the other reviewers, who may not
        # browse it, to their dashboard.
        page.wait_for_url(f"{base}/admin/pages/{policy_section.pk}/" if username == "approver_b"
                          else f"{base}/admin/")
        assert "没有权限" not in page.content()
        screenshot(page, f"policy-approved-{username}")
        live = PolicyPage.objects.get(pk=policy.pk).live
        assert live == (username == "office_b"), username
        if not live:
            assert page.request.get(f"{base}/policies/").text().count(policy.title) == 0

    # A reader sees the document and its interpretation together; never the 解读方案.
    page.context.clear_cookies()
    page.goto(f"{base}/policies/")
    page.get_by_role("link", name="关于提高城乡居民基础养老金的通知").click()
    assert page.locator("#original").inner_text().count("城乡居民基础养老金每人每月提高20元") == 1
    assert "调整后每月能多领多少？" in page.locator("#qa").inner_text()
    assert "内部口径QZX" not in page.content()
    page.get_by_role("link", name="问答").click()
    screenshot(page, "policy-public")
    assert page.problems == []
    policy = PolicyPage.objects.get(pk=policy.pk)
    assert policy.live
    assert sorted(s.approver.username for s in policy.signoffs.all()) == [
        "approver_b", "legal_b", "office_b"]
