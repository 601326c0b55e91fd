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
