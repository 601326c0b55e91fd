"""Demo data for 好差评: a service hall with windows and items, a few thousand window services
over the last six months with their ratings (active, default, a few flagged), ratings for the
demo tickets, 差评整改 cases in every stage (some overdue, some in a second round after the
rectification was rated 不满意 too, one of those ended by the supervisor's decision) with their
history, and one upheld appeal, plus real
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
    CaseEvent,
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
            if stage == "closed" and case.followup_level == 2:
                self.second_round(case, i, handler, supervisor)
            if stage == "feedback" and not recent and age > timedelta(days=30):
                case.stage, case.closed_at = "closed", case.rectified_at + timedelta(days=7)
            if case.stage == "callback" and case.callback_due < self.now:
                case.overdue, case.escalated_at = True, case.callback_due
            if case.stage == "rectifying" and case.rectify_due < self.now:
                case.overdue, case.escalated_at = True, case.rectify_due
            cases.append(case)
        BadRatingCase.objects.bulk_create(cases, batch_size=500)
        self.history(cases, handler, supervisor)
        # one overdue case for the supervisors: a callback missed by days
        late = BadRatingCase.objects.filter(stage="callback").order_by("created_at").first()
        if late and not late.overdue:
            BadRatingCase.objects.filter(pk=late.pk).update(
                callback_due=self.now - timedelta(days=2), overdue=True,
                escalated_at=self.now - timedelta(days=2))
        if handler and supervisor:
            self.appeal(handler, supervisor)

    def second_round(self, case, i, handler, supervisor):
        """The rectification was rated 不满意: a second round (ratings.services._next_round),
        still running, ended by a 满意 rating, or ended by the supervisor's decision."""
        rated = case.followup_at
        case.first_round = (case.rectified_at, rated)  # for its history
        case.round, case.escalated_at = 2, rated
        case.rectify_due = calendar.add_working_days(rated, 15)
        second = rated + timedelta(days=self.rng.uniform(2, 8))
        case.followup_level = case.followup_at = case.closed_at = None
        if second >= self.now - timedelta(days=1):
            case.stage, case.rectified_at, case.rectify_note = "rectifying", None, ""
            case.rectified_by = None
            return
        case.rectified_at = second
        case.rectify_note = "第二轮整改：已督促补齐材料并由科长当面说明办理结果。"
        if i % 3 == 0 and supervisor:
            case.stage, case.closed_at = "decided", second + timedelta(days=1)
            case.decided_by, case.decided_at = supervisor, case.closed_at
            case.decision_note = ("经督办核实，部门已两轮整改并当面说明，评价人另提的诉求超出本事项"
                                  "办理范围，已告知其他渠道，督办决定办结。")
        else:
            case.stage = "closed"
            case.followup_level, case.followup_at = 4, second + timedelta(days=1)
            case.closed_at = case.followup_at

    def history(self, cases, handler, supervisor):
        """Each case's history (ratings.models.CaseEvent) as the services would have written
        it."""
        E = CaseEvent.Action
        pks = dict(BadRatingCase.objects.values_list("rating_id", "pk"))
        resident = "评价人（短信链接）"
        rows = []

        def add(case, round_, action, at, actor=None, level=None, reason="", note="",
                name=None):
            rows.append(CaseEvent(
                case_id=pks[case.rating_id], round=round_, action=action, created_at=at,
                actor=actor, actor_name=name or (actor.display_name if actor else "好差评系统"),
                level=level, reason=reason, note=note))

        for case in cases:
            rating = case.rating
            add(case, 1, E.OPENED, case.created_at, level=rating.level, reason=rating.reason,
                note=rating.comment)
            if case.callback_at:
                add(case, 1, E.CALLBACK, case.callback_at, handler, note=case.callback_note)
            if case.round == 2:
                first_rectified, rated = case.first_round
                add(case, 1, E.RECTIFY, first_rectified, handler,
                    note="已约谈窗口负责人，优化办理流程并一次性告知所需材料。")
                add(case, 1, E.RATED, rated, level=2, reason=Reason.UNSOLVED,
                    note="材料还是要跑两趟。", name=resident)
                add(case, 2, E.REOPENED, rated, note="第1轮整改被评为不满意（问题没有解决），"
                    "开始第2轮整改，已报送督办人督办。")
            if case.rectified_at:
                add(case, case.round, E.RECTIFY, case.rectified_at, handler,
                    note=case.rectify_note)
            if case.followup_level:
                add(case, case.round, E.RATED, case.followup_at, level=case.followup_level,
                    name=resident)
                add(case, case.round, E.CLOSED, case.followup_at,
                    note="群众对整改结果评价为基本满意及以上，整改办结。")
            if case.decided_at:
                add(case, case.round, E.DECIDED, case.decided_at, supervisor,
                    note=case.decision_note)
            if case.overdue:
                add(case, case.round, E.OVERDUE, case.escalated_at,
                    note=case.get_stage_display())
        CaseEvent.objects.bulk_create(rows, batch_size=1000)

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
        appeal = case.appeal
        CaseEvent.objects.bulk_create([
            CaseEvent(case=case, round=case.round, action=CaseEvent.Action.APPEAL,
                      created_at=appeal.raised_at, actor=handler,
                      actor_name=handler.display_name, note=appeal.reason),
            CaseEvent(case=case, round=case.round, action=CaseEvent.Action.APPEAL_DECIDED,
                      created_at=decided, actor=supervisor, actor_name=supervisor.display_name,
                      note=f"申诉成立：{appeal.decision_reason}"),
        ])
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
