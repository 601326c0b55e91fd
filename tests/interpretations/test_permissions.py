"""A department works on its own policy documents: another department's editors and approvers
cannot open, publish or delete them, nor see its drafts in the explorer, nor review the step
that belongs to the drafting department. The organisations above it and supervisors can."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import roles
from interpretations.models import PolicyPage
from interpretations.publishing import publish_policy
from tests.interpretations.conftest import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(make_user, city):
    """An approver of 市住建局: page permissions on the section, but not for 市人社局's work."""
    return make_user(roles.APPROVER, city["orgs"]["housing"], username="housing_approver")


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_another_departments_approver_cannot_edit_publish_or_delete(client, make_policy,
                                                                    outsider):
    page = make_policy(publish=True)
    perms = page.permissions_for_user(outsider)
    assert not (perms.can_edit() or perms.can_publish() or perms.can_unpublish()
                or perms.can_delete())
    client.force_login(outsider)
    refused = client.get(edit_url(page))
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    response = client.post(edit_url(page), edit_post_data(page, title="被改掉的标题"))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(reverse("wagtailadmin_pages:delete", args=[page.pk])).status_code == 302
    with pytest.raises(PermissionDenied):
        publish_policy(page, outsider)  # the JSON API and the command
    assert PolicyPage.objects.get(pk=page.pk).title == "关于进一步加强个人所得税征管的通知"


def test_the_drafting_department_and_the_organisations_above_it_can(make_policy, approver,
                                                                   editor, make_user, city):
    page = make_policy()
    assert page.permissions_for_user(editor).can_edit()
    assert page.permissions_for_user(approver).can_publish()
    above = make_user(roles.APPROVER, city["orgs"]["gov"], username="office_approver")
    assert page.permissions_for_user(above).can_publish()


def test_an_editor_can_only_name_its_own_department_as_drafter(client, section, editor, city):
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=["interpretations", "policypage", section.pk])
    form = client.get(url).context["form"]
    choices = set(form.fields["drafting_department"].queryset)
    assert city["orgs"]["hrss"] in choices and city["orgs"]["housing"] not in choices


def test_reviewer_elsewhere_keeps_the_editor_but_cannot_change_the_drafter(make_policy,
                                                                         approver, outsider):
    page = make_policy()
    form_class = type(page).get_edit_handler().get_form_class()
    form = form_class(instance=page, for_user=approver)
    assert page.drafting_department in form.fields["drafting_department"].queryset
    form = form_class(instance=page, for_user=outsider)
    assert set(form.fields["drafting_department"].queryset) == {
        outsider.organisation, page.drafting_department}


def test_explorer_hides_other_departments_drafts(client, make_policy, section, outsider):
    draft = make_policy(title="市人社局尚未发布的草稿")
    live = make_policy(title="市人社局已发布的文件", publish=True)
    client.force_login(outsider)
    listing = client.get(reverse("wagtailadmin_explore", args=[section.pk])).content.decode()
    assert live.title in listing and draft.title not in listing


def test_the_drafting_department_step_is_reviewed_by_that_department(client, make_policy,
                                                                     editor, approver, outsider,
                                                                     make_user, city):
    page = make_policy()
    page.get_workflow().start(page, editor)
    page = PolicyPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    task = task_state.task.specific
    assert task.name == "起草部门审核" and task.drafting_department_only
    assert task.get_actions(page, outsider) == []
    assert not task.get_task_states_user_can_moderate(outsider).exists()
    assert task.get_task_states_user_can_moderate(approver).exists()
    client.force_login(outsider)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    client.post(url, {"comment": ""})
    page.refresh_from_db()
    assert page.current_workflow_task_state.pk == task_state.pk  # still waiting

    # The next step (合法性审核) is its own group's, whatever the department: not the outside
    # 审签人's, but a legality reviewer of another department's.
    task.on_action(task_state, approver, "approve")
    page.refresh_from_db()
    next_state = page.current_workflow_task_state
    assert next_state.task.name == "合法性审核"
    assert next_state.task.specific.get_actions(page, outsider) == []
    legal = make_user(roles.LEGALITY_REVIEWER, city["orgs"]["housing"], username="housing_legal")
    assert "approve" in [a[0] for a in next_state.task.specific.get_actions(page, legal)]
