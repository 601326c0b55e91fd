"""axe-core (WCAG 2.1 A and AA) over every page the public meets, the enterprise portal and the
admin home page, on a desktop (1280 wide) and a phone (390 wide), with and without 关怀模式:
no serious or critical violation and no id used twice (``tests.accessibility``). Pages with a
form are also checked as they come back with errors.

On the demo city: its lists, tables and charts are full, as on a real site. Each test gathers
every page's problems and reports them together."""

import pytest
from django.utils import timezone

from tests.accessibility import assert_accessible
from tests.conftest import admin_tab, log_in, screenshot
from tests.interpretations.conftest import editor, make_policy, section  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VARIANTS = [("desktop", DESKTOP, False), ("desktop-care", DESKTOP, True),
            ("phone", PHONE, False), ("phone-care", PHONE, True)]
CARE_MODE_ON = "try { localStorage.setItem('care-mode', 'on'); } catch (e) {}"


class Sweep:
    """One browser context per variant; ``check(name)`` runs the bar on the open page and keeps
    what fails (and any script error or CSP refusal the page logged), ``assert_clean`` reports it
    all."""

    def __init__(self, browser):
        self.browser, self.failures = browser, []

    def variants(self):
        for label, viewport, care in VARIANTS:
            context = self.browser.new_context(locale="zh-CN", viewport=viewport,
                                               is_mobile=viewport is PHONE)
            if care:
                context.add_init_script(CARE_MODE_ON)
            tab = context.new_page()
            tab.problems = []
            tab.on("console", lambda m, tab=tab: self.console(tab, m))
            tab.on("pageerror", lambda e, tab=tab: tab.problems.append(str(e)))
            self.label, self.care = label, care
            try:
                yield tab
            finally:
                context.close()

    @staticmethod
    def console(tab, message):
        # The 404 and 400 pages answer with their status: the browser logs that as a failed load.
        if message.type == "error" and message.location.get("url") != tab.url:
            tab.problems.append(message.text)

    def check(self, tab, name):
        full = f"{name} [{self.label}]"
        if self.care:
            assert tab.evaluate("document.documentElement.classList.contains('care-mode')"), full
        try:
            assert_accessible(tab, full)
        except AssertionError as error:
            self.failures.append(str(error))
        if tab.problems:
            self.failures.append(f"{full} ({tab.url}) logged errors: {tab.problems}")
            tab.problems.clear()
        if self.label.startswith("phone"):
            screenshot(tab, f"a11y-{name}-{self.label}")

    def visit(self, tab, url, name):
        tab.goto(url)
        self.check(tab, name)

    def assert_clean(self):
        assert not self.failures, "\n\n".join(self.failures)


def rating_token(window):
    """A window service just given, with its SMS rating link: (event, raw token)."""
    from ratings import services
    from ratings.models import ServiceItem

    item = ServiceItem.objects.filter(organisation=window.organisation).first()
    event = services.record_event(window=window, item=item, phone="13900007788", send=False)
    invitation = services.invite(phone=event.phone, served_at=event.served_at, event=event,
                                 now=timezone.now())
    return event, invitation.raw_token


def test_public_pages(live_server, demo_site, browser, settings):
    from interpretations.models import PolicyPage
    from ratings.models import ServiceWindow

    settings.PLATFORM = {**settings.PLATFORM, "HOTLINE_SUBMIT_LIMIT": 100}
    base = live_server.url
    policy = PolicyPage.objects.live().exclude(materials=[]).order_by("-published_on").first()
    window = ServiceWindow.objects.filter(is_active=True).first()
    _event, token = rating_token(window)
    pages = [
        ("home", "/"), ("policies", "/policies/"), ("policy", policy.url),
        ("interpretations", "/interpretations/"), ("hotline", "/hotline/"),
        ("hotline-submit", "/hotline/submit/"), ("hotline-track", "/hotline/track/"),
        ("hotline-figures", "/hotline/figures/"), ("ratings", "/ratings/"),
        ("ratings-figures", "/ratings/figures/"), ("rate", f"/rate/{token}/"),
        ("rate-window", f"/rate/window/{window.key}/"), ("ratings-done", "/ratings/done/"),
        ("calculator", "/policies/calculator/"), ("login", "/accounts/login/"),
        ("404", "/no-such-page/"), ("400", "/policies/?year=abc"),
    ]
    sweep = Sweep(browser)
    for tab in sweep.variants():
        for name, url in pages:
            sweep.visit(tab, base + url, name)

        # Forms that come back with problems, and what a resident sees after filing.
        tab.goto(base + "/hotline/submit/")
        tab.get_by_role("button", name="提交诉求").click()
        tab.wait_for_load_state()
        sweep.check(tab, "hotline-submit-invalid")
        tab.get_by_label("姓名").fill("王小明")
        tab.get_by_label("手机号码").fill("13987654321")
        tab.get_by_label("所在区域").select_option(index=3)
        tab.get_by_label("诉求分类").select_option(index=1)
        tab.get_by_label("诉求内容").fill("小区门口的路灯坏了一个多月，晚上出行很不方便，请尽快修复。")
        tab.get_by_label("我确认所填内容真实").check()
        tab.get_by_role("button", name="提交诉求").click()
        tab.wait_for_url("**/hotline/submit/done/")
        number = tab.locator("#receipt-number").inner_text().strip()
        sweep.check(tab, "hotline-receipt")
        tab.goto(base + "/hotline/track/")
        tab.get_by_label("工单编号").fill(number)
        tab.get_by_label("手机号码").fill("13987654321")
        tab.get_by_role("button", name="查询").click()
        tab.wait_for_load_state()
        sweep.check(tab, "hotline-track-result")
        tab.goto(base + f"/rate/window/{window.key}/")
        tab.get_by_role("button", name="提交评价").click()
        tab.wait_for_load_state()
        sweep.check(tab, "rate-window-invalid")
        tab.goto(base + "/policies/calculator/?check=1&headcount=abc")
        sweep.check(tab, "calculator-invalid")
        tab.goto(base + "/policies/calculator/")
        tab.get_by_role("button", name="查看可享政策").click()
        tab.wait_for_load_state()
        sweep.check(tab, "calculator-results")
        tab.goto(base + "/accounts/login/")
        tab.get_by_role("button", name="登录").click()
        tab.wait_for_load_state()
        sweep.check(tab, "login-invalid")
    sweep.assert_clean()


