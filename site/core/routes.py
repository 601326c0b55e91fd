"""Fixed routes: the addresses Django answers itself, ahead of Wagtail's page tree.

Two rules live here. ``LINKS`` are the fixed routes an editor may put in the main navigation
(an entry on the home page); an entry keeps the route's name, so its address always follows the
URLconf. ``taken_by`` decides whether an address belongs to a fixed route: a page there would
never be shown, so every page model refuses such a slug (``FixedRoutePageMixin``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.forms.pages import CopyForm

# Route name → what the navigation calls it. Only routes without arguments.
LINKS = {
    "enterprises:calculator": _("政策计算器"),
    "enterprises:dashboard": _("企业服务"),
    "hotline:submit": _("提交 12345 诉求"),
    "hotline:track": _("12345 诉求进度查询"),
    "hotline:figures": _("12345 热线数据公开"),
    "ratings:figures": _("好差评月度公示"),
}


def link_choices():
    """The fixed routes an entry can point at (the choices of ``EntryBlock.route``), after a
    blank choice of our own (Wagtail's default one has no Chinese translation)."""
    return [("", _("（不选）")), *LINKS.items()]


def link_url(name):
    """The address of a fixed route by name; None when no route has that name (any more)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def serves_pages(view):
    """Mark a view that serves Wagtail pages (it answers for the page tree, so an address it
    takes is not a fixed route)."""
    view.serves_pages = True
    return view


def taken_by(path):
    """What answers ``path`` ahead of the page tree: the resolved fixed route, the static/media
    prefix, or None when a page at ``path`` would be shown.

    Resolves against the URLconf, so a route added anywhere is covered without a list here.
    """
    for prefix in (settings.STATIC_URL, settings.MEDIA_URL):
        if prefix and prefix.startswith("/") and path.startswith(prefix):
            return prefix
    from wagtail import views as wagtail_views  # needs the models loaded

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.func is wagtail_views.serve or getattr(match.func, "serves_pages", False):
        return None
    return match


def page_path(parent, slug):
    """The address (path, no script prefix) a page with ``slug`` under ``parent`` gets on its
    site; None when ``parent`` is on no site (the tree root)."""
    parts = parent.get_url_parts()
    if parts is None:
        return None
    parent_path = parts[2]
    script_prefix = get_script_prefix()
    if parent_path.startswith(script_prefix):
        parent_path = "/" + parent_path[len(script_prefix):]
    return parent_path.rstrip("/") + "/" + slug + "/"


def check_page_slug(slug, parent):
    """Refuse (``ValidationError`` on ``slug``) a slug whose address under ``parent`` a fixed
    route answers: the page would never be shown there."""
    if not slug or parent is None:
        return
    path = page_path(parent, slug)
    route = taken_by(path) if path else None
    if route is None:
        return
    label = LINKS.get(getattr(route, "view_name", None))
    if label:
        message = gettext("地址 %(path)s 已是站内功能“%(label)s”的地址，使用这个缩略名的页面将无法"
                          "打开。请换一个缩略名。") % {"path": path, "label": label}
    else:
        message = gettext("地址 %(path)s 已被站内固定功能占用，使用这个缩略名的页面将无法打开。"
                          "请换一个缩略名。") % {"path": path}
    raise ValidationError({"slug": message})


class PageForm(WagtailAdminPageForm):
    """The admin form of every page model. A page being created has no place in the tree yet,
    so its slug is checked here against the parent it is being added to; an existing page is
    checked by the model (``FixedRoutePageMixin.clean``)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("slug") and "slug" not in self.errors:
            try:
                check_page_slug(cleaned["slug"], self.parent_page)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class PageCopyForm(CopyForm):
    """The admin's copy form: the copy's slug under its new parent is checked the same way."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_slug"):
            parent = cleaned.get("new_parent_page") or self.page.get_parent()
            try:
                check_page_slug(cleaned["new_slug"], parent)
            except ValidationError as error:
                self.add_error("new_slug", error.message_dict["slug"])
        return cleaned


class FixedRoutePageMixin:
    """Put first in the bases of every page model: a slug whose address a fixed route answers
    is refused, wherever the page is saved from (admin create, edit and copy, import, shell;
    moving is checked by the ``before_move_page`` hook in core.wagtail_hooks)."""

    base_form_class = PageForm
    copy_form_class = PageCopyForm

    def clean(self):
        super().clean()
        check_page_slug(self.slug, self.get_parent())

    def minimal_clean(self):
        super().minimal_clean()
        check_page_slug(self.slug, self.get_parent())
