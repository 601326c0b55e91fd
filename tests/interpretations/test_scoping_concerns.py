"""The concerns log and readers' feedback in the admin are scoped like the policies they hang
on: an editor sees and works on those of its own department's policies; another department's
concern or feedback is not listed or exported, and opening, editing, copying or its history is
a 404. City-wide roles (督办人) see all."""

import pytest

from core import roles
from interpretations.models import Concern, Feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(make_policy, city):
    return {
        "mine": make_policy(title="人社局本部门政策MINE"),
        "theirs": make_policy(title="住建局草稿政策THEIRS",
                              drafting_department=city["orgs"]["housing"],
                              issuing_organ=city["orgs"]["housing"]),
    }


@pytest.fixture
def concerns(policies):
    return {
        "mine": Concern.objects.create(policy=policies["mine"], source=Concern.Source.MEDIA,
                                       content="本部门关切ALPHA"),
        "theirs": Concern.objects.create(policy=policies["theirs"], source=Concern.Source.MEDIA,
                                         content="他部门关切OMEGA", answer="他部门回应口径SECRET"),
    }


@pytest.fixture
def as_editor(client, editor):  # 编辑 of 市人社局
    client.force_login(editor)
    return client


def test_the_concern_list_and_export_show_only_the_own_department(as_editor, concerns):
    page = as_editor.get("/admin/concerns/").content.decode()
    assert "本部门关切ALPHA" in page and "他部门关切OMEGA" not in page
    results = as_editor.get("/admin/concerns/results/?q=关切").content.decode()
    assert "本部门关切ALPHA" in results and "他部门关切OMEGA" not in results
    export = as_editor.get("/admin/concerns/?export=csv")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig") \
        if export.streaming else export.content.decode("utf-8-sig")
    assert "本部门关切ALPHA" in text and "他部门关切OMEGA" not in text


def test_another_departments_concern_is_404_everywhere(as_editor, concerns):
    theirs = concerns["theirs"]
    for url in (f"/admin/concerns/inspect/{theirs.pk}/", f"/admin/concerns/edit/{theirs.pk}/",
                f"/admin/concerns/history/{theirs.pk}/", f"/admin/concerns/copy/{theirs.pk}/"):
        response = as_editor.get(url)
        assert response.status_code == 404, url
        assert "他部门回应口径SECRET" not in response.content.decode()
    response = as_editor.post(f"/admin/concerns/edit/{theirs.pk}/", {
        "policy": theirs.policy_id, "kind": "concern", "source": "media",
        "content": "被改写的关切", "registered_at": "2026-03-01 10:00:00",
        "status": "answered", "answer": "越权改写的回应"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.content == "他部门关切OMEGA" and theirs.answer == "他部门回应口径SECRET"
    mine = concerns["mine"]
    assert as_editor.get(f"/admin/concerns/inspect/{mine.pk}/").status_code == 200
    assert as_editor.get(f"/admin/concerns/edit/{mine.pk}/").status_code == 200


def test_the_concern_form_offers_only_the_own_departments_policies(as_editor, policies):
    page = as_editor.get("/admin/concerns/new/").content.decode()
    assert "人社局本部门政策MINE" in page and "住建局草稿政策THEIRS" not in page
    response = as_editor.post("/admin/concerns/new/", {
        "policy": policies["theirs"].pk, "kind": "concern", "source": "media",
        "content": "登记到他部门政策的关切", "registered_at": "2026-03-01 10:00:00",
        "status": "open", "answer": ""})
    assert response.status_code == 200  # the form again, with an error on the policy
    assert not Concern.objects.filter(content="登记到他部门政策的关切").exists()


def test_feedback_is_scoped_like_its_policy(as_editor, policies):
    mine = Feedback.objects.create(policy=policies["mine"], helpful=True, comment="本部门反馈BETA")
    theirs = Feedback.objects.create(policy=policies["theirs"], helpful=False,
                                     comment="他部门反馈GAMMA")
    page = as_editor.get("/admin/feedback/").content.decode()
    assert "本部门反馈BETA" in page and "他部门反馈GAMMA" not in page
    assert as_editor.get(f"/admin/feedback/inspect/{theirs.pk}/").status_code == 404
    assert as_editor.get(f"/admin/feedback/inspect/{mine.pk}/").status_code == 200


def test_a_supervisor_sees_every_departments_concerns(client, make_user, city, concerns):
    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"]))
    page = client.get("/admin/concerns/").content.decode()
    assert "本部门关切ALPHA" in page and "他部门关切OMEGA" in page
    assert client.get(f"/admin/concerns/inspect/{concerns['theirs'].pk}/").status_code == 200
