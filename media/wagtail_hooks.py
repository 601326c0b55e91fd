from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from media.models import MediaItem
from media.viewsets import DepartmentPermissionPolicy, MediaItemViewSet

# Registered before the viewset, which would otherwise create the plain model policy.
register_permission_policy(MediaItem, DepartmentPermissionPolicy(MediaItem))
register_snippet(MediaItemViewSet)
