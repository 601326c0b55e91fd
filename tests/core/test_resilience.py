"""With Redis unreachable the site keeps serving, uncached, and says so once in the log;
/healthz reports each dependency; the page cache stores only known query parameters; rate
limits count the address our proxy saw, not one the client wrote."""

import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connections

from core import resilience
from core.cache import FailSafeRedisCache
from portal.settings.base import cache_url, redis_caches
from tests.forms import form_data
from tests.interpretations.conftest import make_policy, section  # noqa: F401

pytestmark = pytest.mark.django_db


def closed_port():
    """A local port nothing listens on: connecting is refused, as with Redis stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The production cache configuration, pointed at a Redis that is not there."""
    port = closed_port()
    FailSafeRedisCache.reset_state()
    resilience.reset_all()
    settings.CACHES = redis_caches(cache_url(f"redis://127.0.0.1:{port}/0"))
    yield port
    FailSafeRedisCache.reset_state()
    resilience.reset_all()


def test_cache_url_is_its_own_redis_database():
    assert cache_url("redis://redis:6379/0") == "redis://redis:6379/1"
    assert cache_url("redis://:pw@redis:6379") == "redis://:pw@redis:6379/1"
    assert cache_url("redis://redis:6379/0", "redis://cache:6379/3") == "redis://cache:6379/3"
    assert cache_url("") == ""


def test_pages_are_served_uncached_with_redis_down_and_the_outage_is_logged_once(
        client, make_policy, section, redis_down, caplog):  # noqa: F811
    policy = make_policy(publish=True)
    caplog.set_level(logging.WARNING, logger="core.resilience")
    started = time.monotonic()
    for url in ["/", section.url, section.url + "?page=1", policy.url, policy.url]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get("X-Page-Cache") != "hit"
    assert "文字解读正文" in response.content.decode()
    # A rate-limited form still works (limits deny nothing while they cannot count).
    form, data = form_data(client.get("/hotline/track/").content.decode())
    data.update({"number": "12345-20260101-000001", "phone": "13900000000"})
    response = client.post("/hotline/track/", data)
    assert response.status_code == 200
    assert "没有找到与该编号和手机号码相符的诉求" in response.content.decode()
    assert time.monotonic() - started < 10
    warnings = [r for r in caplog.records if r.name == "core.resilience"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()


def test_healthz_reports_cache_and_broker_down_as_degraded_and_answers_fast(
        client, settings, redis_down):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{redis_down}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["down"] == ["cache", "broker"]
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["broker"]["status"] == "down"


@pytest.fixture
def embedded(settings):
    """The embedded default's services, whatever the suite runs on: an in-process cache and
    tasks run in-process."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"


def test_healthz_embedded_default_reports_nothing_to_reach(client, embedded):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "embedded", "broker": "embedded"}


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refused)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["down"] == ["database"]
    assert body["checks"]["database"] == {"status": "down", "error": "OperationalError",
                                          "ms": body["checks"]["database"]["ms"]}


def test_unknown_query_parameters_create_no_cache_entry(client, section, embedded):  # noqa: F811
    cache.clear()
    client.get(section.url)  # the generation and the plain page
    entries = len(cache._cache)
    for n in range(5):
        for _ in range(2):
            response = client.get(f"{section.url}?x={n}")
            assert response.status_code == 200 and "X-Page-Cache" not in response
    for query in ("?page=1&utm_source=a", "?page=abc", "?year=1&year=2", "?q=" + "长" * 31):
        assert "X-Page-Cache" not in client.get(section.url + query)
    assert len(cache._cache) == entries
    # Known parameters are cached, in any order and with blank values left out.
    assert client.get(f"{section.url}?page=1&q=社保")["X-Page-Cache"] == "miss"
    assert client.get(f"{section.url}?q=社保&validity=&page=1")["X-Page-Cache"] == "hit"


def track(client, **headers):
    form, data = form_data(client.get("/hotline/track/").content.decode())
    data.update({"number": "12345-20260101-000001", "phone": "13900000000"})
    return client.post("/hotline/track/", data, **headers).content.decode()


LIMITED = "查询过于频繁"


def test_a_spoofed_forwarded_for_entry_does_not_change_the_counted_address(client, settings):
    cache.clear()
    settings.PLATFORM = {**settings.PLATFORM, "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
                         "TRUSTED_PROXY_COUNT": 1, "HOTLINE_TRACK_LIMIT": 2}
    # The client writes a new address each time; our proxy appends the one it saw.
    pages = [track(client, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}, 203.0.113.7") for n in range(3)]
    assert [LIMITED in page for page in pages] == [False, False, True]
    # Another client behind the same proxy is counted on its own.
    assert LIMITED not in track(client, HTTP_X_FORWARDED_FOR="10.9.8.1, 203.0.113.8")
    # Two proxies of ours: the client is the second entry from the right.
    settings.PLATFORM = {**settings.PLATFORM, "TRUSTED_PROXY_COUNT": 2}
    pages = [track(client, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 198.51.100.4, 10.0.0.2")
             for n in range(3)]
    assert [LIMITED in page for page in pages] == [False, False, True]
    # nginx's X-Real-IP (which it overwrites): its value, whatever X-Forwarded-For says.
    cache.clear()
    settings.PLATFORM = {**settings.PLATFORM, "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
                         "HOTLINE_TRACK_LIMIT": 1}
    assert LIMITED not in track(client, HTTP_X_REAL_IP="203.0.113.9",
                                HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert LIMITED in track(client, HTTP_X_REAL_IP="203.0.113.9",
                            HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert LIMITED not in track(client, HTTP_X_REAL_IP="203.0.113.10")
