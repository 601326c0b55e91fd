from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础数据"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import roles

        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)


class PlatformUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the organisation and phone fields of ``core.User``."""

    user_viewset = "core.viewsets.PlatformUserViewSet"
