"""The public shell: the home page in Chinese with entries, landmarks and a 关怀模式 toggle."""

import re

import pytest

pytestmark = pytest.mark.django_db

# The public shell needs the home page and its sections (``site_pages``), not the whole demo
# city with its 3,000 enterprises.


def test_home_page_has_entries_to_every_section(client, site_pages):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-Hans"' in html
    for title, href in [("政策文件", "/policies/"), ("政策解读", "/interpretations/"),
                        ("12345 诉求", "/hotline/"), ("好差评", "/ratings/"),
                        ("政务公开", "/openness/")]:
        assert title in html and f'href="{href}"' in html
        assert client.get(href).status_code == 200


def test_calculator_and_enterprise_services_are_in_the_navigation_and_on_the_home_page(
        client, site_pages):
    """Site functions that are not pages (政策计算器, 企业服务) are reachable from the home page:
    once in the main navigation and once as an entry."""
    html = client.get("/").text
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    main = html.split('id="main"', 1)[1]
    for title, href in [("政策计算器", "/policies/calculator/"), ("企业服务", "/enterprise/")]:
        assert f'<a href="{href}">{title}</a>' in nav
        assert f'href="{href}"' in main and title in main
    assert "<h1>政策计算器</h1>" in client.get("/policies/calculator/").text
    # 企业服务 asks a visitor to log in, and brings an enterprise user back to the portal.
    assert client.get("/enterprise/")["Location"].startswith("/accounts/login/?next=/enterprise/")
    # Every other page shows the same navigation.
    assert '<a href="/policies/calculator/">政策计算器</a>' in client.get("/hotline/").text


def test_an_entry_follows_its_route_and_hides_when_it_leads_nowhere(client, site_pages):
    """An entry names a route, not an address: its link is whatever the URLconf says today. An
    entry whose page is unpublished, or whose route no longer exists, is left out instead of
    leading to an error page."""
    from core.models import HomePage
    from interpretations.models import PolicyIndexPage

    home = HomePage.objects.get()
    policies = PolicyIndexPage.objects.get()
    home.entries = [
        ("entry", {"title": "算一算", "route": "enterprises:calculator"}),
        ("entry", {"title": "已停用的功能", "route": "no_such:route"}),
        ("entry", {"title": "政策文件", "page": policies}),
        ("entry", {"title": "外部链接", "url": "https://www.gov.cn/"}),
    ]
    home.save_revision().publish()
    policies.unpublish()
    html = client.get("/").text
    assert html.count('href="/policies/calculator/"') == 2  # navigation and entry
    assert "已停用的功能" not in html and 'href="/policies/"' not in html
    assert html.count('href="https://www.gov.cn/"') == 2
    assert _current_nav_items(html) == ["首页"]  # not the other site's home page


def test_home_page_editor_offers_site_functions(client, site_pages, make_user):
    from core.models import HomePage

    client.force_login(make_user(is_superuser=True))
    html = client.get(f"/admin/pages/{HomePage.objects.get().pk}/edit/").text
    # The block's form is JSON for the admin's scripts: labels arrive \u-escaped.
    for text in ["或站内功能", "政策计算器", "（不选）"]:
        assert text.encode("unicode_escape").decode() in html, text
    assert "enterprises:calculator" in html and "Select an option" not in html


def _current_nav_items(html):
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav)


def test_navigation_marks_the_section_of_the_current_page(client, site_pages, city, sign_off):
    """The main navigation marks where the visitor is: the entry whose address is the page or
    its nearest parent; 首页 only on the home page itself."""
    from interpretations.models import PolicyPage
    from interpretations.workflows import ensure_policy_section
    from tests.interpretations.conftest import policy_fields

    section = site_pages["policies"]
    ensure_policy_section(section)
    page = section.add_child(instance=PolicyPage(live=False, **policy_fields(city)))
    page.save_revision()
    policy = sign_off(page).url  # the last approval publishes it
    assert PolicyPage.objects.live().filter(pk=page.pk).exists()
    for path, current in [("/", ["首页"]), ("/policies/", ["政策文件"]), (policy, ["政策文件"]),
                          ("/policies/calculator/", ["政策计算器"]),
                          ("/hotline/", ["12345 诉求"]), ("/no-such-page/", [])]:
        assert _current_nav_items(client.get(path).text) == current, path


def test_base_template_has_landmarks_skip_link_and_care_toggle(client, site_pages):
    html = client.get("/").text
    for needle in ['role="banner"', "<nav", 'id="main"', 'role="contentinfo"',
                   'href="#main"', "跳到主要内容", 'id="care-toggle"', 'name="viewport"']:
        assert needle in html, needle


def test_missing_page_is_in_chinese(client, site_pages):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_healthz(client):
    # The embedded default: nothing down, cache and broker run in-process (more in
    # tests/core/test_resilience.py).
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"]["database"]["status"] == "ok"


def test_admin_login_labels_are_chinese(client):
    html = client.get("/admin/login/").text
    assert "用户名" in html and "密码" in html
    assert ">\n            Password" not in html


def test_admin_dashboard_strings_missing_from_wagtail_are_translated(client, make_user):
    client.force_login(make_user(is_superuser=True))
    html = client.get("/admin/pages/").text
    for chinese in ["页面类型", "更新时间", "编辑人"]:
        assert chinese in html


def test_page_editor_strings_missing_from_wagtail_are_translated(client, make_user,
                                                                 site_pages):
    """The page editor's own messages arrive in Chinese: from the server after a failed save,
    and from the catalogue the editor's scripts use (autosave, error counts)."""
    from django.urls import reverse
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    from core.models import HomePage

    client.force_login(make_user(is_superuser=True))
    url = reverse("wagtailadmin_pages:add", args=["core", "standardpage", HomePage.objects.get().pk])
    response = client.post(url, nested_form_data({
        "title": "", "slug": "", "intro": "", "body": streamfield([]),
        "comments": inline_formset([]), "action-publish": "1"}))
    html = response.text
    assert response.status_code == 200
    for chinese in ["页面未能创建，请先改正标出的错误。", "转到第一个错误", "自动保存已暂停"]:
        assert chinese in html, chinese
    for english in ["could not be created", "Go to the first error", "Autosave is paused",
                    "- Wagtail</title>"]:
        assert english not in html, english
    assert "- 政策通</title>" in html  # the admin's window titles name the platform
    # The scripts' catalogue is JSON: Chinese arrives \u-escaped.
    scripts = client.get(reverse("wagtailadmin_javascript_catalog")).text
    for chinese in ["修改已自动保存。", "%(num)s 个错误"]:
        assert chinese.encode("unicode_escape").decode() in scripts, chinese
