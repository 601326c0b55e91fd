"""Accounts: login lockout with a Chinese message and an unlock screen, idle staff sessions,
password rules, mail for password resets, and production entry points that need their settings."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.utils import timezone

from core import roles

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "登录失败次数过多"
SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKOUTS = "/admin/lockouts/"


def attempt(client, url, username, password, address="10.1.1.1"):
    return client.post(url, {"username": username, "password": password},
                       REMOTE_ADDR=address)


def sidebar_text(response):
    """The admin sidebar's menu, decoded from the JSON the page hands to the sidebar script."""
    raw = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                    response.content.decode(), re.S).group(1)
    return json.dumps(json.loads(raw), ensure_ascii=False)


def logged_in_as(client):
    response = client.get("/admin/", REMOTE_ADDR="10.9.9.9")
    return response.status_code == 200


@pytest.fixture
def staff(make_user, city):
    return make_user(roles.EDITOR, city["orgs"]["hrss"], username="editor")


@pytest.fixture
def admin_user(make_user):
    return make_user(username="chief", is_superuser=True, is_staff=True)


# --- Lockout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SITE_LOGIN, ADMIN_LOGIN])
def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(client, staff, url):
    for _ in range(4):
        response = attempt(client, url, "editor", "wrong-password")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    response = attempt(client, url, "editor", "wrong-password")
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page and "30 分钟后再试" in page
    # Still the login page, with its form, not a bare error.
    assert 'name="password"' in page

    # Even the right password is refused now, and it says why.
    response = attempt(client, url, "editor", "pass-1234")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not logged_in_as(client)


def test_the_account_lock_holds_from_every_address_and_ends_after_the_cooloff(
        client, staff):
    for number in range(5):  # spread over five addresses: still one account
        attempt(client, ADMIN_LOGIN, "editor", "wrong-password", address=f"10.2.0.{number}")
    response = attempt(client, ADMIN_LOGIN, "editor", "pass-1234", address="10.3.0.1")
    assert LOCKED in response.content.decode()

    # 31 minutes later (axes reads its own clock: the attempts move back instead).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    response = attempt(client, ADMIN_LOGIN, "editor", "pass-1234", address="10.3.0.1")
    assert response.status_code == 302
    assert logged_in_as(client)


def test_other_accounts_from_the_same_office_are_not_locked_by_one_persons_typos(
        client, staff, make_user):
    make_user(username="colleague", is_staff=True)
    for _ in range(5):
        attempt(client, ADMIN_LOGIN, "editor", "wrong-password", address="10.5.5.5")
    response = attempt(client, ADMIN_LOGIN, "colleague", "pass-1234", address="10.5.5.5")
    assert response.status_code == 302


def test_many_usernames_guessed_from_one_address_lock_that_address(client, settings, staff):
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        attempt(client, SITE_LOGIN, f"guess{number}", "Password123", address="10.6.6.6")
    response = attempt(client, SITE_LOGIN, "editor", "pass-1234", address="10.6.6.6")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # The same person from elsewhere gets in.
    response = attempt(client, SITE_LOGIN, "editor", "pass-1234", address="10.7.7.7")
    assert response.status_code == 302


