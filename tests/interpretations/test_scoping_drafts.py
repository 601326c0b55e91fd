"""Another department's draft titles do not leak through the admin's page search, the page
chooser (browsing and its search), the site-history report or the workflow reports, as the explorer keeps
them out: never-published policies and drafts retitled away from the live title. The user's
own department's drafts, and other departments' live titles, still appear."""

import pytest

from interpretations.models import PolicyPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(make_policy, city, editor):
    housing = city["orgs"]["housing"]
    housing.principal = "孙建国"  # the first interpreter its policies need to be signed off
    housing.save()
    theirs = {"drafting_department": housing, "issuing_organ": housing}
    own = make_policy(title="zebra OWNDRAFT 本部门草稿")
    other = make_policy(title="zebra XDRAFT 他部门草稿", **theirs)
    retitled = make_policy(publish=True, title="zebra LIVEPUB 他部门已发布", **theirs)
    public = make_policy(publish=True, title="zebra VISIBLELIVE 他部门公开政策", **theirs)
    draft = PolicyPage.objects.get(pk=retitled.pk).get_latest_revision_as_object()
    draft.title = "zebra XRETITLE 他部门改标题草稿"
    draft.save_revision(log_action=True)
    for page in (own, other):  # drafts saved in the editor: their titles enter the site history
        page.save_revision(log_action=True)
    return {"own": own, "other": other, "retitled": retitled, "public": public}


@pytest.fixture
def as_editor(client, editor):  # 编辑 of 市人社局
    client.force_login(editor)
    return client


def assert_scoped(html):
    assert "OWNDRAFT" in html  # the own department's draft
    assert "XDRAFT" not in html  # another's never-published policy
    assert "XRETITLE" not in html  # another's draft title of a live policy


def test_page_search_leaves_out_other_departments_drafts(as_editor, pages):
    response = as_editor.get("/admin/pages/search/?q=zebra")
    assert response.status_code == 200
    html = response.content.decode()
    assert_scoped(html)
    assert "VISIBLELIVE" in html  # a live title is public anyway
    results = as_editor.get("/admin/pages/search/results/?q=zebra").content.decode()
    assert_scoped(results)


def test_page_chooser_leaves_out_other_departments_drafts(as_editor, pages, section):
    browse = as_editor.get(f"/admin/choose-page/{section.pk}/")
    assert browse.status_code == 200
    html = browse.content.decode()
    assert_scoped(html)
    assert "VISIBLELIVE" in html
    search = as_editor.get("/admin/choose-page/search/?q=zebra")
    assert search.status_code == 200
    html = search.content.decode()
    assert_scoped(html)
    assert "VISIBLELIVE" in html


def test_site_history_leaves_out_other_departments_drafts(as_editor, pages):
    response = as_editor.get("/admin/reports/site-history/")
    assert response.status_code == 200
    assert_scoped(response.content.decode())
    results = as_editor.get("/admin/reports/site-history/results/").content.decode()
    assert_scoped(results)
    assert "VISIBLELIVE" in results  # its publication was public


def test_explorer_leaves_out_other_departments_drafts(as_editor, pages, section):
    html = as_editor.get(f"/admin/pages/{section.pk}/").content.decode()
    assert_scoped(html)
    assert "VISIBLELIVE" in html


def test_city_wide_roles_see_every_draft(client, make_user, city, pages):
    from core import roles

    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"], is_superuser=True))
    html = client.get("/admin/pages/search/?q=zebra").content.decode()
    assert "XDRAFT" in html and "XRETITLE" in html and "OWNDRAFT" in html


def test_workflow_reports_leave_out_other_departments_drafts(as_editor, pages, make_user,
                                                               city, editor):
    # Both drafts submitted for sign-off: the workflow reports list them by draft title.
    from core import roles

    housing_editor = make_user(roles.EDITOR, city["orgs"]["housing"])
    for key, submitter in (("own", editor), ("other", housing_editor)):
        page = PolicyPage.objects.get(pk=pages[key].pk)
        page.get_workflow().start(page, submitter)
    for address in ("/admin/reports/workflow/", "/admin/reports/workflow/results/",
                    "/admin/reports/workflow_tasks/", "/admin/reports/workflow_tasks/results/"):
        response = as_editor.get(address)
        assert response.status_code == 200, address
        html = response.content.decode()
        assert "OWNDRAFT" in html, address
        assert "XDRAFT" not in html, address
