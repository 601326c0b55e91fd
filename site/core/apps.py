from django.apps import AppConfig, apps
from wagtail.users.apps import WagtailUsersAppConfig

from . import form_messages

# Before any app's models are imported: a form field copies its messages when it is made, and
# some forms are made while the models load.
form_messages.install()


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
        chinese_site_list()


def chinese_site_list():
    """Wagtail's 站点 list (设置 → 站点) reads like the project's own lists: its port, name and
    root page columns carry only English default headers. Wagtail offers no setting for that
    viewset (users and groups have ``PlatformUsersConfig``), so its list view is swapped here."""
    from wagtail.sites.views import SiteViewSet

    from core.admin_lists import platform_view_class

    SiteViewSet.index_view_class = platform_view_class(SiteViewSet.index_view_class)


class PlatformUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the organisation and phone fields of ``core.User``."""

    default = False
    user_viewset = "core.viewsets.PlatformUserViewSet"
