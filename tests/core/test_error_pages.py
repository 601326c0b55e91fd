"""The Chinese error pages are what users see in every mode they reach, the embedded default
(``portal.settings.dev``, DEBUG on) included, with the request id for support (issue 13).

This module is also the URL configuration of some tests: the site's routes plus two that fail
on purpose."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import path

from core.errors import RequestIdFilter
from core.params import BadParameter
from portal import urls as site_urls
from tests.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
THIS = __name__


def boom(request):
    raise RuntimeError("deliberate failure for the error page test")


def refuse(request):
    raise BadParameter("页码须为正整数。")


handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
urlpatterns = [path("test-errors/boom/", boom), path("test-errors/refuse/", refuse),
               *site_urls.urlpatterns]

ENGLISH_DEBUG = ("Page not found", "Traceback", "RuntimeError", "Using the URLconf",
                 "Server Error", "DEBUG = True")


def shown_id(response):
    """The request id the page shows (the <code> in its help line)."""
    code = BeautifulSoup(response.content, "html.parser").select_one(".request-id code")
    return code.get_text(strip=True) if code else None


def assert_chinese_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    assert not [text for text in ENGLISH_DEBUG if text in html]
    assert response["X-Request-ID"] and shown_id(response) == response["X-Request-ID"]


@pytest.fixture
def dev_debug(settings):
    """What the embedded default runs with (DEBUG on, no opt-in to Django's pages)."""
    settings.DEBUG = True
    settings.DEBUG_PAGES = False
    return settings


@pytest.fixture
def app_log():
    """What the project's console log handler (LOGGING in base.py) writes during the test."""
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, RequestIdFilter) for f in h.filters)]
    assert handlers, "no log handler writes the request id"
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(previous)


def probe(**env):
    code = ("import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps({'debug': settings.DEBUG, 'pages': settings.DEBUG_PAGES,"
            " 'middleware': settings.MIDDLEWARE}))")
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG_PAGES"}
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings.dev",
                 PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_embedded_default_runs_debug_with_the_chinese_pages():
    dev = probe()
    assert dev["debug"] is True and dev["pages"] is False
    assert dev["middleware"][0] == "core.errors.RequestIdMiddleware"
    assert "core.errors.DebugErrorPagesMiddleware" in dev["middleware"]
    # A developer may ask for Django's debug pages.
    assert probe(DJANGO_DEBUG_PAGES="1")["pages"] is True


@pytest.mark.django_db
def test_a_missing_page_is_the_chinese_404_with_debug_on(client, dev_debug):
    assert_chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    # An address no route takes at all (Django's "Using the URLconf…" page with DEBUG on).
    assert_chinese_page(client.get("/no.such.file"), 404, "页面不存在")


@pytest.mark.django_db
@pytest.mark.urls(THIS)
def test_a_server_error_is_the_chinese_500_with_debug_on_and_the_log_has_its_id(
        dev_debug, app_log):
    response = Client(raise_request_exception=False).get("/test-errors/boom/")
    assert_chinese_page(response, 500, "服务暂时不可用")
    logged = app_log.getvalue()
    assert f"[{response['X-Request-ID']}]" in logged and "deliberate failure" in logged


@pytest.mark.django_db
@pytest.mark.urls(THIS)
def test_a_refused_parameter_keeps_its_message_with_debug_on(client, dev_debug):
    response = client.get("/test-errors/refuse/")
    assert_chinese_page(response, 400, "请求无效")
    assert "页码须为正整数。" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(THIS)
def test_the_same_pages_with_debug_off(client, settings):
    settings.DEBUG = False
    assert_chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    response = Client(raise_request_exception=False).get("/test-errors/boom/")
    assert_chinese_page(response, 500, "服务暂时不可用")


@pytest.mark.django_db
def test_a_developer_can_ask_for_the_debug_pages(client, settings):
    settings.DEBUG, settings.DEBUG_PAGES = True, True
    response = client.get("/no.such.file")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_is_explained_in_chinese(settings):
    settings.DEBUG = True
    response = Client(enforce_csrf_checks=True).post("/accounts/login/",
                                                     {"username": "x", "password": "y"})
    assert_chinese_page(response, 403, "页面已过期")
    assert "CSRF" not in response.content.decode()


@pytest.mark.django_db
def test_every_response_has_its_own_request_id(client, settings):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    # Behind a proxy that names requests, its id is kept (and a malformed one replaced).
    settings.REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123abcd")["X-Request-ID"] == (
        "nginx-0123abcd")
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(THIS)
def test_error_pages_in_the_browser_with_debug_on(live_server, browser, dev_debug):
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width,
                                                                "height": height})
        tab = context.new_page()
        for address, name, heading in (("/no-such-page/", "404", "页面不存在"),
                                       ("/test-errors/boom/", "500", "服务暂时不可用")):
            response = tab.goto(live_server.url + address)
            assert tab.get_by_role("heading", level=1).inner_text() == heading
            request_id = response.headers["x-request-id"]
            assert tab.locator(".request-id code").inner_text() == request_id
            assert not [text for text in ENGLISH_DEBUG if text in tab.content()]
            screenshot(tab, f"error-{name}-{width}")
        context.close()
