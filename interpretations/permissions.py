"""Who may work on which policy document.

A department's editors and approvers draft, edit, publish and delete the policies it drafts
(起草部门) and those of the organisations below it; 督办人 and superusers work city-wide. The
page permissions on the policy section (``interpretations.workflows``) say *what* a role may do;
``may_work_on`` says *on which policies*. Every route asks it: the page permission tester
(editor, publish, unpublish, delete, move, bulk actions, the publish API and command), the
editor's choice of drafting department, the page explorer and the sign-off steps limited to the
drafting department.
"""

from django.db.models import Q
from wagtail.models import PagePermissionTester

from core.permissions import organisation_scope


def may_work_on(user, organisation_id):
    """Whether ``user`` may work on a policy drafted by ``organisation_id`` (``None``: a policy
    that names no drafting department yet, which anyone with page permissions may complete)."""
    if user.is_superuser:
        return True
    scope = organisation_scope(user)
    return scope is None or organisation_id is None or organisation_id in scope


def policies_in_scope(user):
    """A ``Q`` on ``PolicyPage`` for the policies ``user`` may work on (``Q()`` for all)."""
    scope = None if user.is_superuser else organisation_scope(user)
    if scope is None:
        return Q()
    return Q(drafting_department__isnull=True) | Q(drafting_department__in=scope)


def drafting_department_choices(user, current_id=None):
    """The organisations ``user`` may name as drafting department, and the one already named
    (so that a reviewer from another organisation can still save the page)."""
    from core.models import Organisation

    scope = None if user.is_superuser else organisation_scope(user)
    if scope is None:
        return Organisation.objects.all()
    return Organisation.objects.filter(Q(pk__in=scope) | Q(pk=current_id))


def department_staff(policy):
    """The drafting department's own editors and approvers: the people who keep a policy's
    follow-up work (materials, payouts) and hear about its deadlines."""
    from core import roles
    from core.models import User

    if policy.drafting_department_id is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, organisation_id=policy.drafting_department_id,
                               groups__name__in=[roles.EDITOR, roles.APPROVER]).distinct()


class PolicyPermissionTester(PagePermissionTester):
    """Page permissions on a policy hold only for users who may work on it. Anyone else keeps
    only what a sign-off step gives them: opening the editor to review while the step waits
    for them."""

    def __init__(self, user, page):
        super().__init__(user, page)
        if (user.is_active and not user.is_superuser
                and not may_work_on(user, page.drafting_department_id)):
            self.permissions = set()
