from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from core import demo


class Command(BaseCommand):
    help = "Build the demo city (divisions, organisations, one user per role, sample content)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Run even when DEBUG is off (never on a live site).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示数据只能在调试环境中加载；确需加载请加 --force。")
        # Building the demo walks policies through their sign-off; the demo accounts are not
        # emailed about it.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            accounts = self.build()
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已就绪。管理后台：{settings.WAGTAILADMIN_BASE_URL}/admin/"))
        self.stdout.write(f"{'用户名':<18}{'角色':<12}机构")
        for username, role, organisation in accounts:
            self.stdout.write(f"{username:<20}{role:<12}{organisation}")
        self.stdout.write(f"所有演示账号的密码：{demo.DEMO_PASSWORD}")

    def build(self):
        accounts = demo.build(self.stdout)
        for config in apps.get_app_configs():
            if config.name == "core":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            self.stdout.write(f"演示数据：{config.verbose_name} …")
            module.build(self.stdout)
        return accounts
