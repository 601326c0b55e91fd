"""Nothing goes live without a complete package and the complete sign-off of exactly that
revision, on any route: editor publish, submit, workflow approval, scheduled go-live (the beat
task and both of Wagtail's command names), bulk publish, the API, the management command, copy
("publish copies"), revert-and-publish, and the model itself. One test per route; each shows the
refusal of a complete but unsigned revision and, where the route can, a signed one going live."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision, WorkflowState

from core.models import Message
from interpretations.models import PolicyPage
from interpretations.publishing import (
    NotSignedOff,
    PackageIncomplete,
    package_problems,
    publish_due_revisions,
)
from tests.interpretations.conftest import MATERIALS, PLAN, edit_post_data

pytestmark = pytest.mark.django_db


def is_live(page):
    return PolicyPage.objects.get(pk=page.pk).live


def schedule(page, when):
    """A revision approved to go live at ``when`` (what the last approval does for a revision
    with a go-live time), its time now come."""
    revision = page.get_latest_revision()
    revision.content["go_live_at"] = when.isoformat()
    revision.approved_go_live_at = when
    revision.save(update_fields=["content", "approved_go_live_at"])


def off_schedule(page):
    return Revision.objects.get(pk=page.get_latest_revision().pk).approved_go_live_at is None


def signed_draft(make_policy, sign_off, approver, **fields):
    """A policy whose latest revision is signed but not live: signed, published, then taken
    down as 发布错误 (the signed revision stays the latest)."""
    from interpretations.publishing import WithdrawalReason, withdraw

    page = sign_off(make_policy(**fields))
    withdraw(page, approver, WithdrawalReason.ERROR, note="测试撤下")
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.live and page.get_latest_revision().pk == page.latest_revision_id
    return page


# --- The rules -----------------------------------------------------------------------------------


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
    assert any("不予解读时须填写" in p for p in package_problems(page))
    page.no_interpretation_reason = "本文件为内部工作安排调整，不涉及公众权利义务，不予解读。"
    assert package_problems(page) == []
    page.concerns_enterprises = True
    assert any("重点政策必须解读" in p for p in package_problems(page))


def test_model_publish_refuses_incomplete_and_unsigned_revisions(make_policy):
    page = make_policy(complete=False)
    with pytest.raises(PackageIncomplete, match="解读方案不完整"):
        page.get_latest_revision().publish()
    complete = make_policy()
    with pytest.raises(NotSignedOff, match="起草部门审核、合法性审核、办公室审签"):
        complete.get_latest_revision().publish()
    assert not is_live(page) and not is_live(complete)


# --- Editor ------------------------------------------------------------------------------------------


def test_editor_publish_of_a_complete_package_is_refused_until_signed(client, make_policy,
                                                                       approver):
    page = make_policy(complete=False)
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-publish"))
    assert response.status_code == 200
    assert "政策文件与解读未能同步发布" in response.content.decode()
    # Saving a draft of the same incomplete package is allowed.
    assert client.post(url, edit_post_data(page, "action-save", summary="草稿")).status_code == 302
    # The package complete: publishing from the editor still makes a new, unsigned revision.
    response = client.post(url, edit_post_data(page, "action-publish", materials=MATERIALS,
                                                **PLAN))
    content = response.content.decode()
    assert response.status_code == 200
    assert "须经完整审签后才能发布" in content and "提交审签" in content
    assert not is_live(page)


def test_submit_for_sign_off_is_refused_while_incomplete_and_accepted_when_complete(
        client, make_policy, editor):
    page = make_policy(complete=False)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-submit"))
    assert response.status_code == 200
    assert "政策文件与解读未能同步发布" in response.content.decode()
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()
    response = client.post(url, edit_post_data(page, "action-submit", materials=MATERIALS,
                                                **PLAN))
    assert response.status_code == 302
    assert WorkflowState.objects.filter(object_id=str(page.pk), status="in_progress").exists()
    assert not is_live(page)


def test_workflow_approval_is_refused_while_package_incomplete(client, make_policy, editor,
                                                               reviewers_for):
    page = make_policy()
    page.get_workflow().start(page, editor)
    # The editor then empties the plan in a draft (drafts are not validated).
    draft = page.get_latest_revision_as_object()
    draft.plan_interpreters = ""
    draft.save_revision(user=editor)
    page = PolicyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    first = reviewers_for(page)[0]
    assert "approve" not in [a[0] for a in task_state.task.specific.get_actions(page, first)]
    client.force_login(first)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": ""}, follow=True)
    assert "没有权限" in response.content.decode()
    assert not is_live(page)
    assert PolicyPage.objects.get(pk=page.pk).current_workflow_task_state.status == "in_progress"


def test_revert_and_publish_is_refused_for_an_unsigned_revision(client, make_policy, sign_off,
                                                                approver):
    page = sign_off(make_policy(title="关于调整失业保险金标准的通知"))
    first = page.live_revision
    draft = page.get_latest_revision_as_object()
    draft.title = "关于调整失业保险金标准的通知（修订）"
    draft.change_kind = PolicyPage.ChangeKind.MINOR
    draft.save_revision()
    page = sign_off(page)
    assert page.title.endswith("（修订）")
    client.force_login(approver)
    # Wagtail's revert: the old revision's content in the editor, then 发布.
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, first.pk])
    assert client.get(revert).status_code == 200
    data = edit_post_data(page, "action-publish", title="关于调整失业保险金标准的通知",
                          change_kind="minor")
    data["revision"] = str(first.pk)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 200
    assert "须经完整审签后才能发布" in response.content.decode()
    assert PolicyPage.objects.get(pk=page.pk).title.endswith("（修订）")


# --- Routes outside the editor ----------------------------------------------------------------------


def test_scheduled_go_live_needs_readiness_and_sign_off(make_policy, sign_off, approver):
    incomplete = make_policy(complete=False)
    unsigned = make_policy()
    signed = signed_draft(make_policy, sign_off, approver)
    past = timezone.now() - datetime.timedelta(minutes=1)
    for page in (incomplete, unsigned, signed):
        schedule(page, past)
    assert publish_due_revisions() == (1, 2)
    assert is_live(signed)
    for page in (incomplete, unsigned):
        assert not is_live(page)
        assert off_schedule(page)
    # The refusal is on the policy's history and reaches its department's approver.
    refusal = PageLogEntry.objects.get(page=unsigned, action="interpretations.schedule_refused")
    assert "起草部门审核" in refusal.data["reason"]
    notices = Message.objects.filter(user=approver, kind="interpretations.schedule_refused")
    assert notices.count() == 2
    assert all(unsigned.title in m.body and "已撤出定时发布" in m.body for m in notices)
    assert publish_due_revisions() == (0, 0)  # refused once, not on every run


@pytest.mark.parametrize("command", ["publish_scheduled", "publish_scheduled_pages"])
def test_both_scheduled_publish_commands_refuse_without_crashing(command, make_policy, sign_off,
                                                                  approver):
    unsigned = make_policy()
    signed = signed_draft(make_policy, sign_off, approver, slug=f"signed-{command}")
    past = timezone.now() - datetime.timedelta(minutes=1)
    schedule(unsigned, past)
    schedule(signed, past)
    call_command(command)
    assert is_live(signed) and not is_live(unsigned)
    assert off_schedule(unsigned)
    call_command(command)  # and again: nothing left to refuse, no crash


def test_wagtails_own_pass_reaches_the_same_refusal(make_policy):
    """A revision that becomes due between our pass and Wagtail's is refused by the model."""
    from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

    unsigned = make_policy()
    schedule(unsigned, timezone.now() - datetime.timedelta(minutes=1))
    WagtailCommand().handle(dryrun=False)
    assert not is_live(unsigned)
    assert off_schedule(unsigned)


