"""Who may work on which policy document.

A department's editors and approvers draft, edit, publish and delete the policies it drafts
(起草部门) and those of the organisations below it; 督办人 and superusers work city-wide. The
page permissions on the policy section (``interpretations.workflows``) say *what* a role may do;
``may_work_on`` says *on which policies*. Every route asks it: the page permission tester
(editor, publish, unpublish, delete, move, bulk actions, the publish API and command), the
editor's choice of drafting department, the page explorer and the sign-off steps limited to the
drafting department. What hangs on a policy (concerns, feedback, 紧急发布) is scoped the same
way (``scope_to_policies``), and another department's draft titles stay out of the page
explorer, search, chooser and site history (``hidden_drafts``).
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


# --- Data attached to a policy: the concerns log, readers' feedback, 紧急发布 -----------------


def scope_to_policies(queryset, user, field="policy"):
    """The rows of ``queryset`` whose policy (reached by ``field``) ``user`` may work on: the
    same department rule as the policies themselves (``policies_in_scope``)."""
    from interpretations.models import PolicyPage

    mine = policies_in_scope(user)
    if not mine:  # city-wide
        return queryset
    return queryset.filter(**{f"{field}__in": PolicyPage.objects.filter(mine).values("pk")})


class PolicyScopedViewMixin:
    """For the admin views of a model attached to a policy: rows of policies outside the user's
    scope do not exist (listing, export, inspect, edit, delete, history, usage, copy → 404), and
    a form offers only the policies the user may work on. ``scope_field`` leads to the policy.
    """

    scope_field = "policy"

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if queryset.model is not self.model:  # history and usage list other things
            return queryset
        return scope_to_policies(queryset, self.request.user, self.scope_field)

    def get_object(self, *args, **kwargs):
        from django.http import Http404

        obj = super().get_object(*args, **kwargs)
        if obj is None or obj.pk is None:
            return obj
        visible = scope_to_policies(type(obj)._default_manager.filter(pk=obj.pk),
                                    self.request.user, self.scope_field)
        if not visible.exists():
            raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        from interpretations.models import PolicyPage

        form = super().get_form(*args, **kwargs)
        field = form.fields.get(self.scope_field)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = field.queryset.filter(
                pk__in=PolicyPage.objects.filter(policies_in_scope(self.request.user))
                .values("pk"))
        return form


# --- Draft titles in the page admin: explorer, page search, page chooser, site history -------


def hidden_drafts(user):
    """The policies whose draft ``user`` may not see (``None``: every draft is visible): other
    departments' policies that were never published (their title is a draft's), or whose
    latest draft carries a title other than the live one (the admin lists pages by their
    draft title). Live policies showing their published title stay visible to everyone."""
    from django.db.models import F

    from interpretations.models import PolicyPage

    mine = policies_in_scope(user)
    if not mine:  # city-wide
        return None
    return PolicyPage.objects.exclude(mine).filter(
        Q(live=False) | Q(has_unpublished_changes=True) & ~Q(draft_title=F("title")))


def without_hidden_drafts(pages, user):
    """``pages`` (a page queryset) without the policies whose draft ``user`` may not see: the
    one rule of the explorer, the page search, the page chooser and its search."""
    hidden = hidden_drafts(user)
    if hidden is None:
        return pages
    return pages.exclude(pk__in=hidden.values("pk"))


def without_hidden_workflow_states(states, user, prefix=""):
    """Workflow (or, with ``prefix="workflow_state__"``, task) states without those of the
    policies whose draft ``user`` may not see: the workflow reports list them by draft title."""
    hidden = hidden_drafts(user)
    if hidden is None:
        return states
    ids = [str(pk) for pk in hidden.values_list("pk", flat=True)]
    return states.exclude(**{f"{prefix}object_id__in": ids})


# Log entries of another department's policy that show only what was public anyway.
PUBLIC_LOG_ACTIONS = ["wagtail.publish", "interpretations.emergency_publish"]


def without_hidden_log_entries(entries, user):
    """Page log entries (the site-history report) without those of policies ``user`` may not
    work on: their labels are the titles of drafts at the time. Only publications (whose title
    was public then) of other departments' policies remain."""
    from django.contrib.contenttypes.models import ContentType

    from interpretations.models import PolicyPage

    mine = policies_in_scope(user)
    if not mine:  # city-wide
        return entries
    policy = (Q(content_type=ContentType.objects.get_for_model(PolicyPage))
              | Q(page_id__in=PolicyPage.objects.values("pk")))
    own = Q(page_id__in=PolicyPage.objects.filter(mine).values("pk"))
    return entries.exclude(policy & ~own & ~Q(action__in=PUBLIC_LOG_ACTIONS))
