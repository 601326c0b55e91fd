"""Roles are groups with real permissions; handlers see only their own organisation."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core import roles
from core.models import Organisation
from core.permissions import organisation_scope

pytestmark = pytest.mark.django_db


# Written out by hand, not read from ``roles.ROLES``: what each role must be able to do, and
# what it must never be able to do, as the people in those jobs would notice.
MUST = {
    "编辑": ["wagtailadmin.access_admin", "wagtailimages.add_image", "media.add_mediaitem",
           "interpretations.change_concern", "interpretations.add_expertpreviewlink",
           "enterprises.view_industry"],
    "审签人": ["wagtailadmin.access_admin", "interpretations.view_signoff",
            "interpretations.change_concern", "interpretations.add_expertpreviewlink"],
    "合法性审核人": ["wagtailadmin.access_admin", "interpretations.view_signoff",
               "interpretations.view_emergencypublication"],
    "办公室审签人": ["wagtailadmin.access_admin", "interpretations.view_signoff",
               "interpretations.view_emergencypublication"],
    "话务员/派单员": ["wagtailadmin.access_admin", "hotline.add_ticket", "hotline.dispatch_ticket",
                "hotline.change_dispatchrule", "hotline.change_jointhandling",
                "hotline.view_calendarday"],
    "承办人": ["wagtailadmin.access_admin", "hotline.handle_ticket", "ratings.handle_case",
            "ratings.add_serviceevent"],
    "督办人": ["wagtailadmin.access_admin", "hotline.supervise_ticket", "ratings.decide_appeal",
            "ratings.review_rating", "core.view_message", "enterprises.change_enterprise",
            "interpretations.view_concern", "interpretations.view_signoff"],
}
MUST_NOT = {
    "编辑": ["hotline.view_ticket", "hotline.dispatch_ticket", "ratings.view_rating",
           "interpretations.emergency_publish", "core.view_message", "enterprises.view_enterprise"],
    "审签人": ["hotline.view_ticket", "ratings.view_rating", "interpretations.emergency_publish"],
    "合法性审核人": ["media.add_mediaitem", "interpretations.change_concern", "hotline.view_ticket",
               "wagtailimages.add_image"],
    "办公室审签人": ["media.add_mediaitem", "interpretations.change_concern", "hotline.view_ticket"],
    "话务员/派单员": ["hotline.handle_ticket", "hotline.supervise_ticket", "ratings.view_rating",
                "media.add_mediaitem", "interpretations.view_concern"],
    "承办人": ["hotline.dispatch_ticket", "hotline.add_ticket", "hotline.supervise_ticket",
            "ratings.decide_appeal", "ratings.review_rating", "core.view_message"],
    "督办人": ["hotline.dispatch_ticket", "hotline.handle_ticket", "ratings.handle_case",
            "media.add_mediaitem", "interpretations.change_concern",
            "interpretations.emergency_publish"],
    "企业用户": ["wagtailadmin.access_admin", "hotline.view_ticket", "enterprises.view_enterprise",
             "interpretations.view_concern"],
}


@pytest.mark.parametrize("role", sorted(MUST_NOT))
def test_each_role_can_do_its_job_and_nothing_it_must_not(role, make_user):
    user = make_user(role)
    missing = [perm for perm in MUST.get(role, []) if not user.has_perm(perm)]
    granted = [perm for perm in MUST_NOT[role] if user.has_perm(perm)]
    assert not missing and not granted, (role, missing, granted)


def test_every_role_is_a_group():
    roles.ensure_roles()
    assert set(Group.objects.values_list("name", flat=True)) >= set(MUST_NOT)


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
