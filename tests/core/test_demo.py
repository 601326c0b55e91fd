"""The demo command builds a believable city and running it twice changes nothing."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision

from core import roles
from core.models import Division, Organisation, User

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "divisions": list(Division.objects.values_list("code", "name", "level", "parent__code")),
        "organisations": list(Organisation.objects.values_list("name", "kind", "division__code",
                                                               "parent__name")),
        "users": list(User.objects.order_by("username").values_list(
            "username", "password", "organisation__name")),
        "pages": list(Page.objects.values_list("path", "title", "slug", "live")),
        "revisions": Revision.objects.count(),
    }


def test_demo_builds_city_and_is_idempotent(demo_site, settings, capsys):
    settings.DEBUG = True
    first = snapshot()
    call_command("load_demo")
    out = capsys.readouterr().out
    assert snapshot() == first
    levels = {level: Division.objects.filter(level=level).count() for level in Division.Level}
    assert levels[Division.Level.CITY] == 1
    assert levels[Division.Level.COUNTY] == 9
    assert levels[Division.Level.TOWNSHIP] >= 18 and levels[Division.Level.VILLAGE] >= 40
    assert Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).count() >= 25
    for role in roles.ROLE_NAMES:
        assert User.objects.filter(groups__name=role).exists(), role
        assert role in out
    assert "Demo@2026" in out


def test_demo_refuses_on_a_live_site(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="演示数据只能在调试环境中加载"):
        call_command("load_demo")


def test_demo_adds_the_calculator_and_enterprise_entries_to_an_older_demo_database(demo_site,
                                                                                  settings):
    """A database built before 政策计算器/企业服务 were home-page entries gets them from the next
    load_demo, once."""
    from core.models import HomePage

    settings.DEBUG = True
    home = HomePage.objects.get()
    home.entries = [(b.block_type, b.value) for b in home.entries if not b.value["route"]]
    home.save_revision().publish()
    assert "政策计算器" not in [b.value["title"] for b in HomePage.objects.get().entries]
    call_command("load_demo", verbosity=0)
    revisions = Revision.objects.count()
    call_command("load_demo", verbosity=0)
    assert Revision.objects.count() == revisions
    entries = [(b.value["title"], b.value["route"]) for b in HomePage.objects.get().entries]
    assert entries.count(("政策计算器", "enterprises:calculator")) == 1
    assert entries.count(("企业服务", "enterprises:dashboard")) == 1
