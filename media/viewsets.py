from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from media.models import MediaItem


class MediaItemViewSet(SnippetViewSet):
    model = MediaItem
    icon = "media"
    menu_label = _("音视频")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["title", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    panels = [
        FieldPanel("title"), FieldPanel("kind"), FieldPanel("file"), FieldPanel("poster"),
        FieldPanel("captions"), FieldPanel("transcript"), FieldPanel("duration_seconds"),
    ]
