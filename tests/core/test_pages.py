"""The public shell: the home page in Chinese with entries, landmarks and a 关怀模式 toggle."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_site(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def test_home_page_has_entries_to_every_section(client, demo_site):
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
        client, demo_site):
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


def test_an_entry_follows_its_route_and_hides_when_it_leads_nowhere(client, demo_site):
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


def test_home_page_editor_offers_site_functions(client, demo_site, make_user):
    from core.models import HomePage

    client.force_login(make_user(is_superuser=True))
    html = client.get(f"/admin/pages/{HomePage.objects.get().pk}/edit/").text
    # The block's form is JSON for the admin's scripts: labels arrive \u-escaped.
    for text in ["或站内功能", "政策计算器", "（不选）"]:
        assert text.encode("unicode_escape").decode() in html, text
    assert "enterprises:calculator" in html and "Select an option" not in html


def test_base_template_has_landmarks_skip_link_and_care_toggle(client, demo_site):
    html = client.get("/").text
    for needle in ['role="banner"', "<nav", 'id="main"', 'role="contentinfo"',
                   'href="#main"', "跳到主要内容", 'id="care-toggle"', 'name="viewport"']:
        assert needle in html, needle


def test_missing_page_is_in_chinese(client, demo_site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_admin_login_labels_are_chinese(client):
    html = client.get("/admin/login/").text
    assert "用户名" in html and "密码" in html
    assert ">\n            Password" not in html


def test_admin_dashboard_strings_missing_from_wagtail_are_translated(client, make_user):
    client.force_login(make_user(is_superuser=True))
    html = client.get("/admin/pages/").text
    for chinese in ["页面类型", "更新时间", "编辑人"]:
        assert chinese in html
