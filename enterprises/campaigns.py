"""The push campaign view in the admin (企业服务 → 政策推送): per policy, how many enterprises
matched, how many messages were sent, failed, are waiting and were read; a progress bar that
follows a running push; reads over time; the failures with their reasons; and the matched list
as CSV for the drafting department. A policy's withdrawal notices (撤回通知) are among its
pushes, with the enterprises they went to.

Who may look: superusers and 督办人 see every policy; 编辑 and 审签人 see the policies their
organisation (or one below it) drafted. Anyone else gets 403; a policy outside the scope is 404.
"""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import TruncDate, TruncHour
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from wagtail.admin.menu import MenuItem

from core.exports import csv_download
from core.models import Division
from enterprises import criteria, push
from enterprises.access import may_see_policy_enterprises, scope_policies
from enterprises.models import Delivery, Push
from enterprises.services import staff_contact

PER_PAGE = 20
FAILURES_SHOWN = 50


def visible_policies(user):
    """The policies with pushes whose campaigns ``user`` may see."""
    from interpretations.models import PolicyPage

    return scope_policies(
        user, PolicyPage.objects.filter(Exists(Push.objects.filter(policy=OuterRef("pk")))))


def _policy_for(request, policy_id):
    policy = visible_policies(request.user).filter(pk=policy_id).first()
    if policy is None:
        raise Http404
    return policy


def _push_rows(pushes):
    figures = push.figures_for(pushes)
    return [{"push": p, "figures": figures[p.pk]} for p in pushes]


@require_GET
def campaign_index(request):
    policies = (visible_policies(request.user).select_related("drafting_department")
                .annotate(last_push=Max("pushes__created_at")).order_by("-last_push", "-pk"))
    page = Paginator(policies, PER_PAGE).get_page(request.GET.get("page"))
    pushes = list(Push.objects.filter(policy__in=[p.pk for p in page.object_list]))
    figures = push.figures_for(pushes)
    totals = {}
    for p in pushes:
        row = totals.setdefault(p.policy_id, {"pushes": 0, "matched": 0, "sent": 0, "failed": 0,
                                              "read": 0, "pending": 0, "running": False,
                                              "withdrawn": []})
        f = figures[p.pk]
        row["pushes"] += 1
        if p.kind == Push.Kind.WITHDRAWAL:
            row["withdrawn"].append(p.get_reason_display())
        else:  # matched by the criteria (a withdrawal notice goes to earlier recipients)
            row["matched"] = max(row["matched"], f.matched)
        for name in ("sent", "failed", "read"):
            row[name] += getattr(f, name)
        row["pending"] += f.pending + f.digest
        row["running"] |= p.status != Push.Status.DONE
    rows = [{"policy": policy, **totals.get(policy.pk, {})} for policy in page.object_list]
    return TemplateResponse(request, "enterprises/admin/campaigns/index.html", {
        "page_title": _("政策推送"), "header_icon": "mail", "page": page, "rows": rows})


def _progress(policy):
    pushes = list(Push.objects.filter(policy=policy).order_by("created_at", "pk"))
    rows = _push_rows(pushes)
    return rows, any(p.status != Push.Status.DONE for p in pushes)


