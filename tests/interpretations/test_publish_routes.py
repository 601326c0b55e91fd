"""An incomplete package cannot go live by any route; a complete one can, document and
package together. One test per route: editor publish, submit, workflow approval, scheduled
go-live, bulk publish, API, management command, and the model itself."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, WorkflowState

from interpretations.models import PolicyPage
from interpretations.services import PackageIncomplete, package_problems, publish_due_revisions
from tests.interpretations.conftest import edit_post_data

pytestmark = pytest.mark.django_db


def is_live(page):
    return PolicyPage.objects.get(pk=page.pk).live


def test_readiness_rule_names_what_is_missing(make_policy, media_item):
    page = make_policy(complete=False)
    problems = package_problems(page)
    assert any("解读方案不完整" in p and "解读人" in p for p in problems)
    assert any("尚无公开的解读材料" in p for p in problems)
    complete = make_policy()
    assert package_problems(complete) == []
    media_item.transcript = ""
    media_item.save()
    complete.materials = [("media", {"item": media_item, "note": ""})]
    assert any("缺少文字实录" in p for p in package_problems(complete))


def test_no_interpretation_needs_a_reason_and_not_for_key_policies(make_policy):
    page = make_policy(complete=False, no_interpretation=True, no_interpretation_reason="")
    assert any("不予解读的理由" in p or "不予解读时须填写" in p for p in package_problems(page))
    page.no_interpretation_reason = "本文件为内部工作安排调整，不涉及公众权利义务，不予解读。"
    assert package_problems(page) == []
    page.concerns_enterprises = True
    assert any("重点政策必须解读" in p for p in package_problems(page))


def test_model_publish_refuses_incomplete_revision(make_policy):
    page = make_policy(complete=False)
    with pytest.raises(PackageIncomplete, match="解读方案不完整"):
        page.get_latest_revision().publish()
    assert not is_live(page)


def test_editor_publish_is_refused_with_message(client, make_policy, approver):
    page = make_policy(complete=False)
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-publish"))
    assert response.status_code == 200
    assert "政策文件与解读未能同步发布" in response.content.decode()
    assert not is_live(page)
    # Saving a draft of the same incomplete package is allowed.
    response = client.post(url, edit_post_data(page, "action-save", summary="草稿"))
    assert response.status_code == 302
    # With the package completed, the same editor publishes document and package together.
    from tests.interpretations.conftest import MATERIALS, PLAN
    response = client.post(url, edit_post_data(page, "action-publish", materials=MATERIALS,
                                                **PLAN))
    assert response.status_code == 302, response.content.decode()[:2000]
    live = PolicyPage.objects.get(pk=page.pk)
    assert live.live and len(live.materials) == 2


def test_submit_for_sign_off_is_refused_with_message(client, make_policy, editor):
    page = make_policy(complete=False)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-submit"))
    assert response.status_code == 200
    assert "政策文件与解读未能同步发布" in response.content.decode()
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()


def test_workflow_approval_is_refused_while_package_incomplete(client, make_policy, editor,
                                                               approver):
    page = make_policy()
    workflow = page.get_workflow()
    workflow.start(page, editor)
    # The editor then empties the plan in a draft (drafts are not validated).
    draft = page.get_latest_revision_as_object()
    draft.plan_interpreters = ""
    draft.save_revision(user=editor)
    page = PolicyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    task = task_state.task.specific
    assert "approve" not in [a[0] for a in task.get_actions(page, approver)]
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:workflow_action",
                  args=[page.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": ""}, follow=True)
    # The admin turns the refusal into its "no permission" message (the button is not offered).
    assert "没有权限" in response.content.decode()
    assert not is_live(page)
    page.refresh_from_db()
    assert page.current_workflow_task_state.status == "in_progress"


def test_scheduled_go_live_refuses_incomplete_and_publishes_complete(make_policy):
    incomplete = make_policy(complete=False)
    complete = make_policy()
    past = timezone.now() - datetime.timedelta(minutes=1)
    for page in (incomplete, complete):
        page.get_latest_revision().__class__.objects.filter(
            pk=page.get_latest_revision().pk).update(approved_go_live_at=past)
    published, refused = publish_due_revisions()
    assert (published, refused) == (1, 1)
    assert not is_live(incomplete)
    assert incomplete.get_latest_revision().approved_go_live_at is None  # off the schedule
    assert is_live(complete)


def test_bulk_publish_is_refused_naming_the_policy(client, make_policy, approver, section):
    page = make_policy(complete=False, title="关于调整失业保险金标准的通知")
    ok = make_policy()
    client.force_login(approver)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={page.pk}&id={ok.pk}&next=/admin/",
                           {"include_descendants": ""}, follow=True)
    content = response.content.decode()
    assert "关于调整失业保险金标准的通知" in content and "未能同步发布" in content
    assert not is_live(page) and not is_live(ok)
    response = client.post(f"{url}?id={ok.pk}&next=/admin/", {"include_descendants": ""})
    assert response.status_code == 302
    assert is_live(ok)


def test_api_publish_refuses_incomplete_package(client, make_policy, approver, editor):
    page = make_policy(complete=False)
    url = f"/api/policies/{page.pk}/publish"
    assert client.post(url).status_code == 401
    client.force_login(editor)
    assert client.post(url).status_code == 403  # editors may not publish
    client.force_login(approver)
    response = client.post(url)
    assert response.status_code == 409
    body = response.json()
    assert "未能同步发布" in body["detail"] and body["problems"]
    assert not is_live(page)
    ok = make_policy()
    response = client.post(f"/api/policies/{ok.pk}/publish")
    assert response.status_code == 200 and is_live(ok)


def test_management_command_refuses_incomplete_package(make_policy):
    page = make_policy(complete=False)
    with pytest.raises(CommandError, match="解读方案不完整"):
        call_command("publish_policy", str(page.pk))
    assert not is_live(page)
    ok = make_policy()
    call_command("publish_policy", str(ok.pk))
    assert is_live(ok)


def test_beat_task_and_publish_scheduled_command_publish_only_complete(make_policy):
    from interpretations.tasks import publish_scheduled

    past = timezone.now() - datetime.timedelta(minutes=1)
    pages = {}
    for name, complete in (("bad_task", False), ("ok_task", True)):
        pages[name] = make_policy(complete=complete)
        Revision.objects.filter(pk=pages[name].get_latest_revision().pk).update(
            approved_go_live_at=past)
    assert publish_scheduled.delay().get() == {"published": 1, "refused": 1}
    assert is_live(pages["ok_task"]) and not is_live(pages["bad_task"])
    for name, complete in (("bad_cmd", False), ("ok_cmd", True)):
        pages[name] = make_policy(complete=complete)
        Revision.objects.filter(pk=pages[name].get_latest_revision().pk).update(
            approved_go_live_at=past)
    call_command("publish_scheduled")  # Wagtail's command name, policies checked first
    assert is_live(pages["ok_cmd"]) and not is_live(pages["bad_cmd"])
