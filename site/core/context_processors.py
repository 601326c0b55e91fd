from wagtail.models import Site


def site_nav(request):
    """The main navigation: the home page's entries, in the editor's order."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    entries = getattr(home, "entries", None) or []
    items = []
    for block in entries:
        value = block.value
        url = value["page"].url if value.get("page") else value.get("url")
        if url:
            items.append({"title": value["title"], "url": url})
    return {"site_nav": items}
