"""What was signed is what goes live: a media item or an attached document edited in its library
after a policy was signed changes nothing on the live policy (nor its readiness) until a new
revision of the policy takes the new version and is signed again. Media items belong to a
department and are scoped like its policies."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model

from core import roles
from interpretations.models import PolicyAttachment, PolicyPage
from interpretations.publishing import package_problems
from media.models import MediaItem
from tests.forms import form_data

pytestmark = pytest.mark.django_db

TRANSCRIPT = "主持人：今天我们来解读……"


def edit_snippet(client, item, **changes):
    """Change a media item through its admin form, as an editor would."""
    url = reverse("wagtailsnippets_media_mediaitem:edit", args=[item.pk])
    _form, data = form_data(client.get(url).content.decode(), "form[method=post i][enctype]")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]


def test_editing_a_media_item_does_not_change_the_live_policy(
        client, make_policy, sign_off, media_item, editor, city,
        django_capture_on_commit_callbacks):
    media_item.department = city["orgs"]["hrss"]
    media_item.save()
    page = make_policy(materials=[("media", {"item": media_item, "note": ""})])
    page = sign_off(page)
    assert TRANSCRIPT in client.get(page.url).content.decode()
    client.force_login(editor)
    edit_snippet(client, media_item, transcript="", title="改过的标题")
    assert MediaItem.objects.get(pk=media_item.pk).revisions.count() == 2
    # The live policy still shows, and still satisfies readiness with, the signed version.
    live = PolicyPage.objects.get(pk=page.pk)
    public = Client().get(live.url).content.decode()
    assert TRANSCRIPT in public and "改过的标题" not in public
    assert package_problems(live) == []
    # The editor is told, and a new revision takes the new version: readiness now objects.
    editor_page = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content
    assert "在音视频库中有新版本" in editor_page.decode()
    draft = live.get_latest_revision_as_object()
    draft.save_revision(user=editor)
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert any("缺少文字实录" in p for p in package_problems(draft))
    # Fixed in the library and signed again: the new version goes live.
    edit_snippet(client, media_item, transcript="主持人：新的文字实录。")
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.change_kind = PolicyPage.ChangeKind.MINOR
    draft.save_revision(user=editor)
    with django_capture_on_commit_callbacks(execute=True):  # the page cache is purged on commit
        page = sign_off(page)
    public = Client().get(page.url).content.decode()
    assert "新的文字实录" in public and "改过的标题" in public


def test_replacing_an_attached_documents_file_does_not_change_the_live_policy(
        client, make_policy, sign_off, make_user, editor):
    Document = get_document_model()
    document = Document(title="申报表")
    document.file.save("shenbaobiao.txt", ContentFile("第一版申报表".encode()), save=False)
    document.save()
    page = make_policy()
    draft = page.get_latest_revision_as_object()
    draft.attachments.add(PolicyAttachment(document=document))
    draft.save_revision()
    page = sign_off(page)
    link = page.attachments.get().url
    assert link.startswith(f"/policies/{page.pk}/files/")
    assert link in client.get(page.url).content.decode()
    assert b"".join(client.get(link).streaming_content) == "第一版申报表".encode()
    # An admin replaces the file and renames the document in the documents library.
    admin = make_user(None, is_superuser=True, is_staff=True, username="docadmin")
    client.force_login(admin)
    url = reverse("wagtaildocs:edit", args=[document.pk])
    _form, data = form_data(client.get(url).content.decode(), "form[method=post i][enctype]")
    data.update(title="申报表（新）",
                file=SimpleUploadedFile("shenbaobiao.txt", "第二版申报表".encode()))
    assert client.post(url, data).status_code == 302
    document.refresh_from_db()
    assert document.title == "申报表（新）" and document.file.read() == "第二版申报表".encode()
    client.logout()
    public = client.get(page.url).content.decode()
    assert "申报表（新）" not in public and link in public
    assert b"".join(client.get(link).streaming_content) == "第一版申报表".encode()
    # A new revision, signed again, takes the new file.
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.change_kind = PolicyPage.ChangeKind.MINOR
    draft.save_revision(user=editor)
    page = sign_off(page)
    attachment = page.attachments.get()
    assert attachment.url != link and str(attachment) == "申报表（新）"
    assert b"".join(client.get(attachment.url).streaming_content) == "第二版申报表".encode()
    assert client.get(link).status_code == 404  # the old file is no longer what is live


def test_a_draft_attachment_is_not_served_publicly(client, make_policy):
    Document = get_document_model()
    document = Document(title="内部草稿附件")
    document.file.save("caogao.txt", ContentFile("草稿".encode()), save=False)
    document.save()
    page = make_policy()
    draft = page.get_latest_revision_as_object()
    draft.attachments.add(PolicyAttachment(document=document))
    revision = draft.save_revision()
    frozen = revision.as_object().attachments.all()[0]
    url = reverse("interpretations:attachment",
                  args=[page.pk, frozen.file_hash, frozen.file.name.rsplit("/", 1)[-1]])
    assert client.get(url).status_code == 404


def test_media_items_are_scoped_to_their_department(client, media_item, make_user, city,
                                                    editor):
    media_item.department = city["orgs"]["hrss"]
    media_item.save()
    other = make_user(roles.EDITOR, city["orgs"]["housing"], username="housing_editor")
    client.force_login(other)
    index = client.get(reverse("wagtailsnippets_media_mediaitem:list")).content.decode()
    assert media_item.title not in index
    chooser = client.get(reverse("wagtailsnippetchoosers_media_mediaitem:choose")).json()
    assert media_item.title not in chooser["html"]
    response = client.get(reverse("wagtailsnippets_media_mediaitem:edit", args=[media_item.pk]))
    assert response.status_code in (302, 403, 404)
    response = client.post(reverse("wagtailsnippets_media_mediaitem:edit", args=[media_item.pk]),
                           {"title": "别的部门改的", "kind": "video", "transcript": ""})
    assert response.status_code in (302, 403, 404)
    assert MediaItem.objects.get(pk=media_item.pk).title == "政策解读视频"
    # Its own department lists, chooses and edits it; a new item defaults to the department.
    client.force_login(editor)
    assert media_item.title in client.get(
        reverse("wagtailsnippets_media_mediaitem:list")).content.decode()
    assert media_item.title in client.get(
        reverse("wagtailsnippetchoosers_media_mediaitem:choose")).json()["html"]
    form, data = form_data(client.get(reverse("wagtailsnippets_media_mediaitem:add")).content
                           .decode(), "form[method=post i][enctype]")
    assert data["department"] == str(city["orgs"]["hrss"].pk)
    choices = {o["value"] for o in form.select("select[name=department] option") if o["value"]}
    assert str(city["orgs"]["housing"].pk) not in choices
