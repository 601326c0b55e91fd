from wagtail.snippets.models import register_snippet

from media.viewsets import MediaItemViewSet

register_snippet(MediaItemViewSet)
