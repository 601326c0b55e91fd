from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.models import User
from interpretations.models import PolicyPage
from interpretations.publishing import PublishRefused, publish_policy


class Command(BaseCommand):
    help = "发布政策文件的最新版本（文件与解读同步上线；解读包不完整时拒绝）。"

    def add_arguments(self, parser):
        parser.add_argument("page_ids", nargs="+", type=int, help="政策文件页面 ID")
        parser.add_argument("--user", help="以该用户身份发布（检查其发布权限）")

    def handle(self, *args, page_ids, user=None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在。")
        failures = []
        for pk in page_ids:
            page = PolicyPage.objects.filter(pk=pk).first()
            if page is None:
                failures.append(f"{pk}: 政策文件不存在。")
                continue
            try:
                publish_policy(page, user=actor)
            except PublishRefused as exc:
                failures.append(f"{pk} 《{page.title}》: {exc}")
            except PermissionDenied as exc:
                failures.append(f"{pk} 《{page.title}》: {exc}")
            else:
                self.stdout.write(f"已发布：{pk} 《{page.title}》")
        if failures:
            raise CommandError("\n".join(failures))
