"""The sign-off workflow and the page permissions of the policy section.

``ensure_policy_section`` is idempotent and is used by the demo and the tests: it grants 编辑
add/edit and 审签人 add/edit/publish on the policy index, and puts the index under the 三同步
workflow: 起草部门审核 by the drafting department's 审签人, 合法性审核 by the 合法性审核人 of the
legality-review office (市司法局), 办公室审签 by the 办公室审签人 of the government office
(市政府办公室). Names, groups and organisations stay editable in the admin; they are only
created when missing (an organisation that does not exist leaves the step to its group).
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from core import roles
from core.models import Organisation
from interpretations.models import PackageReviewTask

WORKFLOW_NAME = "政策文件三同步审签"
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
APPROVER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


@dataclass(frozen=True)
class Step:
    name: str
    group: str
    drafting_department_only: bool = False
    organisation: str = ""  # short name of the reviewing organisation


DEMO_STEPS = [
    Step("起草部门审核", roles.APPROVER, drafting_department_only=True),
    Step("合法性审核", roles.LEGALITY_REVIEWER, organisation="市司法局"),
    Step("办公室审签", roles.OFFICE_REVIEWER, organisation="市政府办公室"),
]


def page_permission(codename):
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def ensure_page_permissions(section):
    groups = roles.ensure_roles()
    for role, codenames in ((roles.EDITOR, EDITOR_PAGE_PERMISSIONS),
                            (roles.APPROVER, APPROVER_PAGE_PERMISSIONS)):
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[role], page=section, permission=page_permission(codename))


@transaction.atomic
def ensure_workflow(section, steps=DEMO_STEPS):
    """The workflow on ``section``; created with ``steps`` if none is assigned yet."""
    assigned = WorkflowPage.objects.filter(page=section).select_related("workflow").first()
    if assigned is not None:
        return assigned.workflow
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created or not workflow.workflow_tasks.exists():
        for order, step in enumerate(steps):
            task = PackageReviewTask.objects.filter(name=step.name).first()
            if task is None:
                task = PackageReviewTask.objects.create(
                    name=step.name, drafting_department_only=step.drafting_department_only,
                    reviewing_organisation=Organisation.objects.filter(
                        short_name=step.organisation).first() if step.organisation else None)
                task.groups.set(Group.objects.filter(name=step.group))
            WorkflowTask.objects.get_or_create(workflow=workflow, task=task,
                                               defaults={"sort_order": order})
    WorkflowPage.objects.create(page=section, workflow=workflow)
    return workflow


def ensure_policy_section(section, steps=DEMO_STEPS):
    ensure_page_permissions(section)
    return ensure_workflow(section, steps=steps)


def sign_off(page, reviewers, submitter=None):
    """Take the latest revision of ``page`` through its workflow: submitted by ``submitter``
    (or the first reviewer), then each step approved by the next of ``reviewers`` through the
    step's own action, checked and recorded as any reviewer's approval is. The last approval
    publishes it (or schedules it, with a go-live time). Used by the demo and the tests; people
    do the same in the admin. Returns the page, read again."""
    page = page.specific
    state = page.current_workflow_state
    if state is None:
        state = page.get_workflow().start(page, submitter or reviewers[0])
    for user in reviewers:
        state.refresh_from_db()
        task_state = state.current_task_state
        if task_state is None or state.status != state.STATUS_IN_PROGRESS:
            break
        task_state.task.specific.on_action(task_state.specific, user, "approve")
    return type(page).objects.get(pk=page.pk)
