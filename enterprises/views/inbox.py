"""The enterprise's inbox of pushed policies, and read tracking for the links sent by SMS and
email. An enterprise only ever sees its own deliveries; anything else is 404."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from enterprises import criteria, payouts, push
from enterprises.access import enterprise_required, render_portal
from enterprises.models import Delivery, Push

PER_PAGE = 20


def _inbox(enterprise):
    return (Delivery.objects.filter(enterprise=enterprise, channel=Delivery.Channel.INBOX,
                                    status=Delivery.Status.SENT)
            .select_related("push").order_by("-created_at", "-pk"))


@enterprise_required
@require_GET
def inbox_list(request):
    page = Paginator(_inbox(request.enterprise), PER_PAGE).get_page(request.GET.get("page"))
    return render_portal(request, "enterprises/inbox/list.html", {"page": page},
                         section="inbox")


@enterprise_required
@require_GET
def inbox_item(request, pk):
    delivery = get_object_or_404(_inbox(request.enterprise).select_related("push__policy"),
                                 pk=pk)
    if delivery.read_at is None:
        push.mark_read(delivery)
        delivery.refresh_from_db(fields=["read_at"])
    item, policy = delivery.push, delivery.push.policy
    context = {"delivery": delivery, "item": item, "policy": policy,
               "is_update": item.kind == Push.Kind.UPDATE,
               "is_withdrawal": item.kind == Push.Kind.WITHDRAWAL}
    if context["is_withdrawal"]:
        # A withdrawal notice says what happened, and where the replacing document is.
        new = policy.replaced_by if item.reason == Push.Reason.REPLACED else None
        context["replacement"] = new if new is not None and new.live else None
    else:
        explanation = criteria.explain(policy, request.enterprise)
        context["explanation"] = explanation
        context["payout"] = payouts.standings(
            request.enterprise, [(policy, explanation.matched is True)]).get(policy.pk)
    return render_portal(request, "enterprises/inbox/item.html", context, section="inbox")


@require_GET
def track(request, token):
    """The link in an SMS or email: count the delivery as read, then show the policy."""
    delivery_id = push.delivery_id_for(token)
    delivery = (Delivery.objects.select_related("push__policy").filter(pk=delivery_id).first()
                if delivery_id else None)
    if delivery is None:
        raise Http404
    push.mark_read(delivery)
    return redirect(push.landing_url(delivery))
