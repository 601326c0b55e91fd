"""Demo data for 好差评: a service hall with windows and items, a few thousand window services
over the last six months with their ratings (active, default, a few flagged), ratings for the
demo tickets, 差评整改 cases in every stage (some overdue) and one upheld appeal, plus real
SMS invitations for the most recent services so the outbox holds working rating links.

Idempotent: nothing is added once the service hall exists.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core import demo as core_demo
from core.models import Organisation, User
from hotline import calendar
from hotline.models import Ticket
from ratings import services
from ratings.models import (
    Appeal,
    BadRatingCase,
    Channel,
    Rating,
    RatingInvitation,
    RatingsIndexPage,
    Reason,
    ServiceEvent,
    ServiceItem,
    ServiceWindow,
)

HALL = "临江市民之家政务服务大厅"
ITEMS = {
    "市人社局": ["社会保障卡补办", "失业保险金申领", "职工退休申请", "灵活就业人员参保登记"],
    "市公安局": ["居民身份证换领", "户口迁移", "出入境证件办理"],
    "市市场监管局": ["企业设立登记", "食品经营许可", "营业执照变更"],
    "市税务局": ["发票申领", "个人所得税汇算咨询", "税务登记"],
    "市公积金中心": ["住房公积金提取", "公积金贷款申请"],
    "市民政局": ["婚姻登记", "最低生活保障申请"],
}
LEVELS = [5] * 60 + [4] * 24 + [3] * 9 + [2] * 5 + [1] * 2
REASONS = [Reason.UNSOLVED, Reason.SLOW, Reason.ATTITUDE, Reason.ERRANDS, Reason.UNCLEAR]
COMMENTS = {
    Reason.UNSOLVED: "跑了一趟还是没办成，说系统有问题。",
    Reason.SLOW: "排队一个多小时，办理也很慢。",
    Reason.ATTITUDE: "工作人员说话很不耐烦。",
    Reason.ERRANDS: "材料第一次没说清楚，让我跑了三次。",
    Reason.UNCLEAR: "政策讲不清楚，问了两个人说法不一样。",
}


def build_page():
    page = core_demo.ensure_section("ratings", "好差评", RatingsIndexPage,
                                    intro=core_demo.SECTION_INTRO["ratings"])
    core_demo.build_site()  # point the home page's entry at the section page
    return page


def build_windows():
    windows, items = [], {}
    number = 1
    for short, names in ITEMS.items():
        org = Organisation.objects.filter(short_name=short).first()
        if org is None:
            continue
        for _ in range(2):
            windows.append(ServiceWindow.objects.create(hall=HALL, number=str(number),
                                                        organisation=org))
            number += 1
        items[org.pk] = [ServiceItem.objects.create(name=n, organisation=org) for n in names]
    return windows, items


class Generator:
    def __init__(self, windows, items):
        self.rng = random.Random(2026)
        self.now = timezone.now().replace(microsecond=0)
        self.windows, self.items = windows, items
        self.users = {u.username: u for u in User.objects.filter(
            username__in=["handler", "supervisor"])}

    def phone(self):
        return f"13{self.rng.randint(5, 9)}{self.rng.randint(0, 99_999_999):08d}"

    def events(self, count=3000):
        rows = []
        for _ in range(count):
            window = self.rng.choice(self.windows)
            local = timezone.localtime(self.now - timedelta(days=self.rng.uniform(1, 180)))
            at = local.replace(hour=self.rng.randint(9, 16), minute=self.rng.randint(0, 59))
            if at > self.now:
                at -= timedelta(days=1)
            rows.append(ServiceEvent(
                window=window, organisation_id=window.organisation_id,
                item=self.rng.choice(self.items[window.organisation_id]), phone=self.phone(),
                served_at=at, staff_name="窗口工作人员", source="import"))
        return ServiceEvent.objects.bulk_create(rows, batch_size=1000)

    def rating_for(self, *, event=None, ticket=None, served_at, organisation_id, item, phone):
        r = self.rng.random()
        age = self.now - served_at
        if r < 0.22 and age > timedelta(days=7):  # unrated → default 基本满意
            return Rating(event=event, ticket=ticket, organisation_id=organisation_id,
                          item=item, channel=Channel.DEFAULT, level=3, is_default=True,
                          served_at=served_at, rated_at=served_at + timedelta(days=7))
        if r < 0.22:
            return None  # still open for rating
        level = self.rng.choice(LEVELS)
        reason = self.rng.choice(REASONS) if level <= 2 else ""
        channel = self.rng.choice([Channel.QR, Channel.SMS_LINK, Channel.SMS_REPLY]
                                  if event else [Channel.SMS_LINK, Channel.SMS_REPLY])
        return Rating(event=event, ticket=ticket, organisation_id=organisation_id, item=item,
                      channel=channel, level=level, reason=reason,
                      comment=COMMENTS.get(reason, "") if channel != Channel.SMS_REPLY else "",
                      phone=phone, served_at=served_at,
                      rated_at=served_at + timedelta(hours=self.rng.uniform(0.1, 30)))

    def ratings(self, events):
        rows = []
        for e in events:
            rating = self.rating_for(event=e, served_at=e.served_at,
                                     organisation_id=e.organisation_id, item=e.item.name,
                                     phone=e.phone)
            if rating:
                rows.append(rating)
        tickets = (Ticket.objects.filter(status__in=services.RATABLE_TICKET_STATUSES,
                                         lead_org__isnull=False)
                   .select_related("category").order_by("pk"))
        for t in tickets:
            served = t.closed_at or t.replied_at or t.received_at
            if self.now - served < timedelta(days=2):
                continue  # the recent ones get real SMS invitations below
            rating = self.rating_for(ticket=t, served_at=served, organisation_id=t.lead_org_id,
                                     item=t.category.name, phone=t.caller_phone)
            if rating:
                rows.append(rating)
        # a few ratings from one address, waiting for review
        for rating in rows[-5:]:
            if not rating.is_default:
                rating.status, rating.ip_hash = Rating.Status.FLAGGED, "demo-same-address"
                rating.status_note = "同一网络地址 24 小时内评价 5 次，待审核。"
        Rating.objects.bulk_create(rows, batch_size=1000)
        return Rating.objects.filter(is_default=False, level__lte=2,
                                     status=Rating.Status.COUNTED).order_by("rated_at")

    def cases(self, bad):
        handler, supervisor = self.users.get("handler"), self.users.get("supervisor")
        cases = []
        bad = list(bad)
        for i, rating in enumerate(bad):
            opened = rating.rated_at
            case = BadRatingCase(
                rating=rating, organisation_id=rating.organisation_id, created_at=opened,
                callback_due=calendar.add_working_days(opened, 1),
                rectify_due=calendar.add_working_days(opened, 15))
            age = self.now - opened
            recent = i >= len(bad) - 8  # the latest few stay open, in each stage
            stage = (["callback", "rectifying", "feedback", "closed"][i % 4] if recent
                     else ("closed" if self.rng.random() < 0.85 else "feedback"))
            if stage != "callback":
                case.callback_at = opened + timedelta(hours=self.rng.uniform(1, 20))
                case.callback_note = "已电话回访评价人，核实情况属实。"
                case.callback_by = handler
            if stage in ("feedback", "closed"):
                case.rectified_at = case.callback_at + timedelta(days=self.rng.uniform(1, 10))
                case.rectify_note = "已约谈窗口负责人，优化办理流程并一次性告知所需材料。"
                case.rectified_by = handler
            if stage == "closed":
                case.followup_level = self.rng.choice([5, 4, 4, 3, 3, 2])
                case.followup_at = case.rectified_at + timedelta(days=1)
                case.closed_at = case.followup_at
            case.stage = stage
            if stage == "feedback" and not recent and age > timedelta(days=30):
                case.stage, case.closed_at = "closed", case.rectified_at + timedelta(days=7)
            if case.stage == "callback" and case.callback_due < self.now:
                case.overdue, case.escalated_at = True, case.callback_due
            if case.stage == "rectifying" and case.rectify_due < self.now:
                case.overdue, case.escalated_at = True, case.rectify_due
            cases.append(case)
        BadRatingCase.objects.bulk_create(cases, batch_size=500)
        # one overdue case for the supervisors: a callback missed by days
        late = BadRatingCase.objects.filter(stage="callback").order_by("created_at").first()
        if late and not late.overdue:
            BadRatingCase.objects.filter(pk=late.pk).update(
                callback_due=self.now - timedelta(days=2), overdue=True,
                escalated_at=self.now - timedelta(days=2))
        if handler and supervisor:
            self.appeal(handler, supervisor)

    def appeal(self, handler, supervisor):
        case = (BadRatingCase.objects.filter(stage="closed").select_related("rating")
                .order_by("-created_at").first())
        if case is None:
            return
        decided = case.created_at + timedelta(days=3)
        Appeal.objects.create(
            case=case, raised_by=handler, raised_at=case.created_at + timedelta(days=1),
            reason="经查监控，评价人当天未到本窗口办理业务，系误评，申请复核。",
            status=Appeal.Status.UPHELD, decided_by=supervisor, decided_at=decided,
            decision_reason="调取大厅监控和叫号记录核实，评价人非本次服务对象，申诉成立，"
                            "该评价不计入统计。")
        BadRatingCase.objects.filter(pk=case.pk).update(stage="withdrawn", closed_at=decided)
        Rating.objects.filter(pk=case.rating_id).update(
            status=Rating.Status.EXCLUDED, status_note="申诉成立：评价人非本次服务对象。")

    def invitations(self, events):
        from ratings.tasks import invite_finished_tickets

        invite_finished_tickets()
        for e in events[:5]:  # the latest window services, unrated: links in the outbox
            if not Rating.objects.filter(event=e).exists() and not (
                    RatingInvitation.objects.filter(event=e).exists()):
                services.invite(phone=e.phone, served_at=e.served_at, event=e)


@transaction.atomic
def build(stdout=None):
    build_page()
    if ServiceWindow.objects.exists():
        return
    windows, items = build_windows()
    if not windows:
        return
    gen = Generator(windows, items)
    events = gen.events()
    bad = gen.ratings(events)
    gen.cases(bad)
    recent = sorted((e for e in events if gen.now - e.served_at < timedelta(days=5)),
                    key=lambda e: e.served_at, reverse=True)
    gen.invitations(recent)
    if stdout:
        stdout.write(f"  好差评：{ServiceEvent.objects.count()} 次窗口服务，"
                     f"{Rating.objects.count()} 条评价，{BadRatingCase.objects.count()} 件差评整改")
