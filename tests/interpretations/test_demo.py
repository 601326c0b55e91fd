"""The demo loads twelve realistic policies with complete packages, twice without change."""

import pytest
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from core import roles
from interpretations.models import Concern, PolicyIndexPage, PolicyPage
from interpretations.services import package_problems

pytestmark = pytest.mark.django_db


def policy_revisions():
    from django.contrib.contenttypes.models import ContentType

    from interpretations.models import InterpretationIndexPage

    types = ContentType.objects.get_for_models(PolicyPage, PolicyIndexPage,
                                               InterpretationIndexPage).values()
    return Revision.objects.filter(content_type__in=types).count()


def test_demo_policies_workflow_and_permissions(settings, client):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
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
    old = PolicyPage.objects.get(validity="revised")
    html = client.get(old.url).content.decode()
    assert "已修订" in html and "本文件已被替代" in html and old.replaced_by.url in html
    assert "已修订" in client.get("/policies/?validity=revised").content.decode()
