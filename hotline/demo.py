"""Demo data for the hotline: the category tree, time limits, the dispatch catalogue, the
/hotline/ section page, and a few thousand tickets over the past six months in every state —
with repeats (merged and linked), extensions, dispatch objections and one 会办.

Tickets are generated once (bulk inserts, a fixed random seed); running again changes nothing.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core import demo as core_demo
from core.models import Division, Organisation, User
from hotline import calendar
from hotline.models import (
    CalendarDay,
    Category,
    DispatchObjection,
    DispatchRule,
    HotlineIndexPage,
    JointHandling,
    JointMinute,
    Satisfaction,
    Status,
    Ticket,
    TicketAssignment,
    TicketEvent,
    TicketSequence,
    TimeLimit,
    Urgency,
)
from hotline.tasks import mark_deadlines

TICKETS = 3000
K = Category.Kind
TREE = [
    # top level, kind, [(child, lead department short name, [content templates])]
    ("城乡建设", K.COMPLAINT, [
        ("物业管理", "市住建局", ["{place}物业公司长期不作为，电梯经常停运，要求物业整改",
                              "{place}物业乱收停车费，要求退还并公示收费标准"]),
        ("房屋质量", "市住建局", ["{place}新交付的房屋墙体开裂渗水，开发商拖延维修"]),
        ("燃气供应", "市住建局", ["{place}燃气管道老化有异味，担心安全隐患，请尽快检修"]),
    ]),
    ("城市管理", K.COMPLAINT, [
        ("市容环境", "市城管执法局", ["{place}门口垃圾堆放多日无人清理，臭气熏天",
                                 "{place}附近占道经营严重，影响通行"]),
        ("噪声扰民", "市生态环境局", ["{place}附近工地夜间施工噪声扰民，影响休息",
                                 "{place}楼下烧烤店深夜噪声很大"]),
    ]),
    ("劳动保障", K.HELP, [
        ("欠薪", "市人社局", ["{place}附近一家公司拖欠三个月工资不发，请帮忙追讨",
                           "在{place}工地做工，包工头拖欠工资至今未付"]),
        ("社会保险", "市人社局", ["咨询社保断缴后如何补缴，在{place}上班", "退休金核定有疑问，请解释计算办法"]),
    ]),
    ("交通出行", K.SUGGESTION, [
        ("公交线路", "市交通运输局", ["建议增加{place}到市中心的公交班次，早高峰太挤",
                                 "{place}公交站台损坏，下雨无处避雨"]),
        ("道路设施", "市交通运输局", ["{place}路面坑洼严重，多次有电动车摔倒"]),
    ]),
    ("市场监管", K.REPORT, [
        ("食品安全", "市市场监管局", ["{place}一家餐馆卫生条件差，吃后腹泻", "{place}超市出售过期食品"]),
        ("消费维权", "市市场监管局", ["在{place}健身房办卡后闭店跑路，要求退费"]),
    ]),
    ("教育卫生", K.CONSULTATION, [
        ("入学政策", "市教育局", ["孩子户籍在{place}，咨询小学入学需要哪些材料"]),
        ("医疗服务", "市卫生健康委", ["{place}社区卫生服务中心排队时间太长，建议增加医生"]),
        ("医保报销", "市医保局", ["异地就医医保报销比例咨询，现居{place}"]),
    ]),
]
PLACES = ["幸福小区", "阳光花园", "滨江名苑", "湖心公寓", "锦绣家园", "翠竹苑", "建设新村",
          "东风小区", "望月湖小区", "金桥商业街", "铁路新村", "荷花园小区"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英"]
REPLIES = ["经核查，已督促相关单位整改完毕，现场已恢复正常，感谢您的监督。",
           "已联系当事企业，协调双方达成一致，问题已解决。",
           "已按政策向您作出解释，如仍有疑问可拨打部门电话咨询。",
           "已安排人员现场处理，并建立长效机制防止再次发生。"]
CHANNELS = ["phone"] * 6 + ["web"] * 2 + ["miniprogram", "sms", "enterprise", "transferred"]


def build_reference():
    categories = {}
    for order, (top, kind, children) in enumerate(TREE):
        parent, _ = Category.objects.get_or_create(parent=None, name=top,
                                                   defaults={"kind": kind, "sort_order": order})
        for i, (name, lead, templates) in enumerate(children):
            child, _ = Category.objects.get_or_create(
                parent=parent, name=name, defaults={"kind": kind, "sort_order": i})
            lead_org = Organisation.objects.get(short_name=lead)
            DispatchRule.objects.get_or_create(category=child, division=None,
                                               defaults={"lead": lead_org,
                                                         "basis": f"{lead}三定方案"})
            categories[child.pk] = (child, templates)
    for urgency, (sign, handle) in {Urgency.URGENT: (1, 0), Urgency.PRIORITY: (2, 5),
                                    Urgency.NORMAL: (4, 15)}.items():
        TimeLimit.objects.get_or_create(category=None, urgency=urgency,
                                        defaults={"sign_hours": sign, "handle_days": handle})
    consult = Category.objects.get(parent=None, name="教育卫生")
    TimeLimit.objects.get_or_create(category=consult, urgency=Urgency.NORMAL,
                                    defaults={"sign_hours": 2, "handle_days": 3})
    # The district handles street-level 市容环境 in 江城区 (a division line beats the city).
    jiangcheng = Division.objects.get(code="439902000000")
    city_mgmt = Category.objects.get(name="市容环境")
    rule, created = DispatchRule.objects.get_or_create(
        category=city_mgmt, division=jiangcheng,
        defaults={"lead": Organisation.objects.get(name="江城区人民政府"),
                  "basis": "城市管理重心下移"})
    if created:
        rule.assisting.add(Organisation.objects.get(short_name="市城管执法局"))
    # A year the package does not know yet, entered by an administrator (2027 New Year).
    for day, workday, note in [("2027-01-01", False, "元旦")]:
        CalendarDay.objects.get_or_create(date=day, defaults={"is_workday": workday,
                                                              "note": note})
    return categories


def build_page():
    page = core_demo.ensure_section(
        "hotline", "12345 诉求", HotlineIndexPage,
        intro="12345 政务服务便民热线：诉求受理、派单办理、结果反馈全流程闭环。")
    core_demo.build_site()  # point the home page's entry at the new section page
    return page


class Generator:
    def __init__(self, categories):
        self.rng = random.Random(12345)
        self.now = timezone.now().replace(microsecond=0)
        self.categories = list(categories.values())
        self.divisions = list(Division.objects.filter(level=Division.Level.VILLAGE))
        self.users = {u.username: u for u in User.objects.filter(username__in=[
            "dispatcher", "handler", "handler_district", "supervisor"])}
        self.leads = {}
        for child, _ in self.categories:
            lead, _assist = self.rule_for(child)
            self.leads[child.pk] = lead
        self.sequence = {}
        self.tickets, self.events, self.assignments = [], [], []
        self.objections, self.extras = [], []

    def rule_for(self, category):
        from hotline.services import suggest_dispatch

        return suggest_dispatch(category, self.divisions[0])

    def number(self, at):
        day = timezone.localtime(at).date()
        self.sequence[day] = self.sequence.get(day, 0) + 1
        return f"12345-{day:%Y%m%d}-{self.sequence[day]:06d}"

    def event(self, ticket, action, label, at, actor, frm="", to="", note="", public=True):
        self.events.append(TicketEvent(
            ticket=ticket, action=action, label=label, from_status=frm, to_status=to or frm,
            actor=actor, actor_name=actor.display_name if actor else "诉求人",
            organisation=actor.organisation if actor else None, note=note, public=public,
            created_at=at))

    def person(self):
        r = self.rng
        return (r.choice(SURNAMES) + r.choice(GIVEN),
                f"1{r.choice('3578')}{r.randint(0, 9)}{r.randint(10_000_000, 99_999_999)}")

    def make(self, received, *, category=None, place=None, caller=None, division=None,
             content=None):
        r = self.rng
        category, templates = category or r.choice(self.categories)
        place = place or r.choice(PLACES)
        name, phone = caller or self.person()
        division = division or r.choice(self.divisions)
        t = Ticket(
            number=self.number(received), channel=r.choice(CHANNELS), category=category,
            division=division, address=f"{division.name}{place}{r.randint(1, 30)}栋",
            caller_name=name, caller_phone=phone,
            content=content or r.choice(templates).format(place=place),
            urgency=r.choices([Urgency.NORMAL, Urgency.PRIORITY, Urgency.URGENT],
                              [85, 10, 5])[0],
            received_at=received, suggested_lead=self.leads[category.pk],
            created_by=self.users["dispatcher"],
        )
        self.tickets.append(t)
        return t

    def lifecycle(self, t, target):
        """Fill timestamps, deadlines and events for ``t`` up to status ``target``."""
        r, u = self.rng, self.users
        limits = {Urgency.URGENT: (1, 0), Urgency.PRIORITY: (2, 5), Urgency.NORMAL: (4, 15)}
        sign_h, handle_d = limits[t.urgency]
        if t.category.parent and t.category.parent.name == "教育卫生" and \
                t.urgency == Urgency.NORMAL:
            sign_h, handle_d = 2, 3
        self.event(t, "intake", "受理", t.received_at, u["dispatcher"], to=Status.PENDING_DISPATCH,
                   note=f"通过{t.get_channel_display()}受理。")
        t.status = Status.PENDING_DISPATCH
        if target == Status.PENDING_DISPATCH:
            return
        if target == Status.CLOSED and r.random() < 0.08:  # 直接办结 at intake
            at = t.received_at + timedelta(minutes=r.randint(3, 20))
            t.reply, t.replied_at, t.closed_at, t.resolved = r.choice(REPLIES), at, at, True
            t.status = Status.CLOSED
            self.event(t, "close_at_intake", "直接办结", at, u["dispatcher"],
                       Status.PENDING_DISPATCH, Status.CLOSED, note=t.reply)
            return
        at = t.received_at + timedelta(minutes=r.randint(5, 240))
        t.lead_org = t.suggested_lead
        t.dispatched_at = at
        t.sign_deadline = calendar.add_working_hours(at, sign_h)
        t.handle_deadline = calendar.add_working_days(at, handle_d)
        self.assignments.append(TicketAssignment(ticket=t, organisation=t.lead_org, role="lead",
                                                 assigned_at=at))
        self.event(t, "dispatch", "派单", at, u["dispatcher"], Status.PENDING_DISPATCH,
                   Status.PENDING_SIGN, note=f"主办：{t.lead_org}")
        t.status = Status.PENDING_SIGN
        if r.random() < 0.03:
            self.objections.append((t, at))
        if target == Status.PENDING_SIGN:
            return
        handler = u["handler_district"] if t.lead_org.name == "江城区人民政府" else u["handler"]
        at = at + timedelta(hours=r.choice([0.5, 1, 2, 3, 6, 20]))
        t.signed_at = at
        self.event(t, "sign", "签收", at, handler, Status.PENDING_SIGN, Status.IN_PROGRESS)
        t.status = Status.IN_PROGRESS
        if r.random() < 0.06:
            req = at + timedelta(days=1)
            if req < t.handle_deadline and req < self.now:
                days = r.choice([3, 5, 10])
                self.event(t, "request_extension", "申请延期", req, handler, t.status, t.status,
                           note=f"申请延期 {days} 个工作日：需多部门现场核实", public=False)
                t.handle_deadline = calendar.add_working_days(t.handle_deadline, days)
                t.extension_count = 1
                self.event(t, "review_extension", "同意延期", req + timedelta(hours=2),
                           u["dispatcher"], t.status, t.status,
                           note=f"延期 {days} 个工作日。")
        if target == Status.IN_PROGRESS:
            if r.random() < 0.2 and t.handle_deadline > self.now:
                t.pending_extension_days, t.pending_extension_reason = 5, "涉及多个部门，需协调"
            return
        span = (min(t.handle_deadline, self.now) - at).total_seconds()
        late = r.random() < 0.12
        at = at + timedelta(seconds=max(span, 3600) * (r.uniform(1.0, 1.3) if late else
                                                       r.uniform(0.1, 0.9)))
        at = min(at, self.now - timedelta(minutes=30))
        t.reply, t.replied_at = r.choice(REPLIES), at
        self.event(t, "reply", "答复", at, handler, Status.IN_PROGRESS, Status.REPLIED,
                   note=t.reply)
        t.status = Status.REPLIED
        if target == Status.REPLIED:
            return
        at = min(at + timedelta(hours=r.randint(1, 20)), self.now - timedelta(minutes=20))
        t.callback_deadline = calendar.add_working_days(at, 1)
        self.event(t, "approve_reply", "审核通过", at, u["dispatcher"], Status.REPLIED,
                   Status.PENDING_CALLBACK)
        t.status = Status.PENDING_CALLBACK
        if target == Status.PENDING_CALLBACK:
            return
        at = min(at + timedelta(hours=r.randint(2, 24)), self.now - timedelta(minutes=10))
        if r.random() < 0.05:  # 重办: the resident was not satisfied with the first answer
            self.event(t, "reopen", "重办", at, u["dispatcher"], Status.PENDING_CALLBACK,
                       Status.IN_PROGRESS, note="诉求人反映问题仍未解决")
            t.reopen_count = 1
            at = min(at + timedelta(days=2), self.now - timedelta(minutes=8))
            self.event(t, "reply", "答复", at, handler, Status.IN_PROGRESS, Status.REPLIED,
                       note=t.reply)
            self.event(t, "approve_reply", "审核通过", at, u["dispatcher"], Status.REPLIED,
                       Status.PENDING_CALLBACK)
            t.replied_at = at
            at = min(at + timedelta(hours=3), self.now - timedelta(minutes=5))
        t.satisfaction = r.choices([Satisfaction.SATISFIED, Satisfaction.BASIC], [80, 20])[0]
        t.resolved = r.random() < 0.9
        t.closed_at = at
        self.event(t, "callback", "回访办结", at, u["dispatcher"], Status.PENDING_CALLBACK,
                   Status.CLOSED, note=t.get_satisfaction_display())
        t.status = Status.CLOSED

    def target_for(self, received):
        age = (self.now - received).days
        r = self.rng.random()
        if age > 20:
            return Status.CLOSED if r < 0.97 else Status.IN_PROGRESS
        if age > 5:
            return [Status.CLOSED, Status.PENDING_CALLBACK, Status.REPLIED,
                    Status.IN_PROGRESS][min(int(r * 5), 3)]
        return self.rng.choice([Status.PENDING_DISPATCH, Status.PENDING_SIGN,
                                Status.IN_PROGRESS, Status.IN_PROGRESS, Status.REPLIED,
                                Status.PENDING_CALLBACK, Status.CLOSED])

    def run(self):
        r = self.rng
        start = self.now - timedelta(days=182)
        moments = sorted(start + timedelta(seconds=r.randint(0, 182 * 86400 - 7200))
                         for _ in range(TICKETS))
        recent = []  # (ticket, received) for repeat callers
        for received in moments:
            repeat = None
            if recent and r.random() < 0.08:
                earlier = r.choice(recent[-200:])
                if (received - earlier.received_at).days <= 30:
                    repeat = earlier
            if repeat:
                cat = (repeat.category, [repeat.content])
                t = self.make(received, category=cat,
                              caller=(repeat.caller_name, repeat.caller_phone),
                              division=repeat.division, content=repeat.content + "，再次反映")
                t.address = repeat.address
                self.extras.append((t, repeat))
            else:
                t = self.make(received)
                recent.append(t)
            if repeat is None:
                self.lifecycle(t, self.target_for(received))
            elif repeat.status in (Status.CLOSED, Status.MERGED):  # linked, then handled
                self.lifecycle(t, self.target_for(received))
            else:  # merged into the open ticket
                self.lifecycle(t, Status.PENDING_DISPATCH)
        self.joint_matter()
        self.save()

    def joint_matter(self):
        """Four residents of 幸福小区 complain about the same rubbish heap: 会办."""
        div = Division.objects.get(code="439902001001")
        cat = next(c for c in self.categories if c[0].name == "市容环境")
        base = self.now - timedelta(days=12)
        root = self.make(base, category=cat, place="幸福小区", division=div,
                         content="幸福小区门口垃圾堆放多日无人清理，臭气熏天")
        root.address = "解放路街道幸福小区东门"
        self.lifecycle(root, Status.IN_PROGRESS)
        self.joint_root = root
        for days in (9, 6, 2):
            t = self.make(self.now - timedelta(days=days), category=cat, place="幸福小区",
                          division=div, content="幸福小区东门垃圾又堆起来了，一直没人清理")
            t.address = root.address
            self.extras.append((t, root))
            self.lifecycle(t, Status.PENDING_DISPATCH)

    def save(self):
        u = self.users
        Ticket.objects.bulk_create(self.tickets, batch_size=500)
        # Repeats: merge into an open ticket, link to a closed one (same rule as perform).
        for t, earlier in self.extras:
            root = earlier.repeat_root or earlier
            t.repeat_of, t.repeat_root = earlier, root
            at = t.received_at + timedelta(minutes=10)
            if earlier.status in (Status.CLOSED, Status.MERGED):
                self.event(t, "link_repeat", "关联重复诉求", at, u["dispatcher"], t.status,
                           t.status, note=f"关联为工单 {earlier.number} 的重复诉求。",
                           public=False)
            else:
                t.merged_into, t.status, t.closed_at = earlier, Status.MERGED, at
                self.event(t, "merge", "并单", at, u["dispatcher"], Status.PENDING_DISPATCH,
                           Status.MERGED, note=f"并入工单 {earlier.number}。")
        Ticket.objects.bulk_update([t for t, _ in self.extras],
                                   ["repeat_of", "repeat_root", "merged_into", "status",
                                    "closed_at"], batch_size=500)
        for t, at in self.objections:
            upheld = self.rng.random() < 0.4
            status = (DispatchObjection.Status.UPHELD if upheld else
                      DispatchObjection.Status.REJECTED) if t.status != Status.PENDING_SIGN \
                else DispatchObjection.Status.PENDING
            DispatchObjection.objects.create(
                ticket=t, organisation=t.lead_org, raised_by=u["handler"],
                reason="该事项不属于本单位职责范围，建议改派属地政府。", status=status,
                created_at=at + timedelta(minutes=30),
                reviewed_by=u["dispatcher"] if status != "pending" else None,
                reviewed_at=at + timedelta(hours=2) if status != "pending" else None,
                review_note="" if status == "pending" else "经核实，按派单目录维持原派单。")
        TicketEvent.objects.bulk_create(self.events, batch_size=2000)
        TicketAssignment.objects.bulk_create(self.assignments, batch_size=2000)
        for day, last in self.sequence.items():
            TicketSequence.objects.update_or_create(day=day, defaults={"last": last})
        root = self.joint_root
        joint = JointHandling.objects.create(
            matter=root, responsible_name=root.lead_org.principal or "施展", repeat_count=4,
            responsible_user=u["handler_district"],
            deadline=calendar.add_working_days(self.now - timedelta(days=2), 10),
            created_at=self.now - timedelta(days=2))
        joint.organisations.set(Organisation.objects.filter(
            name__in=["江城区人民政府", "临江市城市管理综合执法局", "江城区解放路街道办事处"]))
        JointMinute.objects.create(
            joint=joint, held_at=self.now - timedelta(days=1), recorded_by=u["dispatcher"],
            attendees="江城区人民政府、市城管执法局、解放路街道办事处、幸福小区物业",
            content="明确街道牵头、城管执法局配合：三日内清运积存垃圾，增设分类收集点，"
                    "物业每日两次巡查，一周后回访居民。")
        TicketEvent.objects.create(
            ticket=root, action="escalate", label="启动会办", from_status=root.status,
            to_status=root.status, actor=u["dispatcher"], actor_name=u["dispatcher"].display_name,
            note="同一事项已累计 4 件诉求，启动会办。", created_at=self.now - timedelta(days=2))


@transaction.atomic
def build(stdout=None):
    categories = build_reference()
    build_page()
    if Ticket.objects.exists():
        return
    Generator(categories).run()
    mark_deadlines(notify=False)
    if stdout:
        stdout.write(f"  12345 工单：{Ticket.objects.count()} 件")
