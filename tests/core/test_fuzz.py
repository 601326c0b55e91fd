"""Fuzzing: no input gives a server error.

Schemathesis runs the public API against its own OpenAPI schema (valid and invalid input), and
every public route of the URLconf (not the admin) is called with hostile path arguments, hostile
query parameters and hostile values in every field of its form, in a small city."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page

from core import roles
from core.demo import ensure_section
from interpretations.models import InterpretationIndexPage, PolicyIndexPage, PolicyPage
from ratings import services as rating_services
from ratings.models import ServiceItem, ServiceWindow
from tests.enterprises.support import build_enterprise
from tests.interpretations.conftest import policy_fields

pytestmark = pytest.mark.django_db

# What an attacker or a broken client sends: not a number, negative, beyond 64 bits, broken
# UTF-8 percent-encoding (in the path they reach the view as text Django could not decode),
# a superscript digit (str.isdigit() says yes, int() says no), a NUL byte and 10,000 characters.
HOSTILE = ["abc", "-1", "0", "99999999999999999999", "%C0%AF", "%FF", "%C2%B2", "%00",
           "x" * 10_000]
# The query parameters the project's views read.
QUERY_NAMES = ["page", "p", "year", "month", "months", "organ", "topic", "validity", "q",
               "offset", "limit", "status", "show", "next", "policy", "number", "stage",
               "overdue", "appeal", "download", "feedback", "export", "t"]
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
SKIP_FIELDS = {"csrfmiddlewaretoken"}


# --- the world -----------------------------------------------------------------------------------


@pytest.fixture
def world(city, make_user):
    """The city with its policy library, one live policy, a service window with a service to
    rate, an enterprise with a portal account."""
    section = ensure_section("policies", "政策文件", PolicyIndexPage, intro="")
    ensure_section("interpretations", "政策解读", InterpretationIndexPage, intro="")
    policy = PolicyPage(**policy_fields(city, slug="wengang"))
    section.add_child(instance=policy)
    # Live without the sign-off workflow (its rules are tested elsewhere): what a reader sees.
    PolicyPage.objects.filter(pk=policy.pk).update(live=True)
    hrss = city["orgs"]["hrss"]
    window = ServiceWindow.objects.create(hall="市民之家", number="8", organisation=hrss)
    item = ServiceItem.objects.create(name="社会保障卡补办", organisation=hrss)
    rating_services.record_event(window=window, item=item, phone="13712345678")
    company = build_enterprise(city["divisions"]["street"], 1)
    user = make_user(roles.ENTERPRISE, username="company")
    company.users.add(user)
    return {"policy": PolicyPage.objects.get(pk=policy.pk), "window": window, "user": user}


def real_arguments(world):
    """Values for route arguments that name something that exists, so hostile query and form
    values reach the views behind the lookups."""
    return {"pk": world["policy"].pk, "slug": "wengang", "key": world["window"].key}


# --- the routes ----------------------------------------------------------------------------------


def public_routes(patterns=None, prefix=""):
    """(route text, pattern) of every route outside the admin, in URLconf order."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(entry.pattern)
        if text.startswith(("admin/", "django-admin/")):
            continue
        if isinstance(entry, URLResolver):
            yield from public_routes(entry.url_patterns, text)
        elif isinstance(entry, URLPattern):
            yield text, entry


ROUTES = list(public_routes())
ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>"
                      r"|\((?!\?:)(?:[^()]|\([^()]*\))*\)[*+?]?")


def fill(route, value, real=None):
    """The route's address with every argument (``<int:pk>`` or a regular-expression group)
    replaced by ``value``, or by a real value for it when ``real`` names one."""
    def replace(match):
        name = match.group("name")
        if real and name in real:
            return str(real[name])
        # A group of path segments (Wagtail's page route) takes the value as a segment.
        return value + "/" if name is None and "/" in match.group() else value

    path = ARGUMENT.sub(replace, route)
    path = re.sub(r"\(\?:[^)]*\)[*+?]?|[\^$]", "", path)  # what is left of a regular expression
    return "/" + path.lstrip("/")


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what} → {response.status_code}"


# --- 2b: every public route ----------------------------------------------------------------------


@pytest.mark.parametrize("route", [r for r, _p in ROUTES], ids=lambda r: r[:60] or "/")
def test_public_route_never_answers_a_server_error(route, world, client):
    users = [None, world["user"]] if route.startswith("enterprise") else [None]
    real = real_arguments(world)
    for user in users:
        if user:
            client.force_login(user)
        # Hostile path arguments.
        if ARGUMENT.search(route):
            for value in HOSTILE:
                for method in (client.get, client.post):
                    path = fill(route, value)
                    assert_no_server_error(method(path), f"{method.__name__} {path[:120]}")
        # Hostile query parameters and form fields on the real address.
        path = fill(route, "1", real)
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            assert_no_server_error(client.get(f"{path}?{query}"), f"GET {path}?…={value[:20]}")
        page = client.get(path)
        fields = set(FIELD.findall(page.content.decode(errors="replace"))) - SKIP_FIELDS
        for value in ["²", "-1", "99999999999999999999", "1e100", "\x00", "x" * 10_000,
                      "%C0%AF"]:
            data = {name: value for name in fields | {"followup", "event", "rating", "helpful",
                                                       "level", "amount"}}
            assert_no_server_error(client.post(path, data), f"POST {path} {value[:20]!r}")


def test_every_page_of_the_tree_takes_hostile_query_parameters(world, client):
    for page in Page.objects.live().filter(depth__gt=1).specific():
        url = page.url
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            assert_no_server_error(client.get(f"{url}?{query}"), f"GET {url}?…={value[:20]}")


# --- 2a: the public API against its OpenAPI schema ----------------------------------------------


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_never_answers_a_server_error(world, mode):
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    # The real WSGI handler closes the database connection after each request, which would end
    # the test's transaction (PostgreSQL); the test client's handler does the same as this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        run_schema(WSGIHandler(), mode)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def run_schema(app, mode):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_wsgi("/api/policies/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /api/policies/",
                                               "GET /api/policies/{pk}"}
    for operation in operations:

        @settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        def check(case):
            case.call_and_validate(checks=[not_a_server_error])

        check()


def test_api_finds_the_live_policy(world):
    """The fuzzing above reaches the data: the API answers for the world's live policy."""
    client = Client()
    pk = world["policy"].pk
    assert client.get(f"/api/policies/{pk}").status_code == 200
