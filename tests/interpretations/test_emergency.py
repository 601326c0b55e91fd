"""紧急发布: only with the named permission and a written reason; the page goes live flagged
待补签, the 事后审签 starts at once and is due within 3 working days (platform calendar); an
overdue 补签 reminds the department and the supervisors once a day; the emergency and its reason
are on the policy's history; the 补签 ends the flag without publishing again."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from core import roles
from core.models import Message
from hotline.calendar import add_working_days
from interpretations.models import EmergencyPublication, PolicyPage
from interpretations.publishing import remind_overdue_countersign
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db

REASON = "寒潮预警：临时生活补助须今日发布，来不及履行全部审签程序。"


@pytest.fixture
def emergency_approver(approver):
    approver.user_permissions.add(Permission.objects.get(codename="emergency_publish"))
    return approver


def emergency_url(page):
    return reverse("interpretations_admin:emergency_publish", args=[page.pk])


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_without_the_permission_there_is_no_emergency_route(client, make_policy, approver):
    page = make_policy()
    client.force_login(approver)
    editor_page = client.get(edit_url(page)).content.decode()
    assert emergency_url(page) not in editor_page
    for response in (client.get(emergency_url(page)),
                     client.post(emergency_url(page), {"reason": REASON, "confirm": "on"})):
        # The admin answers a refusal with its "no permission" redirect.
        assert (response.status_code, response.get("Location")) in ((403, None), (302, "/admin/"))
    assert not PolicyPage.objects.get(pk=page.pk).live


def test_a_reason_is_required_and_nothing_changes_without_it(client, make_policy,
                                                            emergency_approver):
    page = make_policy()
    client.force_login(emergency_approver)
    assert emergency_url(page) in client.get(edit_url(page)).content.decode()
    _form, data = form_data(client.get(emergency_url(page)).content.decode())
    data["confirm"] = "on"
    data["reason"] = "紧急"  # too short to say why
    response = client.post(emergency_url(page), data)
    assert response.status_code == 200
    assert any("不少于10字" in e for e in field_errors(response.content.decode()))
    data.pop("confirm")
    data["reason"] = REASON
    response = client.post(emergency_url(page), data)
    assert response.status_code == 200 and field_errors(response.content.decode())
    assert not PolicyPage.objects.get(pk=page.pk).live
    assert not EmergencyPublication.objects.exists()


def test_an_incomplete_package_is_not_published_even_in_an_emergency(client, make_policy,
                                                                      emergency_approver):
    page = make_policy(complete=False)
    client.force_login(emergency_approver)
    response = client.get(emergency_url(page))
    assert "解读包不完整" in response.content.decode()
    response = client.post(emergency_url(page), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 200
    assert "未能同步发布" in response.content.decode()
    assert not PolicyPage.objects.get(pk=page.pk).live


def test_emergency_publish_goes_live_flagged_and_starts_the_countersign(
        client, make_policy, emergency_approver, reviewers_for, make_user, city,
        django_capture_on_commit_callbacks):
    supervisor = make_user(roles.SUPERVISOR, city["orgs"]["gov"], username="ducha")
    page = make_policy(title="关于发放寒潮临时生活补助的紧急通知")
    client.force_login(emergency_approver)
    _form, data = form_data(client.get(emergency_url(page)).content.decode())
    data.update(reason=REASON, confirm="on")
    before = timezone.now()
    response = client.post(emergency_url(page), data, follow=True)
    assert "已紧急发布" in response.content.decode()
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live
    record = EmergencyPublication.objects.get(page=page)
    assert record.reason == REASON and record.revision_id == page.live_revision_id
    assert record.published_by == emergency_approver and record.completed_at is None
    assert record.due_at == add_working_days(record.published_at, 3)
    assert record.due_at > before + datetime.timedelta(days=2)
    # The 事后审签 is under way, at its first step.
    assert page.current_workflow_state is not None
    assert page.current_workflow_task.name == "起草部门审核"
    assert record.workflow_state_id == page.current_workflow_state.pk
    # On the record with the reason; flagged on the public page, in the editor and the list.
    entry = PageLogEntry.objects.get(page=page, action="interpretations.emergency_publish")
    assert entry.data["reason"] == REASON and entry.user_id == emergency_approver.pk
    public = client.get(page.url).content.decode()
    assert "待补签" in public and "审签手续正在补办" in public
    editor_page = client.get(edit_url(page)).content.decode()
    assert "紧急发布，待补签" in editor_page and REASON in editor_page
    client.force_login(supervisor)
    listing = client.get(reverse("emergency-publications:index")).content.decode()
    assert page.title in listing and "待补签" in listing

    # The three steps sign the live revision afterwards: the 补签 is done, nothing republished.
    live_revision = page.live_revision_id
    from interpretations.workflows import sign_off

    with django_capture_on_commit_callbacks(execute=True):  # the page cache is purged on commit
        page = sign_off(page, reviewers_for(page))
    record.refresh_from_db()
    assert record.completed_at is not None and record.completed_revision_id == live_revision
    assert page.live_revision_id == live_revision
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").count() == 1
    assert "待补签" not in client.get(page.url).content.decode()


def test_an_overdue_countersign_reminds_once_a_day(make_policy, emergency_approver, make_user,
                                                    city, editor):
    from interpretations.publishing import emergency_publish

    supervisor = make_user(roles.SUPERVISOR, city["orgs"]["gov"], username="ducha")
    page = make_policy()
    record = emergency_publish(page, emergency_approver, REASON)
    assert remind_overdue_countersign() == 0  # not due yet
    later = record.due_at + datetime.timedelta(hours=1)
    assert remind_overdue_countersign(later) == 1
    assert remind_overdue_countersign(later) == 0  # once a day
    for person in (emergency_approver, editor, supervisor):
        notice = Message.objects.get(user=person, kind="interpretations.countersign_overdue")
        assert "补签已超期" in notice.body and page.title in notice.body
    assert remind_overdue_countersign(later + datetime.timedelta(days=1)) == 1