def test_beat_task_publishes_only_signed_revisions(make_policy, sign_off, approver):
    from interpretations.tasks import publish_scheduled

    unsigned = make_policy()
    signed = signed_draft(make_policy, sign_off, approver)
    past = timezone.now() - datetime.timedelta(minutes=1)
    schedule(unsigned, past)
    schedule(signed, past)
    assert publish_scheduled.delay().get() == {"published": 1, "refused": 1}
    assert is_live(signed) and not is_live(unsigned)


def test_bulk_publish_is_refused_naming_the_policy(client, make_policy, sign_off, approver):
    unsigned = make_policy(title="关于调整失业保险金标准的通知")
    signed = signed_draft(make_policy, sign_off, approver)
    client.force_login(approver)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={unsigned.pk}&id={signed.pk}&next=/admin/",
                           {"include_descendants": ""}, follow=True)
    content = response.content.decode()
    assert "关于调整失业保险金标准的通知" in content and "须经完整审签" in content
    assert not is_live(unsigned) and not is_live(signed)
    response = client.post(f"{url}?id={signed.pk}&next=/admin/", {"include_descendants": ""})
    assert response.status_code == 302
    assert is_live(signed)


def test_api_publish_refuses_unsigned_and_publishes_signed(client, make_policy, sign_off,
                                                           approver, editor):
    page = make_policy(complete=False)
    url = f"/api/policies/{page.pk}/publish"
    assert client.post(url).status_code == 401
    client.force_login(editor)
    assert client.post(url).status_code == 403  # editors may not publish
    client.force_login(approver)
    response = client.post(url)
    assert response.status_code == 409
    assert "未能同步发布" in response.json()["detail"]
    unsigned = make_policy()
    response = client.post(f"/api/policies/{unsigned.pk}/publish")
    assert response.status_code == 409
    assert "须经完整审签" in response.json()["detail"] and response.json()["problems"]
    assert not is_live(page) and not is_live(unsigned)
    signed = signed_draft(make_policy, sign_off, approver)
    client.force_login(approver)
    response = client.post(f"/api/policies/{signed.pk}/publish")
    assert response.status_code == 200 and is_live(signed)


