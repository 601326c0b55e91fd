"""Public JSON API of policies and their public interpretation (never the 解读方案), plus a
publish endpoint that goes through the same readiness rule as every other route."""

from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.security import django_auth

from core.params import MAX_ID
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


# --- bad input: 400 with what was wrong, in Chinese; 404 in Chinese -------------------------

MAX_OFFSET = 10**9
PolicyId = Annotated[int, Path(ge=1, le=MAX_ID, description="政策文件编号")]


def _problem(error):
    """One parameter's problem, in Chinese, from a pydantic error."""
    name = str(error["loc"][-1]) if error.get("loc") else ""
    ctx = error.get("ctx") or {}
    reason = {
        "missing": lambda: _("缺少该参数"),
        "int_parsing": lambda: _("须为整数"),
        "int_from_float": lambda: _("须为整数"),
        "greater_than_equal": lambda: _("不能小于 %(n)s") % {"n": ctx.get("ge")},
        "greater_than": lambda: _("须大于 %(n)s") % {"n": ctx.get("gt")},
        "less_than_equal": lambda: _("不能大于 %(n)s") % {"n": ctx.get("le")},
        "less_than": lambda: _("须小于 %(n)s") % {"n": ctx.get("lt")},
    }.get(error.get("type"), lambda: _("格式不正确"))()
    return _("参数“%(name)s”无效：%(reason)s") % {"name": name, "reason": reason}


@api.exception_handler(ValidationError)
def bad_parameters(request, exc):
    return api.create_response(request, {"detail": _("请求参数无效。"), "problems": [
        _problem(error) for error in exc.errors]}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到该政策文件。"), "problems": []},
                               status=404)


def summary(page):
    return {
        "id": page.pk, "title": page.title, "doc_number": page.doc_number,
        "issuing_organ": str(page.issuing_organ) if page.issuing_organ_id else None,
        "published_on": page.published_on, "validity": page.get_validity_display(),
        "url": page.url or "", "tags": [t.name for t in page.tags.all()],
    }


@api.get("/", response={200: list[PolicySummary], 400: Problem})
def list_policies(request, limit: int = 20,
                  offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0):
    limit = max(1, min(limit, 100))
    pages = (PolicyPage.objects.live().select_related("issuing_organ")
             .prefetch_related("tags").order_by("-published_on", "-pk")[offset:offset + limit])
    return [summary(p) for p in pages]


@api.get("/{int:pk}", response={200: PolicyDetail, 400: Problem, 404: Problem})
def policy_detail(request, pk: PolicyId):
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
          response={200: PolicySummary, 400: Problem, 403: Problem, 404: Problem,
                    409: Problem})
def publish(request, pk: PolicyId):
    page = get_object_or_404(PolicyPage, pk=pk)
    try:
        publish_policy(page, user=request.user)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except PublishRefused as exc:
        return Status(409, {"detail": str(exc), "problems": exc.problems})
    page.refresh_from_db()
    return Status(200, summary(page))
