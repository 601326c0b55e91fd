"""Audio, video and animation used by interpretation packages, made accessible: every item has
a poster, WebVTT captions (for video) and a full transcript."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import RevisionMixin
from wagtail.search import index

VIDEO_EXTENSIONS = ["mp4", "webm", "ogv"]
AUDIO_EXTENSIONS = ["mp3", "m4a", "ogg", "oga", "wav"]


def validate_webvtt(upload):
    """A captions file must be WebVTT: UTF-8 text that starts with the WEBVTT signature."""
    if not upload:
        return
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode("utf-8")
    if not head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise ValidationError(_("字幕文件必须是 WebVTT 格式（文件以 WEBVTT 开头）。"))


class MediaItem(RevisionMixin, index.Indexed, models.Model):
    """One 音视频 / 动画 interpretation material.

    Every save in the admin keeps a revision. A policy revision shows the version it was saved
    with (``PolicyPage.media_pins``), so editing an item reaches a live policy only through a
    new, signed revision of that policy. Items belong to a department and are scoped like its
    policies (``media.viewsets``).
    """

    class Kind(models.TextChoices):
        VIDEO = "video", _("视频")
        AUDIO = "audio", _("音频")
        ANIMATION = "animation", _("动画")

    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.VIDEO)
    file = models.FileField(
        _("音视频文件"), upload_to="media/%Y/%m/",
        validators=[FileExtensionValidator(VIDEO_EXTENSIONS + AUDIO_EXTENSIONS)],
    )
    poster = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("封面图"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    captions = models.FileField(
        _("字幕（WebVTT）"), upload_to="media/captions/%Y/%m/", blank=True,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
        help_text=_("视频和动画需要同步字幕，供听障读者使用。"),
    )
    transcript = models.TextField(
        _("文字实录"), blank=True,
        help_text=_("音视频的完整文字稿。没有文字实录的音视频不能随政策发布。"),
    )
    duration_seconds = models.PositiveIntegerField(_("时长（秒）"), null=True, blank=True)
    department = models.ForeignKey(
        "core.Organisation", verbose_name=_("所属部门"), null=True, blank=True,
        on_delete=models.PROTECT,
        related_name="media_items", help_text=_("本部门及上级机构的编辑、审签人可以使用和修改。"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="mediaitem")

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("音视频")
        verbose_name_plural = _("音视频")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_video(self):
        return self.kind in (self.Kind.VIDEO, self.Kind.ANIMATION)

    def accessibility_problems(self):
        """What keeps this item from being published with a policy (Chinese messages)."""
        problems = []
        if not self.transcript.strip():
            problems.append(_("音视频《%(title)s》缺少文字实录。") % {"title": self.title})
        if self.is_video and not self.captions:
            problems.append(_("视频《%(title)s》缺少字幕（WebVTT）。") % {"title": self.title})
        return problems
