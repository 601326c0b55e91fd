"""Anonymous readers are served from the page cache; publishing, unpublishing and scheduled
go-live purge it once committed, so nobody sees a stale version or a document without its
interpretation."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Revision

from interpretations.publishing import publish_due_revisions

pytestmark = pytest.mark.django_db


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.content.decode()


def test_cached_page_is_purged_on_publish_and_unpublish(client, make_policy, sign_off,
                                                        django_capture_on_commit_callbacks):
    page = make_policy(publish=True)
    first, _ = get(client, page.url)
    assert first["X-Page-Cache"] == "miss"
    second, html = get(client, page.url)
    assert second["X-Page-Cache"] == "hit" and "文字解读正文" in html
    draft = page.get_latest_revision_as_object()
    draft.materials = [("qa", {"question": "新版问答：何时生效？", "answer": "4月1日起施行。"})]
    draft.save_revision()
    with django_capture_on_commit_callbacks(execute=True):
        sign_off(page)
    response, html = get(client, page.url)
    assert response["X-Page-Cache"] == "miss"
    assert "新版问答：何时生效？" in html and "文字解读正文" not in html
    with django_capture_on_commit_callbacks(execute=True):
        page.refresh_from_db()
        page.unpublish()
    assert client.get(page.url).status_code == 404


def test_scheduled_go_live_purges_listing(client, make_policy, section, sign_off,
                                          django_capture_on_commit_callbacks):
    make_policy(publish=True, title="已经发布的文件")
    get(client, section.url)
    response, html = get(client, section.url)
    assert response["X-Page-Cache"] == "hit" and "定时发布的文件" not in html
    scheduled = make_policy(title="定时发布的文件")
    draft = scheduled.get_latest_revision_as_object()
    draft.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    draft.save_revision()
    scheduled = sign_off(scheduled)  # the last approval schedules it for its go-live time
    revision = Revision.objects.get(pk=scheduled.latest_revision_id)
    assert abs(revision.approved_go_live_at - draft.go_live_at) < datetime.timedelta(seconds=1)
    assert publish_due_revisions() == (0, 0)
    assert client.get(scheduled.url).status_code == 404
    # The hour passes.
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_due_revisions() == (1, 0)
    response, html = get(client, section.url)
    assert response["X-Page-Cache"] == "miss" and "定时发布的文件" in html
    _, html = get(client, scheduled.url)
    assert "为进一步做好个人所得税征管工作" in html and "文字解读正文" in html


def test_personal_requests_bypass_the_cache(client, make_policy, editor):
    page = make_policy(publish=True)
    get(client, page.url)
    assert get(client, page.url)[0]["X-Page-Cache"] == "hit"
    client.force_login(editor)  # a session cookie: never served from, nor stored in, the cache
    response, _ = get(client, page.url)
    assert "X-Page-Cache" not in response
    client.logout()
    client.cookies.pop("sessionid", None)
    assert client.post(f"/feedback/policies/{page.pk}/", {"helpful": "1"}).status_code == 302
