"""政策文件 on the staff home page (see ``hotline.panels``) and the list its counts link to.

* Editors and approvers: their drafts, the policies waiting for sign-off with the step each
  one is at and who holds it, and the 惠企政策配套材料 still missing.
* 合法性审核人 and 办公室审签人: the policies waiting for sign-off that they may review.
* Supervisors: concerns past their response time and 紧急发布 past their 补签 deadline.

``PolicyWorkIndexView`` (在办政策文件, ``/admin/policy-work/``) lists the drafts and the
policies in sign-off; its filter ``show`` reads ``my_drafts`` and ``awaiting_signoff``, the
same functions the home page counts with. Every query is scoped by
``interpretations.permissions`` (``policies_in_scope``, ``scope_to_policies``) and the
workflow's own rule for who may review (``TaskState.objects.reviewable_by``).
"""

from dataclasses import dataclass

import django_filters
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import TaskState, WorkflowState, get_default_page_content_type
from wagtail.permission_policies.base import BasePermissionPolicy

from core import roles
from core.models import User
from hotline.models import Alert
from hotline.panels import ITEMS, Item, Row, WorkPanel, short_time
from interpretations.models import Concern, EmergencyPublication, PolicyPage
from interpretations.models.support import SupportStatus
from interpretations.permissions import policies_in_scope, scope_to_policies
from interpretations.services import support_materials_rows

DRAFTING_ROLES = (roles.EDITOR, roles.APPROVER)
REVIEWING_ROLES = (roles.LEGALITY_REVIEWER, roles.OFFICE_REVIEWER)
WORK_ROLES = DRAFTING_ROLES + REVIEWING_ROLES


# --- The rules: drafts, sign-off, who holds a step -------------------------------------------------


def _signing_off():
    """``Exists``: the policy has a sign-off run in progress (waiting for a reviewer)."""
    return Exists(WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type_id=get_default_page_content_type().id,
        object_id=Cast(OuterRef("pk"), CharField())))


UNPUBLISHED = Q(live=False) | Q(has_unpublished_changes=True)


def my_drafts(user):
    """Policies ``user`` may work on, created or last saved by them, with changes not yet
    published and not waiting in sign-off (a step that sent them back counts: they are the
    user's to change)."""
    return (PolicyPage.objects.filter(policies_in_scope(user))
            .filter(Q(owner=user) | Q(latest_revision__user=user))
            .filter(UNPUBLISHED).exclude(_signing_off()))


def awaiting_signoff(user):
    """Policies waiting for a sign-off step: those ``user`` may work on (the drafting
    department's view) and those whose current step ``user`` may review."""
    reviewable = TaskState.objects.reviewable_by(user).filter(
        workflow_state__base_content_type_id=get_default_page_content_type().id).values(
        "workflow_state__object_id")
    mine = PolicyPage.objects.filter(policies_in_scope(user)).values("pk")
    return (PolicyPage.objects.alias(key=Cast("pk", CharField()))
            .filter(_signing_off())
            .filter(Q(pk__in=mine) | Q(key__in=reviewable)))


def work_in_progress(user):
    """The list's rows: ``user``'s policies with unpublished changes, and those waiting for
    a step ``user`` may review."""
    mine = PolicyPage.objects.filter(policies_in_scope(user)).filter(UNPUBLISHED)
    return PolicyPage.objects.filter(Q(pk__in=mine.values("pk"))
                                     | Q(pk__in=awaiting_signoff(user).values("pk")))


@dataclass
class Step:
    """Where a policy's sign-off stands: the step, since when, and who holds it."""

    name: str
    since: object
    group: str
    organisation: str
    people: list

    @property
    def holders(self):
        who = f"{self.group}（{self.organisation}）" if self.organisation else self.group
        names = "、".join(self.people) or _("暂无可审签人员")
        return f"{who}：{names}"

    def __str__(self):
        return _("%(step)s · %(holders)s") % {"step": self.name, "holders": self.holders}