def test_the_lockout_reads_the_configured_client_address_header(client, settings, staff):
    """Behind the proxy every request comes from the proxy's address: the lockout must count
    the client's address from the proxy's header, as the rate limits do."""
    settings.PLATFORM = {**settings.PLATFORM, "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(SITE_LOGIN, {"username": f"guess{number}", "password": "Password123"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    refused = client.post(SITE_LOGIN, {"username": "editor", "password": "pass-1234"},
                          REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert LOCKED in refused.content.decode()
    allowed = client.post(SITE_LOGIN, {"username": "editor", "password": "pass-1234"},
                          REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.7")
    assert allowed.status_code == 302


def test_an_administrator_sees_lockouts_and_lifts_one(client, staff, admin_user):
    for _ in range(5):
        attempt(client, ADMIN_LOGIN, "editor", "wrong-password", address="10.8.8.8")
    admin = type(client)()
    admin.force_login(admin_user)

    assert "登录锁定" in sidebar_text(admin.get("/admin/"))
    screen = admin.get(LOCKOUTS)
    page = screen.content.decode()
    assert screen.status_code == 200
    assert "被锁定的账号" in page and "editor" in page and "解除锁定" in page

    response = admin.post(LOCKOUTS + "unlock/", {"username": "editor"}, follow=True)
    page = response.content.decode()
    assert "已解除账号“editor”的登录锁定。" in page
    assert "没有被锁定的账号。" in page

    response = attempt(client, ADMIN_LOGIN, "editor", "pass-1234", address="10.8.8.8")
    assert response.status_code == 302


def test_unlocking_needs_a_post_and_the_permission(client, staff, admin_user, make_user, city):
    for _ in range(5):
        attempt(client, ADMIN_LOGIN, "editor", "wrong-password")
    admin = type(client)()
    admin.force_login(admin_user)
    assert admin.get(LOCKOUTS + "unlock/?username=editor").status_code == 405

    other = type(client)()
    other.force_login(make_user(roles.EDITOR, city["orgs"]["hrss"], username="clerk"))
    dashboard = other.get("/admin/")
    assert dashboard.status_code == 200
    assert "登录锁定" not in sidebar_text(dashboard)
    assert "我的消息" in sidebar_text(dashboard)  # the menu itself is there
    # The admin's answer to a missing permission: back to the dashboard, nothing shown or done.
    for response in (other.get(LOCKOUTS),
                     other.post(LOCKOUTS + "unlock/", {"username": "editor"})):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert LOCKED in attempt(client, ADMIN_LOGIN, "editor", "pass-1234").content.decode()


# --- Idle staff sessions ------------------------------------------------------------------------


START = timezone.now


def travel(monkeypatch, minutes):
    """Set the clock to ``minutes`` after the real now."""
    later = START() + timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: later)


def test_a_staff_session_ends_after_thirty_idle_minutes(client, staff, monkeypatch):
    response = client.post(ADMIN_LOGIN, {"username": "editor", "password": "pass-1234"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 30 * 60

    travel(monkeypatch, 25)  # active within the window: the clock starts again
    assert client.get("/admin/").status_code == 200
    travel(monkeypatch, 50)
    assert client.get("/admin/").status_code == 200

    travel(monkeypatch, 81)  # 31 minutes without a request
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_enterprise_session_keeps_the_normal_lifetime(client, make_user, monkeypatch,
                                                          settings):
    make_user(roles.ENTERPRISE, username="firm")
    response = client.post(SITE_LOGIN, {"username": "firm", "password": "pass-1234"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    travel(monkeypatch, 120)
    assert client.get("/admin/").status_code != 200  # no admin access, but…
    assert "_auth_user_id" in client.session  # …still logged in after two idle hours


# --- Password rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "message"), [
    ("Ab3defg", "密码长度太短。密码必须包含至少 10 个字符。"),
    ("2026051712", "密码只包含数字。"),
    ("abcdefghijkl", "密码必须同时包含字母和数字。"),
    ("password123", "这个密码太常见了。"),
    ("newclerk2026", "密码跟 用户名 太相似了。"),
])
def test_creating_a_user_refuses_weak_passwords_in_chinese(client, admin_user, password,
                                                            message):
    client.force_login(admin_user)
    response = client.post("/admin/users/new/", {
        "username": "newclerk", "email": "clerk@example.gov.cn", "first_name": "办",
        "last_name": "事员", "password1": password, "password2": password,
    })
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not admin_user.__class__.objects.filter(username="newclerk").exists()


def test_a_password_that_meets_the_rules_creates_the_user(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/users/new/", {
        "username": "newclerk", "email": "clerk@example.gov.cn", "first_name": "办",
        "last_name": "事员", "password1": "Qiu7shui-Lin3", "password2": "Qiu7shui-Lin3",
    })
    assert response.status_code == 302
    assert admin_user.__class__.objects.get(username="newclerk").check_password("Qiu7shui-Lin3")


# --- Password reset mail ------------------------------------------------------------------------


def test_the_admin_password_reset_sends_a_link(client, staff):
    staff.email = "editor@example.gov.cn"
    staff.save()
    response = client.post("/admin/password_reset/", {"email": "editor@example.gov.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editor@example.gov.cn"]
    assert "/admin/password_reset/confirm/" in mail.outbox[0].body


def probe(module, code, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "REDIS_URL",
                          "CACHE_URL", "EMAIL_HOST"}}
    clean.update(env, PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]))
    if module:
        clean["DJANGO_SETTINGS_MODULE"] = module
    return subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_production_mails_through_the_configured_server():
    result = probe("portal.settings.production",
                   "import django; from django.conf import settings; django.setup();"
                   "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,"
                   " settings.EMAIL_HOST_USER, settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL)",
                   SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@127.0.0.1:5432/x",
                   EMAIL_HOST="smtp.example.gov.cn", EMAIL_PORT="587",
                   EMAIL_HOST_USER="zct", EMAIL_HOST_PASSWORD="secret", EMAIL_USE_TLS="true",
                   DEFAULT_FROM_EMAIL="政策通 <noreply@example.gov.cn>")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.gov.cn", "587", "zct",
        "True", "政策通", "<noreply@example.gov.cn>"]


# --- Production entry points --------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["portal.wsgi", "portal.celery"])
def test_entry_points_refuse_to_start_without_a_settings_module(entry):
    result = probe(None, f"import {entry}")
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set" in result.stderr
    assert "未设置 DJANGO_SETTINGS_MODULE" in result.stderr


def test_wsgi_on_production_settings_refuses_to_start_without_a_secret_key():
    result = probe("portal.settings.production", "import portal.wsgi",
                   DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "生产环境必须在环境变量中设置 SECRET_KEY" in result.stderr


def test_wsgi_starts_with_its_settings_given():
    result = probe("portal.settings.test", "import portal.wsgi; print(portal.wsgi.application)")
    assert result.returncode == 0, result.stderr
    assert "WSGIHandler" in result.stdout
