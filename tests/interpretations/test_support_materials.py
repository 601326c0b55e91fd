"""惠企政策配套材料: a live enterprise policy's 申报指南 (public) and 工作手册 (internal) are due
7 working days after its first go-live; the editor, the admin list and the daily reminders say
what is missing; the manual never leaves the admin."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from core import roles
from core.models import Message
from hotline import calendar
from hotline.models import CalendarDay
from interpretations.models import PolicyAttachment, PolicyPage, SupportMaterialsReminder
from interpretations.services import (
    remind_support_materials,
    support_materials,
    support_materials_rows,
)
from tests.conftest import log_in
from tests.interpretations.conftest import edit_post_data

pytestmark = pytest.mark.django_db

ASSESSMENT = "跟踪评估：发布后三个月评估兑现率和企业反映，由政策法规科负责。"
MANUAL_TITLE = "创业补贴经办工作手册QZMANUAL"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def document(title, name="guide.pdf"):
    if Collection.get_first_root_node() is None:  # flushed by an earlier transactional test
        Collection.add_root(name="Root")
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 demo", name=name))


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The working-day calendar caches the administrator's days; a rolled-back test leaves no
    # delete signal behind, so start and end each test with an empty cache.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def enterprise_policy(make_policy, sign_off):
    """enterprise_policy(went_live=datetime, guide=False, manual=False, **fields): a published
    policy marked 涉企 whose first go-live is ``went_live``."""

    def factory(went_live=None, guide=False, manual=False, **fields):
        fields.setdefault("concerns_enterprises", True)
        fields.setdefault("assessment_plan", ASSESSMENT)
        page = make_policy(**fields)
        if guide:
            page.attachments.add(PolicyAttachment(kind=PolicyAttachment.Kind.GUIDE,
                                                  title="创业补贴申报指南",
                                                  document=document("创业补贴申报指南")))
        if manual:
            page.work_manual = document(MANUAL_TITLE, "manual.docx")
        page.save_revision()
        page = sign_off(page)
        if went_live:
            PolicyPage.objects.filter(pk=page.pk).update(first_published_at=went_live)
        return PolicyPage.objects.get(pk=page.pk)

    return factory


# --- the rule ------------------------------------------------------------------------------------


def test_due_date_counts_working_days_across_the_national_day_break(enterprise_policy):
    # 2025-09-28 is a make-up working Sunday; 1–8 October is the National Day break and
    # Saturday 11 October a make-up working day: 29, 30 Sep, 9, 10, 11, 13, 14 Oct.
    page = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    state = support_materials(page, now=at(datetime.date(2025, 10, 14), 17, 59))
    assert state.applies
    assert timezone.localtime(state.due_at) == at(datetime.date(2025, 10, 14), 18)
    assert [str(m) for m in state.missing] == ["申报指南", "工作手册"]
    assert not state.overdue and str(state.status_label) == "待补充"
    late = support_materials(page, now=at(datetime.date(2025, 10, 14), 18, 1))
    assert late.overdue and str(late.status_label) == "已超期"
    # The administrator's calendar wins over the package: a day off on 13 October moves it.
    CalendarDay.objects.create(date=datetime.date(2025, 10, 13), is_workday=False, note="调整")
    assert timezone.localdate(support_materials(page).due_at) == datetime.date(2025, 10, 15)


def test_the_number_of_working_days_is_a_setting(enterprise_policy, settings):
    settings.PLATFORM = {**settings.PLATFORM, "SUPPORT_MATERIALS_WORKING_DAYS": 3}
    page = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    assert timezone.localdate(support_materials(page).due_at) == datetime.date(2025, 10, 9)


def test_exempt_application_needs_no_guide_only_the_manual(enterprise_policy):
    page = enterprise_policy(concerns_enterprises=False, exempt_application=True,
                             audience_sizes=["small", "micro"])
    state = support_materials(page)
    assert state.applies  # named an enterprise audience, not marked 涉企
    assert [str(m) for m in state.missing] == ["工作手册"]
    done = enterprise_policy(exempt_application=True, audience_sizes=["small"], manual=True)
    assert support_materials(done).missing == () and str(support_materials(done).status_label) \
        == "已齐全"
    # An application-based policy needs both.
    both = enterprise_policy(guide=True, manual=True)
    assert support_materials(both).missing == ()


def test_the_rule_applies_only_to_live_current_enterprise_policies(make_policy, enterprise_policy):
    assert not support_materials(make_policy(publish=True)).applies  # not an enterprise policy
    draft = make_policy(concerns_enterprises=True, assessment_plan=ASSESSMENT)
    assert not support_materials(draft).applies  # never published
    repealed = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    PolicyPage.objects.filter(pk=repealed.pk).update(validity="expired")
    assert not support_materials(PolicyPage.objects.get(pk=repealed.pk)).applies


# --- the manual stays internal; the guide is public --------------------------------------------------


def test_guide_is_downloadable_publicly_the_manual_is_never_public(client, enterprise_policy,
                                                                   section, editor):
    page = enterprise_policy(guide=True, manual=True)
    html = client.get(page.url).content.decode()
    guide = page.attachments.get(kind=PolicyAttachment.Kind.GUIDE)  # the signed copy
    assert 'id="guide-h">申报指南</h2>' in html and guide.url in html
    manual = page.work_manual
    for url in [page.url, section.url, "/interpretations/", "/feeds/policies/", "/api/policies/",
                f"/api/policies/{page.pk}"]:
        body = client.get(url).content.decode()
        assert "QZMANUAL" not in body and manual.url not in body, url
    # Searching for the manual's title finds nothing: it is not indexed.
    for query in ("QZMANUAL", "经办工作手册"):
        body = client.get(section.url, {"q": query}).content.decode()
        assert "没有找到符合条件的政策文件" in body and manual.url not in body, query
    # The manual's own address answers staff only; the guide's answers everyone.
    assert client.get(guide.url).status_code == 200
    assert client.get(manual.url).status_code == 404
    client.force_login(editor)
    assert client.get(manual.url).status_code == 200


def test_a_manual_in_a_draft_is_internal_before_it_is_published(client, enterprise_policy):
    page = enterprise_policy()
    draft = page.get_latest_revision_as_object()
    draft.work_manual = document(MANUAL_TITLE, "manual.docx")
    draft.save_revision()
    assert client.get(draft.work_manual.url).status_code == 404


# --- the editor -----------------------------------------------------------------------------------


def test_editor_panel_shows_due_date_and_what_is_missing(client, enterprise_policy, approver,
                                                         sign_off):
    page = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = client.get(url).content.decode()
    assert 'data-support-materials="overdue"' in html
    assert "2025年10月14日 18:00" in html and "尚缺：申报指南、工作手册" in html

    # The approver adds the guide (an attachment of kind 申报指南) and the manual and submits
    # them: both are signed off and published with the page revision.
    guide, manual = document("创业补贴申报指南"), document(MANUAL_TITLE, "manual.docx")
    data = edit_post_data(page, "action-save", work_manual=manual.pk)
    data.update(nested_form_data({"attachments": inline_formset([
        {"kind": "guide", "title": "创业补贴申报指南", "document": guide.pk}])}))
    assert client.post(url, data).status_code == 302
    html = client.get(url).content.decode()
    assert "当前编辑的版本已补充：申报指南、工作手册" in html  # a draft does not count yet
    assert support_materials(PolicyPage.objects.get(pk=page.pk)).missing
    data = edit_post_data(page, "action-submit", work_manual=manual.pk, change_kind="minor")
    data.update(nested_form_data({"attachments": inline_formset([
        {"kind": "guide", "title": "创业补贴申报指南", "document": guide.pk}])}))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    live = sign_off(page)
    assert support_materials(live).missing == ()
    assert 'data-support-materials="complete"' in client.get(url).content.decode()
    assert "创业补贴申报指南" in client.get(live.url).content.decode()


def test_editor_panel_is_silent_for_other_policies(client, make_policy, approver):
    page = make_policy(publish=True)
    client.force_login(approver)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "data-support-materials" not in html


# --- the admin list -------------------------------------------------------------------------------


def list_titles(client, query=""):
    response = client.get(reverse("support-materials:index") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_list_is_scoped_to_the_department_and_filters_by_status(client, enterprise_policy,
                                                                make_user, city, editor):
    hrss, housing = city["orgs"]["hrss"], city["orgs"]["housing"]
    late = enterprise_policy(title="人社局逾期惠企政策", went_live=at(datetime.date(2025, 9, 28)))
    enterprise_policy(title="人社局已齐全惠企政策", guide=True, manual=True)
    enterprise_policy(title="住建局待补充惠企政策", drafting_department=housing,
                      issuing_organ=housing, first_interpreter="住建局局长")
    supervisor = make_user(roles.SUPERVISOR, city["orgs"]["gov"])
    housing_editor = make_user(roles.EDITOR, housing)
    handler = make_user(roles.HANDLER, hrss)

    client.force_login(editor)
    html = list_titles(client)
    assert "人社局逾期惠企政策" in html and "人社局已齐全惠企政策" in html
    assert "住建局待补充惠企政策" not in html
    assert "已超期" in html and "2025-10-14 18:00" in html
    html = list_titles(client, "?status=overdue")
    assert "人社局逾期惠企政策" in html and "人社局已齐全惠企政策" not in html
    html = list_titles(client, "?status=complete")
    assert "人社局已齐全惠企政策" in html and "人社局逾期惠企政策" not in html
    assert reverse("wagtailadmin_pages:edit", args=[late.pk]) in list_titles(client)

    client.force_login(housing_editor)
    html = list_titles(client)
    assert "住建局待补充惠企政策" in html and "人社局" not in html.split("<tbody")[-1]

    client.force_login(supervisor)
    html = list_titles(client)
    assert all(t in html for t in ("人社局逾期惠企政策", "人社局已齐全惠企政策", "住建局待补充惠企政策"))
    assert "待补充" in html and "已齐全" in html
    html = list_titles(client, "?q=住建局待补充")
    assert "住建局待补充惠企政策" in html and "人社局逾期惠企政策" not in html
    html = list_titles(client, f"?drafting_department={housing.pk}")
    assert "住建局待补充惠企政策" in html and "人社局逾期惠企政策" not in html
    assert late.url in list_titles(client)  # supervisors cannot edit: the link is the public page

    assert 'support-materials' in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(handler)  # 承办人: neither the list nor its menu entry
    assert client.get(reverse("support-materials:index")).status_code == 302
    assert 'support-materials' not in client.get(reverse("wagtailadmin_home")).content.decode()


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_go_to_the_drafting_department_once(enterprise_policy, editor, approver,
                                                      make_user, city, reviewers_for):
    editor.phone = "13800000001"
    editor.save()
    make_user(roles.EDITOR, city["orgs"]["housing"])  # another department: never reminded
    page = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))  # due 2025-10-14 18:00
    enterprise_policy(went_live=at(datetime.date(2025, 9, 28)), guide=True, manual=True)
    signer = reviewers_for(page)[0]  # the 审签人 of 市人社局 who signed it off, reminded too

    # Three working days before: nothing yet.
    assert remind_support_materials(now=at(datetime.date(2025, 10, 10))) == 0
    # Two working days before (Saturday 11 October is a make-up working day): one reminder.
    assert remind_support_materials(now=at(datetime.date(2025, 10, 11))) == 1
    assert remind_support_materials(now=at(datetime.date(2025, 10, 11), 15)) == 0
    assert remind_support_materials(now=at(datetime.date(2025, 10, 13))) == 0
    soon = Message.objects.filter(kind="interpretations.support_due_soon")
    assert sorted(m.user_id for m in soon.filter(channel="inbox")) == sorted(
        [editor.pk, approver.pk, signer.pk])
    assert list(soon.filter(channel="sms").values_list("recipient", flat=True)) == ["13800000001"]
    inbox = soon.filter(channel="inbox").first()
    assert "申报指南、工作手册" in inbox.body and "2025-10-14" in inbox.body
    assert inbox.link == reverse("wagtailadmin_pages:edit", args=[page.pk])

    # Overdue: one more each, however often the task runs.
    for _ in range(2):
        remind_support_materials(now=at(datetime.date(2025, 10, 15)))
    overdue = Message.objects.filter(kind="interpretations.support_overdue", channel="inbox")
    assert sorted(m.user_id for m in overdue) == sorted([editor.pk, approver.pk, signer.pk])
    assert "已超过期限" in overdue.first().body
    assert SupportMaterialsReminder.objects.filter(policy=page).count() == 2
    assert Message.objects.filter(kind__startswith="interpretations.support").count() == 8


def test_a_policy_first_seen_overdue_gets_only_the_overdue_reminder(enterprise_policy, editor):
    enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    assert remind_support_materials(now=at(datetime.date(2025, 11, 3))) == 1
    assert not Message.objects.filter(kind="interpretations.support_due_soon").exists()
    assert Message.objects.filter(kind="interpretations.support_overdue", user=editor).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_once(enterprise_policy, editor, approver, monkeypatch,
                                      reviewers_for):
    import threading
    import time

    from django.db import connection

    from core import messaging

    page = enterprise_policy(went_live=at(datetime.date(2025, 9, 28)))
    signer = reviewers_for(page)[0]  # the 审签人 of 市人社局 who signed it off
    original = messaging.send

    def slow_send(*args, **kwargs):  # the first run still holds its claim when the second comes
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(messaging, "send", slow_send)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(remind_support_materials(now=at(datetime.date(2025, 10, 20))))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1]
    assert sorted(Message.objects.filter(kind="interpretations.support_overdue").values_list(
        "user_id", flat=True)) == sorted([editor.pk, approver.pk, signer.pk])


def test_the_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["interpretations.remind_support_materials_due"]
    assert entry["task"] == "interpretations.tasks.remind_support_materials_due"
    from interpretations.tasks import remind_support_materials_due

    assert remind_support_materials_due.delay().get() == {"reminded": 0}


# --- demo -----------------------------------------------------------------------------------------


def test_demo_has_a_complete_and_an_overdue_enterprise_policy(demo_site, settings):
    from django.core.management import call_command
    from wagtail.models import Revision

    settings.DEBUG = True
    revisions = Revision.objects.count()
    call_command("load_demo", verbosity=0)
    assert Revision.objects.count() == revisions
    states = {p.slug: state for p, state in support_materials_rows(PolicyPage.objects.all())}
    assert states["jiuye-chuangye-daikuan-2026"].status == "complete"
    voucher = states["xiaofei-quan-2026"]
    assert voucher.status == "overdue" and [str(m) for m in voucher.missing] == ["申报指南"]
    # 免申即享 (its go-live date belongs to the enterprises demo): the manual only.
    assert [str(m) for m in states["wengang-fanhuan-2026"].missing] == ["工作手册"]
    assert PolicyAttachment.objects.filter(kind=PolicyAttachment.Kind.GUIDE).count() == 1


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_list_and_public_page_in_chromium(live_server, page, settings, enterprise_policy,
                                                 editor, make_user, city):
    from tests.conftest import screenshot

    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # no background autosave against the shared database
    late = enterprise_policy(title="关于支持小微企业吸纳就业的若干措施",
                             went_live=at(datetime.date(2025, 9, 28)))
    done = enterprise_policy(title="关于发放创业补贴的通知", guide=True, manual=True)
    make_user(roles.SUPERVISOR, city["orgs"]["gov"], username="supervisor_b")
    base = live_server.url

    def login(username):
        page.context.clear_cookies()
        page.goto(base + "/admin/login/")
        log_in(page, username, then=base + "/admin/")

    login("editor1")
    page.goto(f"{base}/admin/pages/{late.pk}/edit/")
    notice = page.locator("[data-support-materials=overdue]")
    notice.wait_for()
    assert "尚缺：申报指南、工作手册" in notice.inner_text()
    assert "2025年10月14日 18:00" in notice.inner_text()
    assert not page.locator(".w-tabs__errors").first.is_visible()  # a notice, not a form error
    screenshot(page, "support-materials-editor")
    page.get_by_role("tab", name="解读方案").click()
    manual_panel = page.get_by_text("工作手册（内部，不公开）").first
    manual_panel.scroll_into_view_if_needed()
    assert manual_panel.is_visible()
    screenshot(page, "support-materials-editor-manual")

    login("supervisor_b")
    page.goto(f"{base}/admin/support-materials/")
    table = page.locator("table.listing")
    table.wait_for()
    text = table.inner_text()
    assert late.title in text and done.title in text and "已超期" in text and "已齐全" in text
    screenshot(page, "support-materials-list")
    page.goto(f"{base}/admin/support-materials/?status=overdue")
    text = page.locator("main").inner_text()
    assert late.title in text and done.title not in text

    page.context.clear_cookies()
    page.goto(base + done.url)
    guide = page.locator("#guide")
    assert guide.get_by_role("heading", name="申报指南").is_visible()
    assert guide.get_by_role("link", name="创业补贴申报指南").is_visible()
    assert "QZMANUAL" not in page.content()
    screenshot(page, "support-materials-public")
    assert page.problems == []
