"""Audio/video materials are accessible: WebVTT captions are checked, transcripts required."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import MediaItem, validate_webvtt
from tests.forms import form_data, option_value

pytestmark = pytest.mark.django_db


def test_captions_must_be_webvtt():
    validate_webvtt(SimpleUploadedFile("ok.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\n你好\n".encode()))
    validate_webvtt(SimpleUploadedFile("bom.vtt", b"\xef\xbb\xbfWEBVTT\n"))
    with pytest.raises(ValidationError, match="WebVTT"):
        validate_webvtt(SimpleUploadedFile("bad.vtt", b"1\n00:00:00,000 --> 00:00:01,000\n"))


def test_video_needs_transcript_and_captions():
    item = MediaItem(title="政策解读短视频", kind=MediaItem.Kind.VIDEO)
    problems = item.accessibility_problems()
    assert any("缺少文字实录" in p for p in problems)
    assert any("缺少字幕" in p for p in problems)
    audio = MediaItem(title="广播访谈", kind=MediaItem.Kind.AUDIO, transcript="主持人：……")
    assert audio.accessibility_problems() == []


def test_admin_upload_rejects_non_webvtt_captions(client, make_user, city):
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = "/admin/snippets/media/mediaitem/add/"
    form, data = form_data(client.get(url).content.decode(), "form[method=post i][enctype]")
    data.update({"title": "解读视频", "kind": "video", "transcript": "文字实录",
                 "department": option_value(form, "department", "市人社局"),
                 "file": SimpleUploadedFile("a.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
                 "captions": SimpleUploadedFile("a.vtt", b"not captions", "text/vtt")})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "WebVTT" in response.content.decode()
    assert not MediaItem.objects.exists()
    data["file"] = SimpleUploadedFile("a.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    data["captions"] = SimpleUploadedFile("a.vtt", b"WEBVTT\n", "text/vtt")
    response = client.post("/admin/snippets/media/mediaitem/add/", data)
    assert response.status_code == 302
    assert MediaItem.objects.get().captions.name.endswith(".vtt")
