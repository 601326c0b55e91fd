"""Reference data of 好差评 in the Wagtail admin: windows and service items (model
permissions decide who may add or change them; superusers by default)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from core.viewsets import ModelViewSet
from ratings.models import ServiceItem, ServiceWindow


class ServiceWindowViewSet(ModelViewSet):
    model = ServiceWindow
    icon = "site"
    menu_label = _("服务窗口")
    list_display = ["__str__", "organisation", "is_active"]
    list_filter = ["is_active", "hall"]
    search_fields = ["hall", "number"]
    form_fields = ["hall", "number", "organisation", "is_active"]


class ServiceItemViewSet(ModelViewSet):
    model = ServiceItem
    icon = "list-ul"
    menu_label = _("服务事项")
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    form_fields = ["name", "organisation"]


class RatingsSettingsGroup(ModelViewSetGroup):
    menu_label = _("好差评设置")
    menu_icon = "cog"
    menu_order = 860
    items = (ServiceWindowViewSet("ratings_window_admin"), ServiceItemViewSet("ratings_items"))
