"""Reading the staff home page's panels (``hotline.panels``) as a person sees them: the count
on each row, where its link goes, the items under it; and opening the home page in Chromium at
desktop and phone width. Shared by the home-page tests of hotline, ratings and
interpretations."""

from bs4 import BeautifulSoup

from tests.accessibility import assert_accessible
from tests.conftest import admin_tab, screenshot

PHONE = {"width": 390, "height": 844}


def section(html, name):
    """The panel ``name`` (``WorkPanel.name``) on the home page, or None when not shown."""
    return BeautifulSoup(html, "html.parser").select_one(f"#home-{name}-section")


def counts(html, name):
    """``{row key: the number shown}`` of panel ``name``."""
    panel = section(html, name)
    assert panel is not None, f"panel {name} is not on the page"
    return {row["data-row"]: int(row.select_one("[data-count]").get_text(strip=True))
            for row in panel.select("li[data-row]")}


def row_link(html, name, key):
    """Where the row ``key`` of panel ``name`` links to."""
    link = section(html, name).select_one(f'li[data-row="{key}"] a')
    return link["href"] if link else None


def row_text(html, name, key):
    return section(html, name).select_one(f'li[data-row="{key}"]').get_text(" ", strip=True)


def items(html, name, key):
    """``[(text, link or None)]`` of the items listed under row ``key`` of panel ``name``."""
    listing = section(html, name).select_one(f'ul[data-items="{key}"]')
    if listing is None:
        return []
    return [(li.get_text(" ", strip=True), (li.select_one("a") or {}).get("href"))
            for li in listing.select("li")]


def listing_rows(html):
    """The rows of a Wagtail listing table (an admin list page)."""
    table = BeautifulSoup(html, "html.parser").select_one("main table.listing")
    return table.select("tbody tr") if table is not None else []


def home(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def open_home(browser, live_server, username, shot):
    """Log ``username`` in, open the home page, check it with axe-core at 1280 and 390 px and
    take its screenshots (``var/screenshots/<shot>-desktop.png`` and ``-phone.png``):
    ``(context, tab)`` at desktop width."""
    context, tab = admin_tab(browser, live_server.url, username)
    for width, label in ((PHONE["width"], "phone"), (1280, "desktop")):
        tab.set_viewport_size({"width": width, "height": PHONE["height"]})
        tab.goto(live_server.url + "/admin/")
        assert_accessible(tab, f"{shot}-{label}")
        whole_page_screenshot(tab, f"{shot}-{label}")
    return context, tab


def whole_page_screenshot(tab, name):
    """The admin scrolls inside its own layout, so a full-page screenshot stops at the window:
    make the window as tall as the content first."""
    size = tab.viewport_size
    height = tab.evaluate("() => Math.max(document.documentElement.scrollHeight, ...Array.from("
                          "document.querySelectorAll('main, .content-wrapper'), e => "
                          "e.scrollHeight))")
    tab.set_viewport_size({"width": size["width"], "height": min(height + 40, 8000)})
    screenshot(tab, name)
    tab.set_viewport_size(size)


def shown_counts(tab, name):
    """``{row key: number}`` of panel ``name`` as the browser shows them."""
    rows = tab.locator(f"#home-{name}-section li[data-row]")
    return {rows.nth(i).get_attribute("data-row"):
            int(rows.nth(i).locator("[data-count]").inner_text().strip())
            for i in range(rows.count())}
