"""政策文件 on the staff home page: an editor or approver sees their drafts, the policies waiting
for sign-off with the step each is at and who holds it, and the 惠企政策配套材料 still missing;
a 合法性审核人 sees the policies waiting at their step; a supervisor sees overdue concerns and
overdue 补签. The counts equal the policies built here (counted by hand), scoped to the
department, and link to the lists that show them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import roles
from core.models import Organisation
from interpretations.models import Concern, EmergencyPublication, PolicyPage
from interpretations.workflows import sign_off as approve_steps
from tests.hotline import home_panels as hp


@pytest.fixture
def justice(city):
    """市司法局, the 合法性审核 step's organisation (made before the workflow is)."""
    return Organisation.objects.create(name="临江市司法局", short_name="市司法局",
                                       kind=Organisation.Kind.DEPARTMENT,
                                       division=city["divisions"]["city"],
                                       parent=city["orgs"]["gov"])


@pytest.fixture
def world(justice, section, city, make_policy, make_user, editor, approver):
    orgs = city["orgs"]
    people = {
        "editor": editor, "approver": approver,
        "housing_editor": make_user(roles.EDITOR, orgs["housing"], username="housing_editor"),
        "legality": make_user(roles.LEGALITY_REVIEWER, justice, username="legality",
                              last_name="赵", first_name="敏"),
        "office": make_user(roles.OFFICE_REVIEWER, Organisation.objects.create(
            name="临江市人民政府办公室", short_name="市政府办公室",
            kind=Organisation.Kind.DEPARTMENT, division=city["divisions"]["city"],
            parent=orgs["gov"]), username="office"),
        "supervisor": make_user(roles.SUPERVISOR, orgs["gov"], username="supervisor"),
        "dispatcher": make_user(roles.DISPATCHER, orgs["hotline"], username="dispatcher"),
    }
    p = {}

    def policy(name, **fields):
        p[name] = make_policy(title=f"政策{name}关于就业补贴的通知", **fields)
        return p[name]

    # Drafts: p1 and p9 the editor's, p3 the approver's, p4 another department's.
    policy("p1", owner=editor)
    policy("p9", owner=editor)
    policy("p3", owner=approver)
    policy("p4", owner=people["housing_editor"], drafting_department=orgs["housing"],
           issuing_organ=orgs["housing"])
    # In sign-off: p2 at 起草部门审核, p5 at 合法性审核 (the approver approved the first step),
    # p4b (市住建局) at its first step.
    for name in ("p2", "p5"):
        page = policy(name, owner=editor)
        page.get_workflow().start(page, editor)
    approve_steps(p["p5"], [approver])
    p4b = policy("p4b", owner=people["housing_editor"], drafting_department=orgs["housing"],
                 issuing_organ=orgs["housing"])
    p4b.get_workflow().start(p4b, people["housing_editor"])
    # Published: p6 (no enterprise audience), p7 and p8 enterprise policies missing their
    # 申报指南 and 工作手册: p7 just published (待补充), p8 a month ago (已超期).
    policy("p6", owner=editor, publish=True)
    for name in ("p7", "p8"):
        policy(name, owner=editor, publish=True, concerns_enterprises=True,
               assessment_plan="实施一年后评估申领人数与资金使用情况。")
    now = timezone.now()
    PolicyPage.objects.filter(pk=p["p8"].pk).update(first_published_at=now - timedelta(days=30))
    # Concerns: two past their response time (two departments), one still in time, one
    # answered.
    for page, hours, status in ((p["p7"], 72, Concern.Status.OPEN),
                                (p["p4"], 72, Concern.Status.OPEN),
                                (p["p7"], 1, Concern.Status.OPEN),
                                (p["p8"], 72, Concern.Status.ANSWERED)):
        Concern.objects.create(policy=page, source=Concern.Source.MEDIA, content="申领条件不清楚",
                               registered_at=now - timedelta(hours=hours), status=status,
                               answer="已回应" if status == Concern.Status.ANSWERED else "")
    # 紧急发布: one 补签 overdue, one still in time, one overdue but countersigned.
    for page, days, done in ((p["p6"], -1, False), (p["p7"], 3, False), (p["p8"], -1, True)):
        EmergencyPublication.objects.create(
            page=page, revision=page.get_latest_revision(), reason="疫情防控需要，须立即发布。",
            published_by_name="黄振华", due_at=now + timedelta(days=days),
            completed_at=now if done else None)
    for page in p.values():
        page.refresh_from_db()
    return {"p": p, "people": people}


def titles(pages):
    return sorted(page.title for page in pages)


def listed_titles(client, href):
    html = client.get(href).content.decode()
    return sorted(row.select_one("td a, td").get_text(strip=True) for row in
                  hp.listing_rows(html))