def test_management_command_refuses_unsigned_and_publishes_signed(make_policy, sign_off,
                                                                  approver):
    page = make_policy(complete=False)
    with pytest.raises(CommandError, match="解读方案不完整"):
        call_command("publish_policy", str(page.pk))
    unsigned = make_policy()
    with pytest.raises(CommandError, match="须经完整审签"):
        call_command("publish_policy", str(unsigned.pk))
    assert not is_live(page) and not is_live(unsigned)
    signed = signed_draft(make_policy, sign_off, approver)
    call_command("publish_policy", str(signed.pk))
    assert is_live(signed)


def test_copy_with_publish_makes_a_draft(client, make_policy, sign_off, approver, section):
    page = sign_off(make_policy())
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:copy", args=[page.pk])
    form = client.get(url).context["form"]
    assert "publish_copies" in form.fields  # Wagtail offers it to a user who may publish
    response = client.post(url, {"new_title": "复制的政策文件", "new_slug": "fuzhi",
                                 "new_parent_page": section.pk, "publish_copies": "on"},
                           follow=True)
    assert "复制的政策文件为草稿，须经审签后发布" in response.content.decode()
    copy = PolicyPage.objects.get(slug="fuzhi")
    assert not copy.live and copy.live_revision_id is None and copy.first_published_at is None
    assert client.get(copy.url or "/policies/fuzhi/").status_code == 404
    # The same in code: a copy kept live is a draft.
    again = page.copy(update_attrs={"slug": "fuzhi-2", "title": "再复制"}, keep_live=True)
    assert not PolicyPage.objects.get(pk=again.pk).live