def reads_chart(policy, now=None):
    """Reads (opened messages) over time: per hour for the first two days, then per day."""
    from hotline import charts

    now = now or timezone.now()
    first = Push.objects.filter(policy=policy).order_by("created_at").values_list(
        "created_at", flat=True).first()
    if first is None:
        return ""
    reads = Delivery.objects.filter(push__policy=policy, read_at__isnull=False).order_by()
    hourly = now - first <= timedelta(days=2)
    if hourly:
        start = timezone.localtime(first).replace(minute=0, second=0, microsecond=0)
        buckets = [start + timedelta(hours=i)
                   for i in range(int((now - start).total_seconds() // 3600) + 1)]
        counts = {timezone.localtime(b): n for b, n in reads.annotate(b=TruncHour("read_at"))
                  .values_list("b").annotate(n=Count("pk"))}
        labels = [b.strftime("%H时") for b in buckets]
        values = [counts.get(b, 0) for b in buckets]
    else:
        today = timezone.localdate(now)
        days = [today - timedelta(days=i) for i in range(29, -1, -1)
                if today - timedelta(days=i) >= timezone.localdate(first)]
        counts = dict(reads.annotate(b=TruncDate("read_at")).values_list("b")
                      .annotate(n=Count("pk")))
        labels = [d.strftime("%m-%d") for d in days]
        values = [counts.get(d, 0) for d in days]
    step = max(1, len(labels) // 12)  # keep the axis legible
    labels = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    return charts.bar_chart(labels, values, _("阅读数（按小时）") if hourly else _("阅读数（按日）"),
                            unit=_("次"), width=720)


@require_GET
def campaign_detail(request, policy_id):
    policy = _policy_for(request, policy_id)
    rows, running = _progress(policy)
    failed = Delivery.objects.filter(push__policy=policy, status=Delivery.Status.FAILED)
    return TemplateResponse(request, "enterprises/admin/campaigns/detail.html", {
        "page_title": _("政策推送：%(title)s") % {"title": policy.title}, "header_icon": "mail",
        "policy": policy, "rows": rows, "running": running,
        "audience": criteria.summary(policy),
        "chart": reads_chart(policy),
        "failures": failed.select_related("enterprise", "push").order_by("-pk")[:FAILURES_SHOWN],
        "failure_total": failed.count(),
        "reasons": failed.order_by().values("error").annotate(n=Count("pk")).order_by("-n")[:10],
        "progress_url": reverse("enterprises_campaign_progress", args=[policy.pk]),
    })


@require_GET
def campaign_progress(request, policy_id):
    """Figures of the policy's pushes as JSON, polled by the detail page while running."""
    policy = _policy_for(request, policy_id)
    rows, running = _progress(policy)
    return JsonResponse({"running": running, "pushes": [{
        "id": row["push"].pk, "status": row["push"].status,
        "status_label": str(row["push"].get_status_display()),
        "matched": row["figures"].matched, "sent": row["figures"].sent,
        "failed": row["figures"].failed, "pending": row["figures"].pending,
        "digest": row["figures"].digest, "read": row["figures"].read,
        "total": row["figures"].total, "percent": row["figures"].percent,
    } for row in rows]})


@require_GET
def campaign_export(request, policy_id):
    """The enterprises the policy matches (its current criteria), whether the push reached
    them and whether they read it: CSV in UTF-8 with BOM (opens in Excel), streamed."""
    from enterprises.industries import label
    from enterprises.models import SizeClass

    policy = _policy_for(request, policy_id)
    deliveries = Delivery.objects.filter(push__policy=policy, enterprise=OuterRef("pk"))
    enterprises = (criteria.matching_enterprises(policy)
                   .annotate(reached=Exists(deliveries.filter(status=Delivery.Status.SENT)),
                             read=Exists(deliveries.filter(read_at__isnull=False)))
                   .order_by("pk").values_list(
                       "credit_code", "name", "industry_code", "size_class", "division_id",
                       "contact_name", "contact_phone", "reached", "read"))
    divisions = Division.full_names()
    sizes = dict(SizeClass.choices)
    yes, no = _("是"), _("否")
    rows = ([code, name, label(industry), sizes.get(size, size), divisions.get(division, ""),
             *staff_contact(contact, phone, paying_department=False),
             yes if reached else no, yes if read else no]
            for code, name, industry, size, division, contact, phone, reached, read
            in enterprises.iterator(chunk_size=2000))
    header = [_("统一社会信用代码"), _("企业名称"), _("国民经济行业"), _("企业规模"), _("注册地"),
              _("联系人"), _("联系电话"), _("已送达"), _("已阅读")]
    return csv_download(f"policy-{policy.pk}-matched-{timezone.localdate():%Y%m%d}.csv",
                        header, rows)


def urls():
    return [
        path("enterprises/campaigns/", campaign_index, name="enterprises_campaigns"),
        path("enterprises/campaigns/<int:policy_id>/", campaign_detail,
             name="enterprises_campaign"),
        path("enterprises/campaigns/<int:policy_id>/progress/", campaign_progress,
             name="enterprises_campaign_progress"),
        path("enterprises/campaigns/<int:policy_id>/export/", campaign_export,
             name="enterprises_campaign_export"),
    ]


class CampaignMenuItem(MenuItem):
    def __init__(self):
        super().__init__(gettext_lazy("政策推送"), "#", icon_name="mail", order=200,
                         name="enterprises-campaigns")

    def is_shown(self, request):
        return may_see_policy_enterprises(request.user)

    def render_component(self, request):
        self.url = reverse("enterprises_campaigns")
        return super().render_component(request)
