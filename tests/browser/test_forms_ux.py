"""Forms people can fill in (issue 13): a form that comes back with problems opens with a
summary at its top that lists each problem, links to its field and takes the focus, on a phone
too; messages are plain Chinese; phone fields open the number pad; the consent box sits beside
its label. In 关怀模式 buttons keep their contrast, and wide tables scroll by keyboard.

The rendered pages are filled in as they stand (tests/forms.py); the browser tests drive
Chromium on a desktop (1280 wide) and a phone (390 wide)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from core.demo import ensure_section
from ratings import services as rating_services
from tests.accessibility import assert_accessible
from tests.conftest import log_in, screenshot
from tests.enterprises.conftest import enterprise, portal, portal_user  # noqa: F401
from tests.forms import field_errors, form_data
from tests.hotline.conftest import _fresh_cache, hl, new_ticket  # noqa: F401
from tests.ratings.conftest import _fresh, finished_ticket, invited, rt  # noqa: F401

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# What a resident should never read in a message: programmer's words, untranslated English.
TECHNICAL = re.compile(r"变量|字段|[A-Za-z]{4,}")


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def summary_of(page):
    """The error summary: (its element, [(link target, text)] for each listed problem)."""
    summary = page.select_one("[data-error-summary]")
    assert summary is not None, "no error summary on the page"
    items = [(li.a["href"] if li.a else None, li.get_text(" ", strip=True))
             for li in summary.select("li")]
    return summary, items


def assert_summary_leads_to_fields(page):
    """The summary sits at the top of its form and takes the focus (tabindex=-1); there is one
    line per field with an error and each links to an element of the page."""
    summary, items = summary_of(page)
    form = summary.find_parent("form")
    assert form is not None and summary.get("tabindex") == "-1"
    first_field = form.select_one(".field, fieldset, input:not([type=hidden]), select, textarea")
    assert first_field is None or summary.sourceline <= first_field.sourceline
    invalid = {f.get("id") for f in page.select('[aria-invalid="true"]')}
    linked = {href.lstrip("#") for href, _text in items if href}
    for target in linked:
        assert page.find(id=target) is not None, f"the summary links to #{target}, not on the page"
    # Each field in error is linked (a group of choices by its first choice).
    for field_id in invalid:
        assert field_id in linked or re.sub(r"_\d+$", "", field_id) + "_0" in linked, field_id
    assert items, "an empty summary"
    return items


# --- every public form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_public_form_opens_with_the_error_summary(client, hl, portal):  # noqa: F811
    cases = []
    # 12345: filing, tracking.
    page = client.get(reverse("hotline:submit")).content.decode()
    _form, data = form_data(page)
    cases.append(("hotline submit", client.post(reverse("hotline:submit"), data)))
    _form, data = form_data(client.get(reverse("hotline:track")).content.decode())
    cases.append(("hotline track", client.post(reverse("hotline:track"), data)))
    # 企业服务: a request, the profile, the preferences, the public calculator.
    _form, data = form_data(client.get(reverse("enterprises:request_new")).content.decode())
    data.update(subject="", content="")
    cases.append(("enterprise request", client.post(reverse("enterprises:request_new"), data)))
    _form, data = form_data(client.get(reverse("enterprises:profile")).content.decode())
    data.update(contact_email="不是邮箱", industry_code="")
    cases.append(("enterprise profile", client.post(reverse("enterprises:profile"), data)))
    _form, data = form_data(client.get(reverse("enterprises:preferences")).content.decode())
    data.pop("notify_frequency", None)
    cases.append(("enterprise preferences",
                  client.post(reverse("enterprises:preferences"), data)))
    cases.append(("calculator", client.get(reverse("enterprises:calculator"),
                                           {"check": "1", "headcount": "很多"})))
    # The login, as anyone meets it.
    client.logout()
    cases.append(("login", client.post(reverse("login"), {"username": "", "password": ""})))
    for name, response in cases:
        assert response.status_code == 200, name
        items = assert_summary_leads_to_fields(soup(response))
        for _href, text in items:
            assert not TECHNICAL.search(text), f"{name}: {text}"


@pytest.mark.django_db
def test_rating_forms_open_with_the_error_summary(client, rt, invited):  # noqa: F811
    _ticket, _invitation, token = invited("13900001111")
    url = reverse("ratings:rate", args=[token])
    _form, data = form_data(client.get(url).content.decode())
    page = soup(client.post(url, data))
    items = assert_summary_leads_to_fields(page)
    assert items == [("#id_level_0", "您对这次服务的评价：请选择评价等级。")]
    # The window QR page, with the last four digits of the resident's phone.
    rating_services.record_event(window=rt["window"], item=rt["item"], phone="13900004321",
                                 send=False)
    url = reverse("ratings:window", args=[rt["window"].key])
    _form, data = form_data(client.get(url).content.decode())
    items = assert_summary_leads_to_fields(soup(client.post(url, data)))
    assert items[0] == ("#id_level_0", "您对这次服务的评价：请选择评价等级。")


@pytest.mark.django_db
def test_messages_are_plain_chinese(client, rt):  # noqa: F811
    page = client.get(reverse("hotline:submit")).content.decode()
    _form, data = form_data(page)
    data.update(caller_name="王" * 41, address="解放路" * 70)
    html = client.post(reverse("hotline:submit"), data).content.decode()
    errors = field_errors(html)
    assert "最多可填写 40 个字符，现在是 41 个。" in errors
    assert "此项为必填项。" in errors
    # The window rating: four digits of the phone number, two given.
    rating_services.record_event(window=rt["window"], item=rt["item"], phone="13900004321",
                                 send=False)
    url = reverse("ratings:window", args=[rt["window"].key])
    _form, data = form_data(client.get(url).content.decode())
    data.update(level="5", phone_check="43")
    errors = field_errors(client.post(url, data).content.decode())
    assert "至少需要填写 4 个字符，现在是 2 个。" in errors
    for message in errors:
        assert not TECHNICAL.search(message), message


@pytest.mark.django_db
def test_phone_fields_open_the_number_pad(client, hl, portal):  # noqa: F811
    fields = {reverse("hotline:submit"): "caller_phone", reverse("hotline:track"): "phone",
              reverse("enterprises:request_new"): "contact_phone",
              reverse("enterprises:profile"): "contact_phone"}
    for url, name in fields.items():
        field = soup(client.get(url)).select_one(f"input[name={name}]")
        assert field.get("inputmode") == "tel" and field.get("autocomplete") == "tel", url
        assert field.get("type") == "tel", url


# --- in the browser ----------------------------------------------------------------------------


def new_tab(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport,
                                  is_mobile=viewport is PHONE)
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    return context, tab


def in_view(tab, locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= tab.viewport_size[
        "height"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_shows_the_summary_first_and_its_links_lead_to_the_fields(
        live_server, browser, hl):  # noqa: F811
    context, tab = new_tab(browser, PHONE)
    tab.goto(live_server.url + reverse("hotline:submit"))
    tab.get_by_label("手机号码").fill("12345")
    tab.get_by_label("诉求内容").fill("路灯坏了")
    tab.get_by_role("button", name="提交诉求").click()
    tab.wait_for_load_state()

    summary = tab.locator("[data-error-summary]")
    assert tab.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.get_by_role("heading").inner_text() == "提交未成功，请修改以下问题："
    assert in_view(tab, summary.get_by_role("heading")) and in_view(tab, summary.locator("li").first)
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_caller_name", "#id_caller_phone", "#id_division", "#id_category", "#id_content",
        "#id_agree"]
    assert links.nth(1).inner_text() == "手机号码：请填写正确的手机号码或带区号的固定电话。"
    screenshot(tab, "forms-hotline-submit-invalid-phone")

    # The link puts the cursor in the field, with its label and its message in view.
    links.nth(4).click()
    assert tab.evaluate("document.activeElement.id") == "id_content"
    field = tab.locator(".field", has=tab.locator("#id_content"))
    assert in_view(tab, field.locator("label")) and in_view(tab, field.locator(".errorlist"))
    assert field.locator(".errorlist").inner_text() == "请把诉求内容写清楚，至少 10 个字。"
    assert tab.get_by_label("诉求内容").get_attribute("aria-describedby") == (
        "id_content_helptext id_content_error")
    screenshot(tab, "forms-hotline-submit-invalid-phone-field")
    links.nth(5).click()
    assert tab.evaluate("document.activeElement.id") == "id_agree"
    assert_accessible(tab, "hotline submit with errors (phone)")
    assert tab.problems == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_consent_box_sits_beside_its_label(live_server, browser, hl):  # noqa: F811
    for viewport in (DESKTOP, PHONE):
        context, tab = new_tab(browser, viewport)
        tab.goto(live_server.url + reverse("hotline:submit"))
        box = tab.locator("#id_agree")
        text = tab.locator("label[for=id_agree] > span").first
        b, t = box.bounding_box(), text.bounding_box()
        line = float(text.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        # In front of the first line of its text, not above it or stretched across the form.
        assert b["width"] < 40 and b["x"] + b["width"] <= t["x"], (b, t)
        assert t["y"] - 4 <= b["y"] + b["height"] / 2 <= t["y"] + line + 4, (b, t, line)
        text.click()  # the words tick the box
        assert box.is_checked()
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_care_mode_keeps_button_text_readable(live_server, browser, city):
    from ratings.models import RatingsIndexPage

    ensure_section("ratings", "好差评", RatingsIndexPage, intro="")
    context, tab = new_tab(browser, PHONE)
    tab.goto(live_server.url + "/ratings/")
    tab.get_by_role("button", name="关怀模式").click()
    button = tab.get_by_role("link", name="查看月度公示和部门排名")
    colours = button.evaluate("""e => {
        const parse = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const s = getComputedStyle(e), a = lum(parse(s.color)), b = lum(parse(s.backgroundColor));
        return {color: s.color, background: s.backgroundColor,
                ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
    }""")
    assert colours["ratio"] >= 4.5, colours
    screenshot(tab, "forms-care-mode-button-phone")
    assert_accessible(tab, "ratings home in 关怀模式 (phone)")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wide_tables_scroll_by_keyboard_on_a_phone(live_server, browser, new_ticket):  # noqa: F811
    new_ticket()
    context, tab = new_tab(browser, PHONE)
    tab.goto(live_server.url + reverse("hotline:figures"))
    regions = tab.locator('.table-wrap[role="region"][tabindex="0"]')
    assert regions.count() == 2
    assert [regions.nth(i).get_attribute("aria-label") for i in range(2)] == [
        "每月主要指标", "承办单位排名"]
    table = regions.first
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll on a phone
    for _ in range(40):  # Tab until the table's box has the focus
        tab.keyboard.press("Tab")
        if table.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the table cannot be reached with the Tab key")
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    # The arrow keys scroll it (smoothly: wait until it has moved).
    tab.wait_for_function("e => e.scrollLeft > 0", arg=table.element_handle(), timeout=5000)
    screenshot(tab, "forms-figures-table-focused-phone")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_login_page_keeps_the_summary_in_care_mode(live_server, browser, city):
    context, tab = new_tab(browser, PHONE)
    tab.goto(live_server.url + reverse("login"))
    tab.get_by_role("button", name="关怀模式").click()
    log_in(tab, "nobody", "wrong-password")
    tab.wait_for_load_state()
    summary = tab.locator("[data-error-summary]")
    assert tab.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "请输入一个正确的用户名和密码" in summary.inner_text()
    assert_accessible(tab, "login with errors in 关怀模式 (phone)")
    context.close()