def current_step(page):
    """The step ``page`` waits at, or None: its task, the task's groups and scope, and the
    active members of those groups inside that scope (``PackageReviewTask.scope_refusal``,
    the rule the step itself applies when someone acts)."""
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        return None
    task_state = state.current_task_state
    if task_state is None:
        return None
    task = task_state.task.specific
    groups = list(task.groups.all()) if hasattr(task, "groups") else []
    organisation = getattr(task, "reviewing_organisation", None)
    if organisation is None and getattr(task, "drafting_department_only", False):
        organisation = page.drafting_department
    refusal = getattr(task, "scope_refusal", None)
    people = [person.display_name for person in User.objects.filter(
        is_active=True, groups__in=groups).distinct().order_by("last_name", "first_name", "pk")
        if refusal is None or refusal(page, person) is None]
    return Step(task.name, task_state.started_at, "、".join(g.name for g in groups),
                getattr(organisation, "short_name", "") or str(organisation or ""), people)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def work_url(show):
    return f"{reverse('policy-work:index')}?show={show}"


# --- Home page panels ------------------------------------------------------------------------


class PolicyWorkPanel(WorkPanel):
    """编辑/审签人: drafts, sign-off and 配套材料; 合法性审核人/办公室审签人: sign-off."""

    name = "policy-work"
    roles = WORK_ROLES
    heading = gettext_lazy("政策文件审签")
    order = 42

    def rows(self, user):
        drafting = roles.has_role(user, *DRAFTING_ROLES)
        rows = []
        if drafting:
            drafts = my_drafts(user).order_by("-latest_revision_created_at", "-pk")
            row = Row("drafts", _("我的草稿"), drafts.count(), work_url("mine"))
            row.items = [Item(page.draft_title, edit_url(page), note=_("最近修改 %(at)s") % {
                "at": short_time(page.latest_revision_created_at)})
                for page in drafts[:ITEMS] if page.latest_revision_created_at]
            rows.append(row)
        waiting = awaiting_signoff(user).select_related("drafting_department").order_by(
            "latest_revision_created_at", "pk")
        row = Row("awaiting", _("等待审签"), waiting.count(), work_url("awaiting"))
        for page in waiting[:ITEMS]:
            step = current_step(page)
            note = (_("%(step)s，%(since)s起") % {"step": step, "since": short_time(step.since)}
                    if step else "")
            row.items.append(Item(page.draft_title, edit_url(page), note=note))
        rows.append(row)
        if drafting:
            rows += support_rows(user)
        return rows


def support_rows(user):
    """惠企政策配套材料 still missing (待补充, 已超期), read as the list 惠企政策配套材料 reads
    them, each with the policies whose deadline comes first."""
    states = support_materials_rows(PolicyPage.objects.filter(policies_in_scope(user)))
    url = reverse("support-materials:index")
    rows = []
    for status, label, badge in ((SupportStatus.PENDING, _("配套材料待补充"), ""),
                                 (SupportStatus.OVERDUE, _("配套材料已超期"), Alert.OVERDUE)):
        found = sorted(((p, s) for p, s in states if s.status == status),
                       key=lambda pair: pair[1].due_at)
        rows.append(Row(f"support-{status}", label, len(found), f"{url}?status={status}",
                        badge=badge, items=[Item(
                            page.title, edit_url(page), badge=badge, deadline=s.due_at,
                            note=_("尚缺%(missing)s") % {"missing": s.missing_text})
                            for page, s in found[:ITEMS]]))
    return rows


