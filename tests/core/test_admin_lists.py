"""Every admin list reads in Chinese (issue 13): a superuser walks the index of every admin
viewset of the demo city, also sorted both ways by each column that can hold an empty value or
a boolean (so that those come to the top), and no cell says None, True or False, and no column
header is left in English."""

import re

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, get_resolver, reverse
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.pages import PageViewSet

from core.admin_lists import cell_value, model_field
from core.models import User
from hotline.models import CalendarDay, TimeLimit

RAW = re.compile(r"\b(None|True|False)\b")
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def listed_viewsets():
    """(viewset, list URL, model) of every admin listing (choosers and the page explorer are
    not lists of their own)."""
    assert get_resolver().url_patterns  # loading the admin's URLs registers the viewsets
    found = []
    for viewset in viewsets.viewsets:
        if isinstance(viewset, ViewSetGroup | ChooserViewSet | PageViewSet):
            continue
        url = None
        for name in ("index", "list"):
            try:
                url = reverse(viewset.get_url_name(name))
                break
            except NoReverseMatch:
                continue
        if url is None:
            continue
        model = getattr(viewset, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        found.append((viewset, url, model))
    return found


def add_missing_samples():
    """Rows the demo city does not have: a reader's 没帮助 without a comment."""
    from interpretations.models import Feedback, PolicyPage

    if not Feedback.objects.exists():
        Feedback.objects.create(policy=PolicyPage.objects.live().first(), helpful=False)


def may_be_empty_or_boolean(model, key):
    """Whether sorting on ``key`` can bring an empty value or a boolean to the top of a list:
    only those columns are walked sorted (both ways: databases put NULL at either end)."""
    field = model_field(model, key)
    return field is not None and (field.null or isinstance(field, models.BooleanField) or (
        field.blank and isinstance(field, models.CharField | models.TextField)))


def listing(html):
    soup = BeautifulSoup(html, "html.parser")
    return soup.select_one("table.listing")


def test_cell_value_is_the_one_rule():
    assert [str(cell_value(v)) for v in (None, "", "  ", True, False, 0, "江城区")] == [
        "—", "—", "—", "是", "否", "0", "江城区"]
    assert cell_value(None, "全市") == "全市"


@pytest.mark.django_db
def test_every_admin_list_reads_in_chinese(client, demo_site):
    add_missing_samples()
    # The rows the issue names: the default time limits (no category) and a 放假 day.
    assert TimeLimit.objects.filter(category=None).exists()
    assert CalendarDay.objects.filter(is_workday=False).exists()
    client.force_login(User.objects.get(username="admin"))
    walked, problems = [], []
    for viewset, url, model in listed_viewsets():
        name = type(viewset).__name__
        if model is not None:
            assert model._default_manager.exists(), f"{name}: no {model.__name__} to list"
        response = client.get(url)
        assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        table = listing(response.content.decode())
        if table is None:
            continue
        walked.append(name)
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        problems += [f"{name}: header {h!r}" for h in headers
                     if LATIN.search(h) and not CJK.search(h)]
        orderings = {re.search(r"ordering=-?([^&]+)", a["href"]).group(1)
                     for a in table.select("thead th a[href*='ordering=']")}
        pages = [(None, table)]
        for key in sorted(k for k in orderings if may_be_empty_or_boolean(model, k)):
            for direction in (key, f"-{key}"):
                sorted_page = client.get(url, {"ordering": direction})
                assert sorted_page.status_code == 200, f"{name} ordering={direction}"
                pages.append((direction, listing(sorted_page.content.decode())))
        for direction, page in pages:
            assert page.select("tbody tr"), f"{name} ordering={direction}: no rows listed"
            for cell in page.select("tbody td"):
                text = cell.get_text(" ", strip=True)
                if RAW.search(text):
                    problems.append(f"{name} ordering={direction}: {text[:60]!r}")
    assert not problems, "\n".join(sorted(set(problems)))
    # The walk reached the settings lists of the issue and Wagtail's own lists.
    assert {"TimeLimitViewSet", "CalendarDayViewSet", "CategoryViewSet", "MessageViewSet",
            "FeedbackViewSet", "SiteViewSet", "PlatformUserViewSet"} <= set(walked)


@pytest.mark.django_db
def test_settings_lists_say_what_empty_and_false_mean(client, demo_site):
    client.force_login(User.objects.get(username="admin"))
    limits = listing(client.get(reverse("hotline_limits:index")).content.decode())
    titles = [td.select_one(".title-wrapper").get_text(strip=True)
              for td in limits.select("tbody td.title")]
    assert "所有分类（默认）" in titles
    calendar = listing(client.get(reverse("hotline_calendar:index"),
                                  {"ordering": "is_workday"}).content.decode())
    first = [td.get_text(" ", strip=True) for td in calendar.select("tbody tr")[0].select("td")]
    assert "否" in first
    catalogue = listing(client.get(reverse("hotline_catalogue:index"),
                                   {"ordering": "division"}).content.decode())
    assert "全市" in catalogue.get_text()


@pytest.mark.django_db
def test_a_list_without_add_or_edit_routes_opens_for_a_superuser(client, make_user):
    """The message outbox lists and inspects only: a superuser (who may add and edit
    everything) sees it without buttons for routes it does not serve, not a server error."""
    from core.models import Message

    Message.objects.create(channel=Message.Channel.SMS, kind="test", subject="测试短信",
                           body="正文", recipient="13800000000")
    client.force_login(make_user(is_superuser=True, username="root"))
    response = client.get(reverse("messages:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试短信" in html and "/admin/messages/add/" not in html