def test_editor_sees_drafts_signoff_with_who_holds_it_and_support_materials(client, world):
    p, people = world["p"], world["people"]
    html = hp.home(client, people["editor"])
    assert hp.counts(html, "policy-work") == {
        "drafts": 2, "awaiting": 2, "support-pending": 1, "support-overdue": 1}
    # Drafts link to their editor; the list shows exactly them.
    drafts = hp.items(html, "policy-work", "drafts")
    assert sorted(text.split()[0] for text, _link in drafts) == titles([p["p1"], p["p9"]])
    assert f"/admin/pages/{p['p1'].pk}/edit/" in [link for _text, link in drafts]
    assert listed_titles(client, hp.row_link(html, "policy-work", "drafts")) == titles(
        [p["p1"], p["p9"]])
    # 等待审签: the step and who holds it.
    waiting = {text.split()[0]: text for text, _link in hp.items(html, "policy-work", "awaiting")}
    assert set(waiting) == {p["p2"].title, p["p5"].title}
    assert "起草部门审核" in waiting[p["p2"].title]
    assert "审签人（市人社局）" in waiting[p["p2"].title] and "黄振华" in waiting[p["p2"].title]
    assert "合法性审核" in waiting[p["p5"].title]
    assert "合法性审核人（市司法局）" in waiting[p["p5"].title]
    assert "赵敏" in waiting[p["p5"].title] and "黄振华" not in waiting[p["p5"].title]
    listing = client.get(hp.row_link(html, "policy-work", "awaiting")).content.decode()
    rows = hp.listing_rows(listing)
    assert sorted(r.select_one("td a").get_text(strip=True) for r in rows) == titles(
        [p["p2"], p["p5"]])
    assert "赵敏" in listing and "合法性审核人（市司法局）" in listing
    # 配套材料: the overdue one with its badge, each count's list showing that policy.
    [(text, _link)] = hp.items(html, "policy-work", "support-overdue")
    assert p["p8"].title in text and "超期" in text and "尚缺" in text
    assert listed_titles(client, hp.row_link(html, "policy-work", "support-pending")) == [
        p["p7"].title]
    assert listed_titles(client, hp.row_link(html, "policy-work", "support-overdue")) == [
        p["p8"].title]
    for other in ("policy-supervisor", "dispatcher", "handler", "supervisor"):
        assert hp.section(html, other) is None


def test_approver_sees_their_own_drafts(client, world):
    p, people = world["p"], world["people"]
    html = hp.home(client, people["approver"])
    assert hp.counts(html, "policy-work") == {
        "drafts": 1, "awaiting": 2, "support-pending": 1, "support-overdue": 1}
    assert listed_titles(client, hp.row_link(html, "policy-work", "drafts")) == [p["p3"].title]


def test_another_departments_editor_sees_only_its_own(client, world):
    p, people = world["p"], world["people"]
    html = hp.home(client, people["housing_editor"])
    assert hp.counts(html, "policy-work") == {
        "drafts": 1, "awaiting": 1, "support-pending": 0, "support-overdue": 0}
    for href in (hp.row_link(html, "policy-work", "drafts"),
                 hp.row_link(html, "policy-work", "awaiting"),
                 "/admin/policy-work/"):
        shown = client.get(href).content.decode()
        assert p["p1"].title not in shown and p["p2"].title not in shown


def test_reviewers_see_the_steps_waiting_for_them(client, world):
    p, people = world["p"], world["people"]
    html = hp.home(client, people["legality"])
    assert hp.counts(html, "policy-work") == {"awaiting": 1}
    [(text, link)] = hp.items(html, "policy-work", "awaiting")
    assert p["p5"].title in text and link == f"/admin/pages/{p['p5'].pk}/edit/"
    assert listed_titles(client, hp.row_link(html, "policy-work", "awaiting")) == [
        p["p5"].title]
    html = hp.home(client, people["office"])
    assert hp.counts(html, "policy-work") == {"awaiting": 0}


def test_supervisor_sees_overdue_concerns_and_countersignatures(client, world):
    people = world["people"]
    html = hp.home(client, people["supervisor"])
    assert hp.counts(html, "policy-supervisor") == {"concerns": 2, "countersign": 1}
    for key, expected in (("concerns", 2), ("countersign", 1)):
        listing = client.get(hp.row_link(html, "policy-supervisor", key)).content.decode()
        assert len(hp.listing_rows(listing)) == expected
    assert hp.section(html, "policy-work") is None


def test_roles_without_policy_work_see_no_policy_panel(client, world):
    html = hp.home(client, world["people"]["dispatcher"])
    assert hp.section(html, "policy-work") is None
    assert hp.section(html, "policy-supervisor") is None
    assert client.get("/admin/policy-work/").status_code in (302, 403)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_policy_panels_in_the_browser(live_server, browser, world):
    p = world["p"]
    context, tab = hp.open_home(browser, live_server, "editor1", "home-editor")
    assert hp.shown_counts(tab, "policy-work") == {
        "drafts": 2, "awaiting": 2, "support-pending": 1, "support-overdue": 1}
    assert tab.locator("#home-policy-supervisor-section").count() == 0
    tab.locator('#home-policy-work-section li[data-row="awaiting"] a').click()
    tab.wait_for_url("**/admin/policy-work/?show=awaiting")
    rows = tab.locator("main table tbody tr")
    assert rows.count() == 2
    text = tab.locator("main table").inner_text()
    assert p["p2"].title in text and p["p5"].title in text and "赵敏" in text
    hp.whole_page_screenshot(tab, "policy-work-awaiting-desktop")
    context.close()

    context, tab = hp.open_home(browser, live_server, "legality", "home-legality")
    assert hp.shown_counts(tab, "policy-work") == {"awaiting": 1}
    context.close()

    context, tab = hp.open_home(browser, live_server, "supervisor", "home-policy-supervisor")
    assert hp.shown_counts(tab, "policy-supervisor") == {"concerns": 2, "countersign": 1}
    assert tab.locator("#home-policy-work-section").count() == 0
    context.close()