class PolicySupervisorPanel(WorkPanel):
    """督办人: concerns past their response time and 紧急发布 past their 补签 deadline, as the
    lists 关切登记 (已超过回应时限) and 紧急发布与补签 (补签超期) show them."""

    name = "policy-supervisor"
    roles = (roles.SUPERVISOR,)
    heading = gettext_lazy("政策解读督办")
    order = 46

    def rows(self, user):
        return [
            Row("concerns", _("关切超期未回应"),
                scope_to_policies(Concern.objects.overdue(), user).count(),
                f"{reverse('concerns:index')}?overdue=true", badge=Alert.OVERDUE),
            Row("countersign", _("紧急发布补签超期"),
                scope_to_policies(EmergencyPublication.objects.overdue(), user, "page").count(),
                f"{reverse('emergency-publications:index')}?status=overdue",
                badge=Alert.OVERDUE),
        ]


# --- 在办政策文件: the list the counts link to ------------------------------------------------


def may_view_work(user):
    return user.is_active and (user.is_superuser or roles.has_role(user, *WORK_ROLES))


class PolicyWorkPermissionPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and may_view_work(user)


class PolicyWorkFilterSet(WagtailFilterSet):
    show = django_filters.ChoiceFilter(
        label=_("显示"), method="filter_show", empty_label=_("全部在办"),
        choices=[("mine", gettext_lazy("我的草稿")), ("awaiting", gettext_lazy("等待审签"))])

    class Meta:
        model = PolicyPage
        fields = ["show"]

    def filter_show(self, queryset, name, value):
        rule = {"mine": my_drafts, "awaiting": awaiting_signoff}.get(value)
        if rule is None or self.request is None:
            return queryset
        return queryset.filter(pk__in=rule(self.request.user).values("pk"))


class PolicyWorkIndexView(generic.IndexView):
    """Policies with unpublished changes that the user may work on, and those waiting for a
    step the user may review: where each one's sign-off stands and who holds it."""

    model = PolicyPage
    permission_policy = PolicyWorkPermissionPolicy(PolicyPage)
    any_permission_required = ["view"]
    page_title = gettext_lazy("在办政策文件")
    header_icon = "doc-full"
    filterset_class = PolicyWorkFilterSet
    search_fields = ["draft_title", "doc_number"]
    search_backend_name = None  # a plain title/字号 match (the search index holds segmented text)
    default_ordering = "-latest_revision_created_at"
    paginate_by = 50

    def get_base_queryset(self):
        return work_in_progress(self.request.user).select_related("drafting_department")

    def get_valid_orderings(self):
        return ["latest_revision_created_at", "-latest_revision_created_at"]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, others = super().paginate_queryset(queryset, page_size)
        for policy in rows:
            policy.step = current_step(policy)
        return paginator, page, rows, others

    @cached_property
    def columns(self):
        return [
            TitleColumn("draft_title", label=_("政策文件"), get_url=edit_url),
            Column("drafting_department", label=_("起草部门"),
                   accessor=lambda p: getattr(p.drafting_department, "short_name", "") or "—"),
            Column("state", label=_("状态"), accessor=lambda p: (
                _("审签中") if p.step else _("草稿（未发布）") if not p.live
                else _("已发布，有未发布的修改"))),
            Column("step", label=_("当前环节"), accessor=lambda p: p.step.name if p.step else "—"),
            Column("holders", label=_("由谁审签"),
                   accessor=lambda p: p.step.holders if p.step else "—"),
            Column("latest_revision_created_at", label=_("最近修改"),
                   sort_key="latest_revision_created_at",
                   accessor=lambda p: timezone.localtime(p.latest_revision_created_at).strftime(
                       "%Y-%m-%d %H:%M") if p.latest_revision_created_at else "—"),
        ]

    def get_list_buttons(self, instance):
        return []


class PolicyWorkViewSet(ViewSet):
    icon = "doc-full"
    menu_label = gettext_lazy("在办政策文件")

    def get_urlpatterns(self):
        names = {"index_url_name": self.get_url_name("index"),
                 "index_results_url_name": self.get_url_name("index_results")}
        return [path("", PolicyWorkIndexView.as_view(**names), name="index"),
                path("results/", PolicyWorkIndexView.as_view(**names, results_only=True),
                     name="index_results")]
