"""The demo loads twelve realistic policies with complete packages, twice without change."""

import pytest
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from core import roles
from interpretations.models import (
    Concern,
    EmergencyPublication,
    PolicyChangeNote,
    PolicyIndexPage,
    PolicyPage,
    SignOff,
)
from interpretations.publishing import package_problems

pytestmark = pytest.mark.django_db


def policy_revisions():
    from django.contrib.contenttypes.models import ContentType

    from interpretations.models import InterpretationIndexPage

    types = ContentType.objects.get_for_models(PolicyPage, PolicyIndexPage,
                                               InterpretationIndexPage).values()
    return Revision.objects.filter(content_type__in=types).count()


def test_demo_policies_workflow_and_permissions(demo_site, settings, client):
    settings.DEBUG = True
    counts = (PolicyPage.objects.live().count(), policy_revisions(), Concern.objects.count())
    call_command("load_demo", verbosity=0)
    assert (PolicyPage.objects.live().count(), policy_revisions(),
            Concern.objects.count()) == counts
    policies = list(PolicyPage.objects.live())
    assert len(policies) >= 12
    assert all(package_problems(p) == [] for p in policies)
    assert sum(p.no_interpretation for p in policies) == 1
    key = [p for p in policies if p.is_key_policy]
    assert len(key) >= 2
    assert all(p.concerns.exists() and p.followups.exists() for p in key)
    index = PolicyIndexPage.objects.get()
    workflow = WorkflowPage.objects.get(page=index).workflow
    assert [t.name for t in workflow.tasks] == ["起草部门审核", "合法性审核", "办公室审签"]
    perms = set(GroupPagePermission.objects.filter(page=index).values_list(
        "group__name", "permission__codename"))
    assert (roles.EDITOR, "add_page") in perms and (roles.EDITOR, "publish_page") not in perms
    assert (roles.APPROVER, "publish_page") in perms
    settings.DEBUG = False
    home = client.get("/").content.decode()
    assert 'href="/policies/"' in home and 'href="/interpretations/"' in home
    library = client.get("/policies/?q=个人所得税").content.decode()
    assert "关于进一步加强个人所得税征管的通知" in library
    assert "政策解读" in client.get("/interpretations/").content.decode()
    # A withdrawn policy keeps its page with the notice and the replacing document.
    old = PolicyPage.objects.get(validity="replaced")
    html = client.get(old.url).content.decode()
    assert "起已被替代" in html and old.replaced_by.url in html and old.validity_note in html
    assert old.title in client.get("/policies/?validity=replaced").content.decode()
    # An emergency publication whose 补签 is done; a significant revision with its note.
    emergency = EmergencyPublication.objects.get()
    assert emergency.completed_at is not None and len(emergency.reason) >= 10
    assert "待补签" not in client.get(emergency.page.url).content.decode()
    note = PolicyChangeNote.objects.get()
    assert note.note in client.get(note.page.url).content.decode()
    # Every live revision was signed by three different people, one per step.
    for policy in policies:
        approvers = SignOff.objects.filter(revision_id=policy.live_revision_id,
                                           result=SignOff.Result.APPROVED)
        assert approvers.count() == 3, policy.title
        assert len(set(approvers.values_list("approver_id", flat=True))) == 3, policy.title
