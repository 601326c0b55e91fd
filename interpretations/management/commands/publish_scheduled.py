"""Wagtail's ``publish_scheduled``, with policies first: a policy revision goes live only with
a complete interpretation package (document and package at the same instant); an incomplete
one is taken off the schedule and reported instead of aborting the run for everything else."""

from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

from interpretations.services import publish_due_revisions


class Command(WagtailCommand):
    def handle(self, *args, **options):
        if not options.get("dryrun"):
            published, refused = publish_due_revisions()
            if published or refused:
                self.stdout.write(f"政策文件定时发布：{published} 件已发布，{refused} 件因解读包不完整被撤出定时发布。")
        return super().handle(*args, **options)