def test_enterprise_portal(live_server, demo_site, browser):
    base = live_server.url
    sweep = Sweep(browser)
    for tab in sweep.variants():
        log_in(tab, "enterprise", "Demo@2026", at=base + "/accounts/login/",
               then=base + "/enterprise/")
        sweep.check(tab, "enterprise-dashboard")
        for name, url in [("enterprise-inbox", "/enterprise/inbox/"),
                          ("enterprise-policies", "/enterprise/policies/"),
                          ("enterprise-requests", "/enterprise/requests/"),
                          ("enterprise-request-new", "/enterprise/requests/new/"),
                          ("enterprise-profile", "/enterprise/profile/"),
                          ("enterprise-preferences", "/enterprise/preferences/")]:
            sweep.visit(tab, base + url, name)
        tab.goto(base + "/enterprise/inbox/")
        tab.locator(".inbox-list a").first.click()
        tab.wait_for_load_state()
        sweep.check(tab, "enterprise-inbox-item")
        tab.goto(base + "/enterprise/requests/")
        tab.locator("#request-list a").first.click()
        tab.wait_for_load_state()
        sweep.check(tab, "enterprise-request")
        tab.goto(base + "/enterprise/requests/new/")
        tab.get_by_role("button", name="提交诉求").click()
        tab.wait_for_load_state()
        sweep.check(tab, "enterprise-request-new-invalid")
        tab.goto(base + "/enterprise/profile/")
        tab.get_by_label("联系邮箱").fill("不是邮箱")
        tab.get_by_role("button", name="保存修改").click()
        tab.wait_for_load_state()
        sweep.check(tab, "enterprise-profile-invalid")
    sweep.assert_clean()


def test_admin_home_for_an_editor(live_server, demo_site, browser):
    base = live_server.url
    failures = []
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        tab = context.new_page()
        log_in(tab, "editor", "Demo@2026", at=base + "/admin/login/", then=base + "/admin/")
        try:
            assert_accessible(tab, f"admin home [{label}]")
        except AssertionError as error:
            failures.append(str(error))
        screenshot(tab, f"a11y-admin-home-{label}")
        context.close()
    assert not failures, "\n\n".join(failures)


# Each rich-text editor's text box and the tag field's, as a screen reader announces them: by the
# name of what they point to (aria-labelledby), else their own aria-label.
INPUT_NAMES_JS = """() => [...document.querySelectorAll(
        '.public-DraftEditor-content[role=textbox], ul.tagit input')].map(e => {
    const ids = (e.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    const named = ids.map(id => document.getElementById(id)).filter(Boolean)
        .map(n => n.textContent.replace(/\\s+/g, ' ').trim()).join(' ');
    return [e.className.split(' ')[0], named || e.getAttribute('aria-label') || ''];
})"""


def test_policy_editor_labels_its_inputs(live_server, browser, make_policy, editor):  # noqa: F811
    """The tag field's text box and each rich-text editor carry their field's label."""
    policy = make_policy()
    context, tab = admin_tab(browser, live_server.url, editor.username)
    tab.goto(f"{live_server.url}/admin/pages/{policy.pk}/edit/")
    tab.locator(".public-DraftEditor-content").first.wait_for()
    tab.locator("ul.tagit input").wait_for()
    boxes = tab.evaluate(INPUT_NAMES_JS)
    assert ["ui-widget-content", "主题分类"] in boxes, boxes
    assert all(name for _kind, name in boxes), boxes
    assert_accessible(tab, "policy editor, 政策文件 tab")
    tab.get_by_role("tab", name="解读材料").click()
    tab.locator("[role=tabpanel]:not([hidden]) .public-DraftEditor-content").first.wait_for()
    boxes = tab.evaluate(INPUT_NAMES_JS)
    assert len(boxes) >= 3 and all(name for _kind, name in boxes), boxes
    assert_accessible(tab, "policy editor, 解读材料 tab")
    screenshot(tab, "a11y-policy-editor")
    context.close()
