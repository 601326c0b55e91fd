"""The Content-Security-Policy holds and breaks nothing: Chromium opens the public site and the
admin (dashboard, page editor) on the demo city and reports no policy violation, no console
error, and the pages' scripts ran."""

import pytest

from interpretations.models import PolicyPage
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                              (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def visit(tab, url):
    response = tab.goto(url)
    tab.wait_for_load_state("networkidle")
    assert response.status < 400, url
    return response


def violations(tab):
    return tab.evaluate("window.__cspViolations")


def test_public_site_and_admin_run_under_the_policy(live_server, demo_site, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    tab = context.new_page()
    problems = []
    tab.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    tab.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # Public pages: the strict policy, no inline script allowed, and the site's scripts ran.
        policy = PolicyPage.objects.live().first()
        for url in (base + "/", base + policy.url, base + "/hotline/submit/"):
            response = visit(tab, url)
            header = response.headers["content-security-policy"]
            assert "script-src 'self'" in header and "'unsafe-inline'" not in \
                header.split("script-src")[1].split(";")[0]
            assert "frame-ancestors 'self'" in header
            assert violations(tab) == [], url
            assert tab.evaluate("document.documentElement.classList.contains('js')"), url
        assert tab.get_by_role("button", name="关怀模式").is_visible()

        # The admin: login, dashboard, the page editor.
        visit(tab, base + "/admin/login/")
        log_in(tab, "admin", "Demo@2026", then=base + "/admin/")
        tab.wait_for_load_state("networkidle")
        assert tab.get_by_role("heading", level=1).first.is_visible()
        assert violations(tab) == []
        visit(tab, f"{base}/admin/pages/{policy.pk}/edit/")
        assert tab.get_by_role("button", name="保存草稿").first.is_visible()
        # The editor's scripts work: its tabs switch.
        tab.get_by_role("tab").nth(1).click()
        assert violations(tab) == []
        assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    finally:
        context.close()
