from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _
from wagtail.models import Site


def site_nav(request):
    """The main navigation: 首页, then the home page's entries in the editor's order (an entry
    whose page is not live, or whose route is gone, is left out). The entry for the current
    section carries ``current``: the one whose address is the current page or the nearest parent
    of it (/policies/calculator/ is 政策计算器, not 政策文件); 首页 only on the home page."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    entries = getattr(home, "entries", None) or []
    items = [{"title": _("首页"), "url": "/", "current": False}]
    for block in entries:
        url = block.value.href()
        if url:
            items.append({"title": block.value["title"], "url": url, "current": False})
    best = max(items, key=lambda item: _section_match(item["url"], request))
    best["current"] = _section_match(best["url"], request) > 0
    return {"site_nav": items}


def _section_match(url, request):
    """How many characters of the current path ``url`` covers, when it is the current page or
    a parent of it on this host (the home page covers only itself); 0 otherwise."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return 0
    path, here = unquote(parts.path), request.path
    if not path.startswith("/"):
        return 0
    if here == path or (path.endswith("/") and path != "/" and here.startswith(path)):
        return len(path)
    return 0
