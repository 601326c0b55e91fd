"""Move ticket attachments still under MEDIA_ROOT into the private storage (safe to repeat)."""

from django.core.management.base import BaseCommand

from hotline.attachments import move_to_private


class Command(BaseCommand):
    help = "把仍在公开媒体目录（MEDIA_ROOT/hotline/）中的工单附件移到私有存储（PRIVATE_MEDIA_ROOT）。"

    def handle(self, *args, **options):
        moved, missing = move_to_private()
        self.stdout.write(f"已移动 {moved} 个附件；{missing} 个附件的文件不存在，已跳过。")
