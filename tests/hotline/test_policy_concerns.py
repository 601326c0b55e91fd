"""A 12345 ticket about a policy enters that policy's 关切登记 without anyone typing a page number:
staff pick the policy from a search-as-you-type list at intake or on the ticket page (关联政策),
and the concern carries the ticket's number with the 48-hour response clock started. The
lookup behind the list is staff only and answers bad input with a Chinese message."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from hotline.models import Status, Ticket, TicketEvent
from hotline.workflows import TransitionError, perform
from interpretations.models import Concern
from interpretations.services import register_ticket_concern
from tests.conftest import admin_tab, screenshot
from tests.forms import form_data, option_value

pytestmark = pytest.mark.django_db

WENGANG = "关于做好2026年失业保险稳岗返还工作的通知"
TAX = "关于进一步加强个人所得税征管的通知"
REQUEST = "我公司符合稳岗返还条件吗？返还资金什么时候到账，需要提交哪些材料？"


@pytest.fixture
def policies(make_policy):
    return {
        "wengang": make_policy(publish=True, title=WENGANG, doc_number="临人社发〔2026〕7号",
                               body="<p>参保企业上年度未裁员或裁员率低的，可申请返还。</p>"),
        "tax": make_policy(publish=True, title=TAX, doc_number="临人社发〔2026〕8号"),
        "draft": make_policy(title="关于稳岗返还资金拨付的补充通知",
                             doc_number="临人社发〔2026〕9号"),  # never published
    }


def picker_of(form, name):
    """The picker's text box (the combobox) and hidden id input, checked for what a screen
    reader needs."""
    box = form.select_one(f"input[name={name}_query]")
    hidden = form.select_one(f"input[type=hidden][name={name}]")
    assert box is not None and hidden is not None
    assert box["role"] == "combobox" and box["aria-autocomplete"] == "list"
    assert box["aria-expanded"] == "false"
    listbox = form.select_one(f"#{box['aria-controls']}")
    assert listbox is not None and listbox["role"] == "listbox" and listbox.has_attr("aria-label")
    assert form.select_one(f"label[for={box['id']}]") is not None
    assert form.select_one(f"#{box['aria-describedby'].split()[0]}") is not None  # the hint
    assert form.select_one("[role=status][aria-live=polite]") is not None
    return box, hidden


def label(policy):
    return f"{policy.title}（{policy.doc_number}）"


def fill_intake(client, hl, policy=None, typed=None):
    """GET the intake page and fill it in as a dispatcher would; the picker sets the hidden
    policy id when ``policy`` is given (the list was used), or only the text is typed."""
    html = client.get(reverse("hotline_intake")).content.decode()
    assert "hotline/policy-picker.js" in html and "hotline/policy-picker.css" in html
    form, data = form_data(html)
    box, hidden = picker_of(form, "policy")
    assert not hidden.get("value")
    assert not form.select("select[name=policy]")  # no drop-down of every page any more
    data.update({
        "caller_name": "周八", "caller_phone": "13955556666", "address": "解放路8号",
        "division": option_value(form, "division", "江城区解放路街道"),
        "category": option_value(form, "category", "劳动保障 › 欠薪"),
        "content": REQUEST,
        "policy_query": typed if typed is not None else (label(policy) if policy else ""),
        "policy": str(policy.pk) if policy else "",
    })
    return data


# --- Intake ---------------------------------------------------------------------------------


def test_intake_through_the_form_registers_the_concern_with_the_48_hour_clock(
        client, hl, policies):
    client.force_login(hl["users"]["dispatcher"])
    wengang = policies["wengang"]
    before = timezone.now()
    response = client.post(reverse("hotline_intake"), fill_intake(client, hl, policy=wengang),
                           follow=True)
    ticket = Ticket.objects.get()
    assert ticket.policy_id == wengang.pk and ticket.status == Status.PENDING_DISPATCH
    concern = Concern.objects.get()
    assert concern.policy_id == wengang.pk and concern.hotline_ticket == ticket.number
    assert concern.source == Concern.Source.HOTLINE and concern.get_source_display() == "12345热线"
    assert concern.content == REQUEST and concern.status == Concern.Status.OPEN
    assert before <= concern.registered_at <= timezone.now()
    assert concern.due_at - concern.registered_at == timedelta(hours=48)
    assert concern.registered_by == hl["users"]["dispatcher"]
    html = response.content.decode()
    assert ticket.number in html and WENGANG in html
    event = TicketEvent.objects.get(ticket=ticket, action="link_policy")
    assert event.label == "关联政策" and not event.public and "已登记为该政策的关切" in event.note
    assert event.note in html


def test_intake_without_script_resolves_a_typed_doc_number(client, hl, policies):
    client.force_login(hl["users"]["dispatcher"])
    data = fill_intake(client, hl, typed="临人社发[2026]8号")  # brackets as typed on a keyboard
    client.post(reverse("hotline_intake"), data)
    ticket = Ticket.objects.get()
    assert ticket.policy_id == policies["tax"].pk
    assert Concern.objects.get().hotline_ticket == ticket.number


@pytest.mark.parametrize(("typed", "message"), [
    ("住房公积金提取", "没有找到与「住房公积金提取」相符的已发布政策"),
    ("临人社发〔2026〕9号", "没有找到"),  # a draft is not a live policy
    ("关于", "有多件政策与「关于」相符"),
])
def test_intake_refuses_a_policy_it_cannot_resolve_and_writes_nothing(
        client, hl, policies, typed, message):
    client.force_login(hl["users"]["dispatcher"])
    response = client.post(reverse("hotline_intake"), fill_intake(client, hl, typed=typed))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    box = soup.select_one("input[name=policy_query]")
    errors = box.find_parent(class_="w-field__wrapper").select(".error-message")
    assert any(message in e.get_text() for e in errors)
    assert box["value"] == typed  # what was typed is kept
    assert not Ticket.objects.exists() and not Concern.objects.exists()


def test_intake_refuses_an_unknown_or_unpublished_policy_id(client, hl, policies):
    client.force_login(hl["users"]["dispatcher"])
    for pk in (str(policies["draft"].pk), "999999", "abc"):
        data = fill_intake(client, hl, policy=policies["wengang"])
        data["policy"] = pk
        html = client.post(reverse("hotline_intake"), data).content.decode()
        assert "所选政策不存在或已下线，请重新选择。" in html
    assert not Ticket.objects.exists() and not Concern.objects.exists()


def test_clearing_the_text_drops_the_policy(client, hl, policies):
    client.force_login(hl["users"]["dispatcher"])
    data = fill_intake(client, hl, policy=policies["wengang"])
    data["policy_query"] = ""  # a leftover id without text means no policy
    client.post(reverse("hotline_intake"), data)
    assert Ticket.objects.get().policy is None and not Concern.objects.exists()


def test_intake_service_refuses_a_page_that_is_not_live(hl, new_ticket, policies):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        new_ticket(policy=policies["draft"])
    assert "已下线" in caught.value.message_dict["policy"][0]
    assert not Ticket.objects.exists() and not Concern.objects.exists()


# --- 关联政策 during handling ---------------------------------------------------------------


def link_on_ticket_page(client, ticket, policy):
    """GET the ticket page, fill the 关联政策 form as the picker would, POST it."""
    html = client.get(reverse("hotline_ticket_detail", args=[ticket.pk])).content.decode()
    assert "hotline/policy-picker.js" in html
    form, data = form_data(html, 'form[data-action="link_policy"]')
    picker_of(form, "policy")
    data.update({"policy_query": label(policy), "policy": str(policy.pk)})
    return client.post(form["action"], data, follow=True)


def test_handler_links_a_policy_on_the_ticket_page_once(client, hl, new_ticket, drive,
                                                        policies):
    ticket = drive(new_ticket(), Status.IN_PROGRESS)
    client.force_login(hl["users"]["handler"])
    response = link_on_ticket_page(client, ticket, policies["wengang"])
    html = response.content.decode()
    assert "已关联政策：工单" in html
    ticket.refresh_from_db()
    assert ticket.policy_id == policies["wengang"].pk and ticket.status == Status.IN_PROGRESS
    concern = Concern.objects.get()
    assert concern.hotline_ticket == ticket.number and concern.source == Concern.Source.HOTLINE
    assert concern.registered_by == hl["users"]["handler"]
    assert concern.due_at - concern.registered_at == timedelta(hours=48)
    assert "现关联《" in html  # the form says what the ticket is linked to now

    # A double submit: one concern, one timeline line, a clear message.
    response = link_on_ticket_page(client, ticket, policies["wengang"])
    assert "无需重复关联" in response.content.decode()
    assert Concern.objects.count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, action="link_policy").count() == 1


def test_relinking_to_another_policy_keeps_the_first_concern(client, hl, new_ticket, drive,
                                                            policies):
    ticket = drive(new_ticket(policy=policies["wengang"]), Status.PENDING_SIGN)
    first = Concern.objects.get()
    client.force_login(hl["users"]["dispatcher"])
    link_on_ticket_page(client, ticket, policies["tax"])
    ticket.refresh_from_db()
    assert ticket.policy_id == policies["tax"].pk
    assert set(Concern.objects.values_list("policy_id", "hotline_ticket")) == {
        (policies["wengang"].pk, ticket.number), (policies["tax"].pk, ticket.number)}
    assert Concern.objects.filter(pk=first.pk).exists()
    note = TicketEvent.objects.filter(ticket=ticket, action="link_policy").last().note
    assert "原关联的政策《" in note and "保留" in note


def test_a_closed_ticket_can_still_be_linked_by_the_hotline(hl, new_ticket, drive, policies):
    ticket = drive(new_ticket(), Status.CLOSED)
    perform(ticket, "link_policy", hl["users"]["dispatcher"], policy=policies["tax"])
    assert Concern.objects.get().hotline_ticket == ticket.number


def test_a_handler_of_another_organisation_cannot_link(client, hl, new_ticket, drive,
                                                      policies):
    ticket = drive(new_ticket(), Status.IN_PROGRESS)  # led by 市人社局
    other = hl["users"]["other_handler"]  # 市住建局
    client.force_login(other)
    assert client.get(reverse("hotline_ticket_detail", args=[ticket.pk])).status_code == 404
    url = reverse("hotline_ticket_act", args=[ticket.pk, "link_policy"])
    response = client.post(url, {"policy": policies["wengang"].pk,
                                 "policy_query": label(policies["wengang"])})
    assert response.status_code == 404
    with pytest.raises(TransitionError, match="没有权限"):
        perform(ticket, "link_policy", other, policy=policies["wengang"])
    ticket.refresh_from_db()
    assert ticket.policy is None and not Concern.objects.exists()


def test_linking_needs_a_live_policy(client, hl, new_ticket, policies):
    ticket = new_ticket()
    client.force_login(hl["users"]["dispatcher"])
    url = reverse("hotline_ticket_act", args=[ticket.pk, "link_policy"])
    for data, message in [
        ({"policy": "", "policy_query": ""}, "请选择工单涉及的政策"),
        ({"policy": policies["draft"].pk, "policy_query": "补充通知"}, "所选政策不存在或已下线"),
        ({"policy": "", "policy_query": "住房公积金"}, "没有找到"),
    ]:
        html = client.post(url, data, follow=True).content.decode()
        assert message in html
    assert not Concern.objects.exists()
    assert not TicketEvent.objects.filter(action="link_policy").exists()


def test_register_ticket_concern_is_idempotent_and_survives_a_lost_race(
        hl, new_ticket, policies, monkeypatch):
    ticket = new_ticket()
    first = register_ticket_concern(ticket, policies["wengang"], hl["users"]["dispatcher"])
    assert register_ticket_concern(ticket, policies["wengang"]).pk == first.pk

    # Another process inserted the row between our read and our insert.
    def lost_race(self, *args, **kwargs):
        raise IntegrityError("concern_once_per_ticket_and_policy")

    monkeypatch.setattr(QuerySet, "get_or_create", lost_race)
    assert register_ticket_concern(ticket, policies["wengang"]).pk == first.pk
    assert Concern.objects.count() == 1


# --- The lookup behind the list -------------------------------------------------------------


def lookup(client, q, **headers):
    return client.get(reverse("hotline_policy_lookup"), {"q": q}, **headers)


def test_lookup_finds_live_policies_by_a_word_of_the_title_and_by_doc_number(
        client, hl, policies):
    client.force_login(hl["users"]["dispatcher"])
    found = lookup(client, "稳岗").json()
    assert [p["id"] for p in found] == [policies["wengang"].pk]  # not the unpublished draft
    assert found[0] == {"id": policies["wengang"].pk, "title": WENGANG,
                        "doc_number": "临人社发〔2026〕7号", "published_on": "2026-03-05"}
    assert [p["id"] for p in lookup(client, "个人所得税征管").json()] == [policies["tax"].pk]
    assert [p["id"] for p in lookup(client, "所得税").json()] == [policies["tax"].pk]
    for q in ("临人社发〔2026〕8号", "临人社发(2026)8号", "人社发〔2026〕8"):
        assert lookup(client, q).json()[0]["id"] == policies["tax"].pk, q
    both = [p["id"] for p in lookup(client, "临人社发").json()]
    assert set(both) == {policies["wengang"].pk, policies["tax"].pk}
    response = lookup(client, "失业保险")
    assert response["Content-Type"] == "application/json"
    assert [p["id"] for p in response.json()] == [policies["wengang"].pk]


def test_lookup_gives_at_most_ten(client, hl, make_policy):
    for n in range(11):
        make_policy(publish=True, title=f"关于就业补贴的第{n + 1}号通知")
    client.force_login(hl["users"]["dispatcher"])
    assert len(lookup(client, "就业补贴").json()) == 10


@pytest.mark.parametrize(("q", "status"), [
    ("", 400), ("   ", 400), ("稳" * 61, 400), ("稳岗\x00", 400), ("\x1b[2J", 400),
    ("%_%", 200), ("' OR 1=1 --", 200), ('"稳岗" AND NOT *', 200), ("NEAR(稳岗)", 200),
    ("🙂🙂", 200), ("<script>alert(1)</script>", 200),
])
def test_lookup_answers_bad_input_without_failing(client, hl, policies, q, status):
    client.force_login(hl["users"]["dispatcher"])
    response = lookup(client, q)
    assert response.status_code == status
    body = json.loads(response.content)
    if status == 400:
        assert body["error"] and all(ord(c) > 0x2e7f for c in body["error"][:2])  # Chinese
    else:
        assert body == [] or all(p["id"] == policies["wengang"].pk for p in body)


def test_lookup_is_for_staff_only(client, hl, make_user, policies):
    response = lookup(client, "稳岗")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert lookup(client, "稳岗", HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 403
    client.force_login(make_user("企业用户", username="company"))
    response = lookup(client, "稳岗")
    assert response.status_code == 302 and WENGANG not in response.content.decode()


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dispatcher_picks_the_policy_from_the_list_with_the_keyboard(live_server, browser, hl,
                                                                    policies):
    ctx, tab = admin_tab(browser, live_server.url, "dispatcher")
    tab.goto(live_server.url + reverse("hotline_intake"))
    tab.get_by_label("姓名").fill("周八")
    tab.get_by_label("联系电话").fill("13955556666")
    tab.get_by_label("所在区域").select_option(label="江城区解放路街道")
    tab.get_by_label("诉求分类").select_option(label="劳动保障 › 欠薪")
    tab.get_by_label("诉求内容").fill(REQUEST)
    box = tab.get_by_role("combobox", name="涉及政策（可选）")
    box.press_sequentially("稳岗返还", delay=60)
    listbox = tab.get_by_role("listbox", name="相符的政策")
    option = listbox.get_by_role("option", name=WENGANG)
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert tab.locator("[data-policy-picker-status]").inner_text().startswith("找到 1 件政策")
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    screenshot(tab, "hotline-policy-picker-open")
    box.press("Enter")  # picks, does not submit
    assert box.input_value() == f"{WENGANG}（临人社发〔2026〕7号）"
    assert box.get_attribute("aria-expanded") == "false"
    assert tab.locator("input[type=hidden][name=policy]").input_value() == str(
        policies["wengang"].pk)
    assert "/hotline/intake/" in tab.url and not Ticket.objects.exists()

    # On a phone: search again by 发文字号, close the list with Escape, reopen it with the
    # arrow keys and pick the second entry.
    tab.set_viewport_size({"width": 390, "height": 844})
    box.fill("")
    box.press_sequentially("临人社发", delay=60)
    options = listbox.get_by_role("option")
    options.nth(1).wait_for()
    assert options.count() == 2
    assert tab.locator("input[type=hidden][name=policy]").input_value() == ""  # text edited
    tab.wait_for_timeout(500)  # the list scrolls into view (smoothly)
    screenshot(tab, "hotline-policy-picker-phone")
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "临人社发"
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"  # 稳岗返还 is the older one
    box.press("Enter")
    assert tab.locator("input[type=hidden][name=policy]").input_value() == str(
        policies["wengang"].pk)

    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.get_by_role("button", name="受理").click()
    tab.wait_for_url("**/hotline/ticket/*/")
    ticket = Ticket.objects.get()
    assert ticket.policy_id == policies["wengang"].pk
    assert "已登记为该政策的关切" in tab.content()
    link_form = tab.locator('form[data-action="link_policy"]')
    assert "现关联《" in link_form.inner_text()
    link_form.scroll_into_view_if_needed()
    screenshot(tab, "hotline-policy-linked-ticket")
    ctx.close()

    # The policy's editor finds it in 关切登记 with the ticket's number.
    ectx, etab = admin_tab(browser, live_server.url, "editor")
    etab.goto(live_server.url + "/admin/concerns/")
    row = etab.locator("tr", has_text=REQUEST[:20])
    assert "12345热线" in row.inner_text() and "待回应" in row.inner_text()
    etab.goto(live_server.url + f"/admin/concerns/inspect/{Concern.objects.get().pk}/")
    assert ticket.number in etab.content()
    screenshot(etab, "hotline-policy-concern-log")
    ectx.close()
