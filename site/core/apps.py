from django.apps import AppConfig, apps
from wagtail.users.apps import WagtailUsersAppConfig


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "基础数据"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import roles

        # After the last app's post_migrate every app's permissions exist.
        last_app = [a for a in apps.get_app_configs() if a.models_module][-1]
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=last_app)


class PlatformUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the organisation and phone fields of ``core.User``."""

    default = False
    user_viewset = "core.viewsets.PlatformUserViewSet"
