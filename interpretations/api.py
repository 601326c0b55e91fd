"""Public JSON API of policies and their public interpretation (never the 解读方案), plus a
publish endpoint that goes through the same readiness rule as every other route."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema, Status
from ninja.security import django_auth

from interpretations.models import PolicyPage
from interpretations.publishing import PublishRefused, publish_policy

api = NinjaAPI(title="政策文件接口", urls_namespace="policies_api", version="1")


class PolicySummary(Schema):
    id: int
    title: str
    doc_number: str
    issuing_organ: str | None
    published_on: date | None
    validity: str
    url: str
    tags: list[str]


class Material(Schema):
    kind: str
    html: str


class FollowUp(Schema):
    published_on: date
    title: str
    body: str


class PolicyDetail(PolicySummary):
    body: str
    no_interpretation_reason: str
    materials: list[Material]
    followups: list[FollowUp]


class Problem(Schema):
    detail: str
    problems: list[str] = []


def summary(page):
    return {
        "id": page.pk, "title": page.title, "doc_number": page.doc_number,
        "issuing_organ": str(page.issuing_organ) if page.issuing_organ_id else None,
        "published_on": page.published_on, "validity": page.get_validity_display(),
        "url": page.url or "", "tags": [t.name for t in page.tags.all()],
    }


@api.get("/", response=list[PolicySummary])
def list_policies(request, limit: int = 20, offset: int = 0):
    limit = max(1, min(limit, 100))
    pages = (PolicyPage.objects.live().select_related("issuing_organ")
             .prefetch_related("tags").order_by("-published_on", "-pk")[offset:offset + limit])
    return [summary(p) for p in pages]


@api.get("/{int:pk}", response=PolicyDetail)
def policy_detail(request, pk: int):
    page = get_object_or_404(PolicyPage.objects.live(), pk=pk)
    return {
        **summary(page), "body": str(page.body.render_as_block({"page": page})),
        "no_interpretation_reason": page.no_interpretation_reason if page.no_interpretation
        else "",
        "materials": [{"kind": str(b.block.label), "html": str(b.render({"page": page}))}
                      for b in page.materials],
        "followups": [{"published_on": f.published_on, "title": f.title, "body": f.body}
                      for f in page.followups.order_by("published_on", "pk")],
    }


@api.post("/{int:pk}/publish", auth=django_auth,
          response={200: PolicySummary, 403: Problem, 409: Problem})
def publish(request, pk: int):
    page = get_object_or_404(PolicyPage, pk=pk)
    try:
        publish_policy(page, user=request.user)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except PublishRefused as exc:
        return Status(409, {"detail": str(exc), "problems": exc.problems})
    page.refresh_from_db()
    return Status(200, summary(page))
