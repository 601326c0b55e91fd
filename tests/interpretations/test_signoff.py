"""One sign-off: every approval is a 审签记录 pinned to the exact revision; a change after
approval sends the policy back through every step before it can go live."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from interpretations.models import PolicyPage, SignOff
from interpretations.services import finish_workflow

pytestmark = pytest.mark.django_db


def approve(client, page):
    page = PolicyPage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": "同意"})
    assert response.status_code == 302
    return state.task.name


def test_three_steps_record_signoffs_then_publish(client, make_policy, editor, approver):
    page = make_policy()
    page.get_workflow().start(page, editor)
    client.force_login(approver)
    steps = [approve(client, page) for _ in range(3)]
    assert steps == ["起草部门审核", "合法性审核", "办公室审签"]
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live
    records = list(SignOff.objects.filter(page=page).order_by("pk"))
    assert [r.task_name for r in records] == steps
    assert {r.revision_id for r in records} == {page.live_revision_id}
    assert {r.approver_name for r in records} == {"黄振华"}
    assert all(r.result == SignOff.Result.APPROVED and r.decided_at for r in records)


def test_returning_for_changes_is_on_the_record(client, make_policy, editor, approver):
    page = make_policy()
    page.get_workflow().start(page, editor)
    client.force_login(approver)
    approve(client, page)  # 起草部门审核
    state = PolicyPage.objects.get(pk=page.pk).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk])
    assert client.post(url, {"comment": "解读材料未说明申领渠道"}).status_code == 302
    returned = SignOff.objects.get(result=SignOff.Result.RETURNED)
    assert (returned.task_name, returned.approver_name, returned.note) == (
        "合法性审核", "黄振华", "解读材料未说明申领渠道")
    assert returned.revision_id == page.get_latest_revision().pk
    assert returned.get_result_display() == "退回修改"
    assert not PolicyPage.objects.get(pk=page.pk).live


def test_change_after_approval_needs_reapproval(client, make_policy, editor, approver):
    page = make_policy()
    page.get_workflow().start(page, editor)
    client.force_login(approver)
    approve(client, page)  # 起草部门审核 approves revision A
    first = SignOff.objects.get()
    # The editor changes the interpretation after the first approval: revision B.
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.materials = [("qa", {"question": "补贴标准是多少？", "answer": "每人每月500元。"})]
    revision_b = draft.save_revision(user=editor)
    assert revision_b.pk != first.revision_id
    approve(client, page)  # 合法性审核 approves B...
    # ...but the first step approved A only, so the workflow goes back to it; nothing is live.
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_task.name == "起草部门审核"
    for _ in range(3):
        approve(client, page)
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live and page.live_revision_id == revision_b.pk
    assert page.materials[0].value["question"] == "补贴标准是多少？"
    invalidated = SignOff.objects.get(result=SignOff.Result.INVALIDATED)
    assert (invalidated.task_name, invalidated.revision_id) == ("起草部门审核", first.revision_id)
    assert f"须对第{revision_b.pk}版重新审签" in invalidated.note
    approved_b = SignOff.objects.filter(revision=revision_b, result=SignOff.Result.APPROVED
                                        ).values_list("task_name", flat=True)
    assert set(approved_b) == {"起草部门审核", "合法性审核", "办公室审签"}


def test_finish_refuses_revision_not_signed_off_by_every_step(make_policy, editor, approver):
    page = make_policy()
    workflow_state = page.get_workflow().start(page, editor)
    # Only the first step signed off, on an older revision.
    from interpretations.services import record_signoff

    old = page.get_latest_revision()
    state = PolicyPage.objects.get(pk=page.pk).current_workflow_task_state
    record_signoff(page, old, approver, task=state.task, workflow_state=workflow_state)
    page.get_latest_revision_as_object().save_revision(user=editor)
    with pytest.raises(PermissionDenied, match="须对最新版本重新审签"):
        finish_workflow(workflow_state, user=approver)
    assert not PolicyPage.objects.get(pk=page.pk).live
