"""One sign-off: every approval is a 审签记录 pinned to the exact revision; each step is reviewed by
its own group in its own scope, never by the person who approved another step of the same
revision; a change after approval sends the policy back through every step before it can go
live; and only the people who may review a step are told about it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import roles
from interpretations.models import PolicyPage, SignOff
from interpretations.publishing import finish_workflow, record_signoff, signoff_problems

pytestmark = pytest.mark.django_db


def approve(client, page, user):
    client.force_login(user)
    page = PolicyPage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": "同意"}, follow=True)
    assert response.status_code == 200
    return state.task.name, response.content.decode()


def test_three_steps_by_three_people_record_signoffs_then_publish(client, make_policy, editor,
                                                                  reviewers_for):
    page = make_policy()
    page.get_workflow().start(page, editor)
    people = reviewers_for(page)
    steps = [approve(client, page, person)[0] for person in people]
    assert steps == ["起草部门审核", "合法性审核", "办公室审签"]
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live
    records = list(SignOff.objects.filter(page=page).order_by("pk"))
    assert [r.task_name for r in records] == steps
    assert {r.revision_id for r in records} == {page.live_revision_id}
    assert [r.approver_id for r in records] == [p.pk for p in people]
    assert all(r.result == SignOff.Result.APPROVED and r.decided_at for r in records)


def test_one_person_cannot_approve_two_steps_of_the_same_revision(client, make_policy, editor,
                                                                  make_user, city):
    """A superuser (in every group's place) approves the first step, then is refused the
    second: the button is not offered and a forged request changes nothing."""
    boss = make_user(None, city["orgs"]["hrss"], username="boss", is_superuser=True,
                     is_staff=True)
    page = make_policy()
    page.get_workflow().start(page, editor)
    assert approve(client, page, boss)[0] == "起草部门审核"
    page = PolicyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    assert task_state.task.name == "合法性审核"
    assert "approve" not in [a[0] for a in task_state.task.specific.get_actions(page, boss)]
    with pytest.raises(PermissionDenied, match="同一人不能审签同一版本的两个环节"):
        task_state.task.specific.on_action(task_state.specific, boss, "approve")
    name, content = approve(client, page, boss)
    assert name == "合法性审核" and "没有权限" in content
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.live and page.current_workflow_task.name == "合法性审核"
    assert SignOff.objects.filter(approver=boss, result=SignOff.Result.APPROVED).count() == 1


def test_the_rule_itself_refuses_a_chain_signed_twice_by_one_person(make_policy, editor,
                                                                    approver, settings):
    """However the records came about, a chain with one approver at two steps is not a
    sign-off (the setting turns the rule off)."""
    page = make_policy()
    state = page.get_workflow().start(page, editor)
    revision = page.get_latest_revision()
    from interpretations.publishing import workflow_steps

    steps = workflow_steps(page.get_workflow())
    for step in steps:
        record_signoff(page, revision, approver, task=step, workflow_state=state)
    assert "同一人审签了本版本的两个环节" in signoff_problems(page, revision)[0]
    settings.PLATFORM = {**settings.PLATFORM, "SIGNOFF_SEPARATE_DUTIES": False}
    assert signoff_problems(page, revision) == []


def test_each_step_is_reviewed_by_its_own_group_and_organisation(make_policy, editor, make_user,
                                                                 city, reviewers_for):
    """合法性审核 by the legality group of its organisation; an approver of the drafting
    department, or a legality reviewer of another organisation, is not offered the step."""
    from interpretations.publishing import workflow_steps

    page = make_policy()
    legality = workflow_steps(page.get_workflow())[1]
    legality.reviewing_organisation = city["orgs"]["housing"]  # stands in for 市司法局
    legality.save()
    page.get_workflow().start(page, editor)
    first, _legal, office = reviewers_for(page)
    task = PolicyPage.objects.get(pk=page.pk).current_workflow_task_state.task.specific
    task.on_action(PolicyPage.objects.get(pk=page.pk).current_workflow_task_state.specific,
                   first, "approve")
    page = PolicyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    step = task_state.task.specific
    in_org = make_user(roles.LEGALITY_REVIEWER, city["orgs"]["housing"], username="sifa")
    elsewhere = make_user(roles.LEGALITY_REVIEWER, city["orgs"]["hrss"], username="sifa2")
    drafting_approver = make_user(roles.APPROVER, city["orgs"]["hrss"], username="approver9")
    assert "approve" in [a[0] for a in step.get_actions(page, in_org)]
    assert step.get_actions(page, elsewhere) == []
    assert step.get_actions(page, drafting_approver) == []
    with pytest.raises(PermissionDenied, match="本环节只能由市住建局审核"):
        step.on_action(task_state.specific, elsewhere, "approve")
    step.on_action(task_state.specific, in_org, "approve")
    page = PolicyPage.objects.get(pk=page.pk)
    page.current_workflow_task_state.task.specific.on_action(
        page.current_workflow_task_state.specific, office, "approve")
    assert PolicyPage.objects.get(pk=page.pk).live


def test_only_reviewers_in_scope_are_emailed(make_policy, editor, make_user, city):
    """Wagtail would email every 审签人 of every department; only the drafting department's are
    told about its draft."""
    own = make_user(roles.APPROVER, city["orgs"]["hrss"], username="own", email="own@x.cn")
    other = make_user(roles.APPROVER, city["orgs"]["housing"], username="other",
                      email="other@x.cn")
    page = make_policy(title="关于内部草稿的通知")
    mail.outbox = []
    page.get_workflow().start(page, editor)
    recipients = {address for message in mail.outbox for address in message.to}
    assert own.email in recipients
    assert other.email not in recipients


def test_returning_for_changes_is_on_the_record(client, make_policy, editor, reviewers_for):
    page = make_policy()
    page.get_workflow().start(page, editor)
    first, legal, _office = reviewers_for(page)
    approve(client, page, first)  # 起草部门审核
    client.force_login(legal)
    state = PolicyPage.objects.get(pk=page.pk).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk])
    assert client.post(url, {"comment": "解读材料未说明申领渠道"}).status_code == 302
    returned = SignOff.objects.get(result=SignOff.Result.RETURNED)
    assert (returned.task_name, returned.approver_id, returned.note) == (
        "合法性审核", legal.pk, "解读材料未说明申领渠道")
    assert returned.revision_id == page.get_latest_revision().pk
    assert returned.get_result_display() == "退回修改"
    assert not PolicyPage.objects.get(pk=page.pk).live


def test_change_after_approval_needs_reapproval(client, make_policy, editor, reviewers_for):
    page = make_policy()
    page.get_workflow().start(page, editor)
    first, legal, office = reviewers_for(page)
    approve(client, page, first)  # 起草部门审核 approves revision A
    signed_a = SignOff.objects.get()
    # The editor changes the interpretation after the first approval: revision B.
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.materials = [("qa", {"question": "补贴标准是多少？", "answer": "每人每月500元。"})]
    revision_b = draft.save_revision(user=editor)
    assert revision_b.pk != signed_a.revision_id
    approve(client, page, legal)  # 合法性审核 approves B...
    # ...but the first step approved A only, so the workflow goes back to it; nothing is live.
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.live
    assert page.current_workflow_task.name == "起草部门审核"
    for person in (first, legal, office):
        approve(client, page, person)
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.live and page.live_revision_id == revision_b.pk
    assert page.materials[0].value["question"] == "补贴标准是多少？"
    invalidated = SignOff.objects.get(result=SignOff.Result.INVALIDATED)
    assert (invalidated.task_name, invalidated.revision_id) == ("起草部门审核",
                                                                signed_a.revision_id)
    assert f"须对第{revision_b.pk}版重新审签" in invalidated.note
    approved_b = SignOff.objects.filter(revision=revision_b, result=SignOff.Result.APPROVED
                                        ).values_list("task_name", flat=True)
    assert set(approved_b) == {"起草部门审核", "合法性审核", "办公室审签"}


def test_finish_refuses_revision_not_signed_off_by_every_step(make_policy, editor, approver):
    page = make_policy()
    workflow_state = page.get_workflow().start(page, editor)
    # Only the first step signed off, on an older revision.
    old = page.get_latest_revision()
    state = PolicyPage.objects.get(pk=page.pk).current_workflow_task_state
    record_signoff(page, old, approver, task=state.task, workflow_state=workflow_state)
    page.get_latest_revision_as_object().save_revision(user=editor)
    with pytest.raises(PermissionDenied, match="须对最新版本重新审签"):
        finish_workflow(workflow_state, user=approver)
    assert not PolicyPage.objects.get(pk=page.pk).live
