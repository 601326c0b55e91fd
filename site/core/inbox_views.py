"""我的消息: each staff member's own in-app notices (``notify_staff``) in the Wagtail admin.

Every screen here reads through ``inbox_of``, so a user only ever sees and marks their own
messages; another user's message is a 404. Enterprise users have no admin access and read their
notices in the enterprise portal.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem

from core.models import Message

PER_PAGE = 20
PANEL_SIZE = 5
# The unread count as a badge on the menu icon, like Wagtail's own badges; it is what shows when
# the sidebar is collapsed. The label already says the count, so the badge is hidden from
# screen readers (empty alternative text).
BADGE_CSS = """<style>
a[data-unread]:not([data-unread="0"]){position:relative}
a[data-unread]:not([data-unread="0"])::after{content:attr(data-unread) / "";position:absolute;
top:.45rem;left:1.75rem;min-width:.875rem;height:.875rem;padding:0 .2rem;border-radius:999px;
background:var(--w-color-warning-100);color:var(--w-color-surface-menus);font-size:.625rem;
font-weight:700;line-height:.875rem;text-align:center;box-sizing:border-box}
</style>"""


def inbox_of(user):
    """The user's own in-app messages, newest first."""
    return Message.objects.filter(user=user, channel=Message.Channel.INBOX).order_by(
        "-created_at", "-pk")


def unread_of(user):
    return inbox_of(user).filter(read_at__isnull=True)


def unread_count(user):
    """One COUNT on the (user, channel, read_at) index."""
    return unread_of(user).count()


def safe_link(request, message):
    """The message's link when it stays on this site, else ""."""
    link = message.link.strip()
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return link
    return ""


def index(request):
    unread_only = request.GET.get("show") == "unread"
    rows = unread_of(request.user) if unread_only else inbox_of(request.user)
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(request, "core/admin/inbox_index.html", {
        "page_title": _("我的消息"), "header_icon": "mail", "items": page,
        "elided_page_range": paginator.get_elided_page_range(page.number),
        "unread_only": unread_only, "unread": unread_count(request.user)})


def open_message(request, pk):
    """Mark the message read, then follow its link if it stays on this site."""
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    link = safe_link(request, message)
    if link:
        return redirect(link)
    return TemplateResponse(request, "core/admin/inbox_detail.html", {
        "page_title": message.subject or _("消息详情"), "header_icon": "mail",
        "message": message, "unsafe_link": bool(message.link.strip())})


@require_POST
def mark_all_read(request):
    count = unread_of(request.user).update(read_at=timezone.now())
    if count:
        messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect("core_inbox")


def urls():
    return [
        path("inbox/", index, name="core_inbox"),
        path("inbox/<int:pk>/", open_message, name="core_inbox_open"),
        path("inbox/read-all/", mark_all_read, name="core_inbox_read_all"),
    ]


class InboxMenuItem(MenuItem):
    """我的消息 for every admin user, with the unread count in the label."""

    def __init__(self):
        super().__init__(gettext_lazy("我的消息"), "#", name="inbox", icon_name="mail", order=50)

    def render_component(self, request):
        # Menu items are shared between requests: build the label without storing it.
        count = unread_count(request.user)
        label = (_("我的消息（%(count)d）") % {"count": count}) if count else _("我的消息")
        return LinkMenuItem(self.name, label, reverse("core_inbox"), icon_name=self.icon_name,
                            attrs={"data-unread": str(count)})


class InboxPanel(Component):
    """The latest unread notices on the admin home page; nothing when all are read."""

    name = "inbox"
    order = 50
    template_name = "core/admin/inbox_panel.html"

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        notices = list(unread_of(user)[:PANEL_SIZE])
        unread = len(notices) if len(notices) < PANEL_SIZE else unread_count(user)
        return {"notices": notices, "unread": unread}
