"""Roles are groups with real permissions; handlers see only their own organisation."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core import roles
from core.models import Organisation
from core.permissions import organisation_scope

pytestmark = pytest.mark.django_db


def test_every_role_exists_with_its_permissions():
    roles.ensure_roles()
    for role in roles.ROLES:
        group = Group.objects.get(name=role.name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions), role.name


def test_ensure_roles_is_idempotent_and_repairs_drift():
    roles.ensure_roles()
    editor = Group.objects.get(name=roles.EDITOR)
    editor.permissions.clear()
    roles.ensure_roles()
    roles.ensure_roles()
    assert Group.objects.filter(name__in=roles.ROLE_NAMES).count() == len(roles.ROLES)
    assert editor.permissions.filter(codename="access_admin").exists()


def test_handler_sees_own_organisation_and_below_only(city, make_user):
    orgs = city["orgs"]
    handler = make_user(roles.HANDLER, orgs["district"])
    assert organisation_scope(handler) == {orgs["district"].pk, orgs["street"].pk}
    assert organisation_scope(make_user(roles.SUPERVISOR, orgs["gov"])) is None
    assert organisation_scope(make_user(roles.DISPATCHER, orgs["hotline"])) is None
    assert organisation_scope(make_user(roles.HANDLER)) == set()


def test_handler_cannot_open_another_organisations_record(client, city, make_user):
    orgs = city["orgs"]
    client.force_login(make_user(roles.HANDLER, orgs["hrss"]))
    listing = client.get(reverse("organisations:index"))
    assert listing.status_code == 200
    assert "临江市人力资源和社会保障局" in listing.text
    assert "临江市住房和城乡建设局" not in listing.text
    own = client.get(reverse("organisations:inspect", args=[orgs["hrss"].pk]))
    assert own.status_code == 200
    other = client.get(reverse("organisations:inspect", args=[orgs["housing"].pk]))
    assert other.status_code == 404


def test_supervisor_sees_every_organisation(client, city, make_user):
    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"]))
    listing = client.get(reverse("organisations:index"))
    for org in Organisation.objects.all():
        assert org.name in listing.text


def test_handler_cannot_edit_reference_data(client, city, make_user):
    orgs = city["orgs"]
    client.force_login(make_user(roles.HANDLER, orgs["hrss"]))
    response = client.post(reverse("organisations:edit", args=[orgs["hrss"].pk]),
                           {"name": "改名", "kind": "department", "division": orgs["hrss"].division_id})
    assert response.status_code in (302, 403)
    orgs["hrss"].refresh_from_db()
    assert orgs["hrss"].name == "临江市人力资源和社会保障局"


def test_enterprise_user_cannot_enter_admin(client, make_user):
    client.force_login(make_user(roles.ENTERPRISE))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_migrate_creates_the_roles_and_drops_wagtails_english_groups():
    # The test database is built by running every migration; nothing else has run here.
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_NAMES) <= names
    assert not names & set(roles.WAGTAIL_DEFAULT_GROUPS)
