"""The sign-off workflow and the page permissions of the policy section.

``ensure_policy_section`` is idempotent and is used by the demo and the tests: it grants 编辑
add/edit and 审签人 add/edit/publish on the policy index, and puts the index under the 三同步
workflow (names and steps stay editable in the admin; they are only created when missing).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from core import roles
from interpretations.models import PackageReviewTask

WORKFLOW_NAME = "政策文件三同步审签"
DEMO_STEPS = ["起草部门审核", "合法性审核", "办公室审签"]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
APPROVER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


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
def ensure_workflow(section, steps=DEMO_STEPS, reviewers=(roles.APPROVER,)):
    """The workflow on ``section``; created with ``steps`` if none is assigned yet."""
    assigned = WorkflowPage.objects.filter(page=section).select_related("workflow").first()
    if assigned is not None:
        return assigned.workflow
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created or not workflow.workflow_tasks.exists():
        groups = Group.objects.filter(name__in=reviewers)
        for order, name in enumerate(steps):
            task = PackageReviewTask.objects.filter(name=name).first()
            if task is None:
                # The first step is the drafting department's own review.
                task = PackageReviewTask.objects.create(name=name,
                                                        drafting_department_only=order == 0)
                task.groups.set(groups)
            WorkflowTask.objects.get_or_create(workflow=workflow, task=task,
                                               defaults={"sort_order": order})
    WorkflowPage.objects.create(page=section, workflow=workflow)
    return workflow


def ensure_policy_section(section, steps=DEMO_STEPS):
    ensure_page_permissions(section)
    return ensure_workflow(section, steps=steps)
