from wagtail.models import Site


def site_nav(request):
    """The main navigation: the home page's entries, in the editor's order (an entry whose page
    is not live, or whose route is gone, is left out)."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    entries = getattr(home, "entries", None) or []
    items = []
    for block in entries:
        url = block.value.href()
        if url:
            items.append({"title": block.value["title"], "url": url})
    return {"site_nav": items}
