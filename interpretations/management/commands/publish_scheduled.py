"""Wagtail's ``publish_scheduled``, with policies first: a policy revision goes live only when it
may (complete package, complete sign-off); one that may not is taken off the schedule, logged on
the policy and told to its people, and reported here, instead of aborting the run or coming
back on every run. Other pages and snippets are left to Wagtail's own pass."""

from wagtail.management.commands.publish_scheduled import Command as WagtailCommand

from interpretations.publishing import publish_due_revisions


class Command(WagtailCommand):
    help = "定时发布与到期下线（政策文件须解读包完整并完成审签）。"

    def handle(self, *args, **options):
        if not options.get("dryrun"):
            published, refused = publish_due_revisions()
            if published or refused:
                self.stdout.write(f"政策文件定时发布：{published} 件已发布，{refused} 件未能发布"
                                  "（解读包不完整或未完成审签），已撤出定时发布并通知相关人员。")
        return super().handle(*args, **options)
