from django.contrib.syndication.views import Feed
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail import views as wagtail_views
from wagtail.models import Site
from wagtail.url_routing import RouteResult

from core import idempotency, params, ratelimit, routes
from interpretations.models import Concern, Feedback, FollowUpInterpretation, PolicyPage

MAX_COMMENT = 500
FEEDBACK_PER_HOUR = 10  # per client address: comments enter the concerns log, so limit spam


def over_feedback_limit(request):
    return ratelimit.over_limit("feedback", ratelimit.client_address(request), FEEDBACK_PER_HOUR,
                                3600)


@routes.serves_pages
def serve_policy(request, slug):
    """Wagtail's page serving for /policies/<slug>/ with a one-query route.

    Finds the live policy by slug and url_path (the slug index narrows it to a row or two)
    instead of walking the tree level by level, then runs Wagtail's own serve hooks (view
    restrictions and the rest) and serves the page. Anything else falls back to Wagtail.
    """
    site = Site.find_for_request(request)
    if site is not None:
        url_path = site.root_page.url_path + request.path_info.lstrip("/")
        # The article's heavy fields are read only when its cached fragment must be rendered.
        page = (PolicyPage.objects.filter(slug=slug, url_path=url_path, live=True)
                .defer(*PolicyPage.ARTICLE_ONLY_FIELDS).first())
        if page is not None:
            request._wagtail_route_for_request = RouteResult(page)
            chain = wagtail_views.serve_chain
            for fn in reversed(hooks.get_hooks("on_serve_page")):
                chain = fn(chain)
            for fn in hooks.get_hooks("before_serve_page"):
                result = fn(page, request, (), {})
                if isinstance(result, HttpResponse):
                    return result
            return chain(page, request, (), {})
    return wagtail_views.serve(request, request.path_info.lstrip("/"))


def attachment(request, pk, digest, filename):
    """A live policy's attachment as it was signed: the file copied when the published revision
    was saved, whatever happened to the document in the library since."""
    from interpretations.models import PolicyAttachment

    found = PolicyAttachment.objects.filter(
        page__live=True, page_id=pk, file_hash=digest).exclude(file="").first()
    if found is None or found.file.name.rsplit("/", 1)[-1] != filename:
        raise Http404
    response = FileResponse(found.file.open("rb"), as_attachment=False, filename=filename)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@csrf_exempt  # anonymous readers have no session to protect; pages stay cacheable without a token
@require_POST
def feedback(request, pk):
    """有帮助 / 没帮助 on a policy's interpretation; a comment enters the concerns log."""
    policy = get_object_or_404(PolicyPage.objects.live(), pk=pk)
    thanks = redirect(policy.url + "?feedback=thanks#feedback")
    # One feedback per form (the token is made in the browser: the page is cached for all).
    scope = f"interpretations.feedback:{policy.pk}"
    key = idempotency.submission_key(request.POST.get(idempotency.FIELD), request.POST)
    if idempotency.earlier(scope, key) is not None:
        return thanks
    if over_feedback_limit(request):
        return HttpResponse(_("提交过于频繁，请稍后再试。"), status=429)
    helpful = request.POST.get("helpful")
    if helpful not in ("1", "0"):
        return HttpResponseBadRequest(_("请选择“有帮助”或“没帮助”。"))
    comment = request.POST.get("comment", "").strip()
    if len(comment) > MAX_COMMENT:
        return HttpResponseBadRequest(_("意见不能超过%(n)d字。") % {"n": MAX_COMMENT})
    followup_id = params.parameter(request.POST, "followup", params.id_field())
    followup = FollowUpInterpretation.objects.filter(
        page=policy, pk=followup_id).first() if followup_id else None

    def create():
        concern = None
        if comment:
            concern = Concern.objects.create(
                policy=policy, source=Concern.Source.FEEDBACK,
                kind=Concern.Kind.CONCERN, content=comment)
        return Feedback.objects.create(policy=policy, followup=followup, helpful=helpful == "1",
                                       comment=comment, concern=concern)

    idempotency.submit_once(scope, key, create, reference=lambda feedback: feedback.pk)
    return thanks


class PolicyFeed(Feed):
    title = gettext_lazy("临江市政策文件")
    link = "/policies/"
    description = gettext_lazy("最新发布的政策文件及其解读")

    def items(self):
        return PolicyPage.objects.live().order_by("-first_published_at")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Public parts only: never the 解读方案.
        return f"{item.doc_number} {item.summary or item.body_text()[:200]}"

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at
