"""Demo data for 企业服务: qualifications, a few thousand enterprises across industries, sizes and
the demo city's districts, the demo 企业用户's own enterprise, criteria on three support
policies published through their sign-off (two finished campaigns, one still running),
payouts recorded for part of the 稳岗返还 (免申即享) list, and 企业诉求 tickets, one with 线下帮办
visits.

Generated once with a fixed random seed (bulk inserts); running again changes nothing.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Substr
from django.utils import timezone

from core.models import Division, Organisation, User
from enterprises import industries, push, services
from enterprises.models import (
    Assistance,
    Delivery,
    Enterprise,
    Frequency,
    OperatingStatus,
    Push,
    Qualification,
    SizeClass,
)
from enterprises.validators import make_credit_code

SEED = 4754
ENTERPRISES = 3000
QUALIFICATIONS = [
    # name, description, share of enterprises holding it
    ("高新技术企业", "经认定的国家高新技术企业，有效期三年。", 0.12),
    ("专精特新中小企业", "省级专精特新中小企业。", 0.05),
    ("专精特新“小巨人”企业", "国家级专精特新“小巨人”企业。", 0.01),
    ("科技型中小企业", "经评价入库的科技型中小企业。", 0.15),
    ("创新型中小企业", "经评价的创新型中小企业。", 0.10),
    ("失信被执行人", "被人民法院列入失信被执行人名单的企业。", 0.02),
]
# (industry code, weight, name suffixes)
INDUSTRIES = [
    ("A0111", 1, ["农业发展有限公司"]), ("A015", 1, ["果业专业合作社", "农业科技有限公司"]),
    ("C13", 3, ["食品有限公司"]), ("C18", 3, ["服饰有限公司"]), ("C2720", 2, ["制药有限公司"]),
    ("C2740", 1, ["中药股份有限公司"]), ("C2761", 1, ["生物科技有限公司"]),
    ("C33", 3, ["金属制品有限公司"]), ("C34", 3, ["机械有限公司"]), ("C35", 2, ["装备有限公司"]),
    ("C3612", 1, ["新能源汽车有限公司"]), ("C3670", 3, ["汽车零部件有限公司"]),
    ("C38", 2, ["电气有限公司"]), ("C3841", 1, ["新能源科技有限公司"]),
    ("C3911", 1, ["智造科技有限公司"]), ("C3912", 1, ["电子科技有限公司"]),
    ("C3914", 1, ["自动化有限公司"]), ("C3922", 1, ["通信技术有限公司"]),
    ("C3973", 1, ["微电子有限公司"]), ("E47", 4, ["建设工程有限公司"]),
    ("E48", 2, ["路桥工程有限公司"]), ("F51", 6, ["商贸有限公司", "贸易有限公司"]),
    ("F5211", 2, ["百货有限公司"]), ("F5212", 4, ["超市有限公司"]),
    ("G54", 3, ["运输有限公司"]), ("G59", 2, ["物流有限公司", "仓储有限公司"]),
    ("H6210", 5, ["餐饮管理有限公司", "酒家"]), ("H6220", 3, ["餐饮有限公司"]),
    ("H61", 2, ["酒店管理有限公司"]), ("I6513", 4, ["软件有限公司", "网络科技有限公司"]),
    ("I6520", 1, ["芯片设计有限公司"]), ("I6531", 2, ["信息技术有限公司"]),
    ("I6532", 1, ["物联网科技有限公司"]), ("K70", 2, ["置业有限公司"]),
    ("L7263", 1, ["人力资源有限公司"]), ("L72", 3, ["企业管理咨询有限公司"]),
    ("M7320", 2, ["技术研究院有限公司"]), ("O80", 3, ["家政服务有限公司"]),
]
SIZES = [  # size, weight, headcount range, revenue range (万元)
    (SizeClass.MICRO, 55, (2, 19), (20, 300)),
    (SizeClass.SMALL, 30, (20, 299), (300, 2000)),
    (SizeClass.MEDIUM, 12, (300, 999), (2000, 40000)),
    (SizeClass.LARGE, 3, (1000, 6000), (40000, 500000)),
]
PLACES = ["临江", "江城", "临湖", "东岸", "西山", "北塘", "南浦", "青溪", "白石", "云岭", "望月",
          "荷花", "滨江", "金桥", "枫林", "茶山"]
SYLLABLES_1 = "华恒瑞博正金鼎宏盛兴联中天新永嘉泰和信达安康力远润宇明丰创智启卓"
SYLLABLES_2 = "鑫达丰源通诚泰宇邦德辉晟汇昌峰越航嘉腾盈海锐科祥成瀚"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛",
         "明", "超", "霞", "平", "刚", "晨", "欣怡", "子涵", "建华", "国强", "海燕"]

DEMO_ENTERPRISE = {
    "credit_code": make_credit_code(division="439902", body="LJ000001"),
    "name": "临江智造科技有限公司", "industry_code": "C3911", "size_class": SizeClass.SMALL,
    "headcount": 120, "revenue": Decimal("8600.00"), "registered_on": date(2016, 5, 20),
    "contact_name": "梁思远", "contact_phone": "13800000007",
    "contact_email": "liangsiyuan@example.com", "notify_inbox": True, "notify_sms": True,
    "notify_email": True, "notify_frequency": Frequency.IMMEDIATE,
}
DEMO_QUALIFICATIONS = ["高新技术企业", "科技型中小企业"]

# slug → criteria; campaign: "finished" (run and dispatched, backdated) or "running".
POLICY_CRITERIA = [
    ("wengang-fanhuan-2026", "finished", 20, {
        "audience_divisions": ["439900000000"], "exempt_application": True,
        "audience_exclude_qualifications": ["失信被执行人"]}),
    ("xiaofei-quan-2026", "finished", 9, {
        "audience_industries": ["F52", "H62"], "audience_divisions": ["439900000000"],
        "audience_exclude_qualifications": ["失信被执行人"]}),
    ("jiuye-chuangye-daikuan-2026", "running", 0, {
        "audience_sizes": [SizeClass.SMALL, SizeClass.MICRO], "audience_headcount_max": 300,
        "audience_exclude_qualifications": ["失信被执行人"]}),
]

ENTERPRISE_CATEGORIES = [
    # name, lead department, basis
    ("惠企政策", "市发展改革委", "惠企政策兑现牵头部门"),
    ("用工服务", "市人社局", "市人社局三定方案"),
    ("融资服务", "市财政局", "市财政局三定方案"),
    ("登记信息更正", "市市场监管局", "市场主体登记管理条例"),
]


# --- reference data ------------------------------------------------------------------------------


def build_qualifications():
    return {name: Qualification.objects.get_or_create(
        name=name, defaults={"description": description})[0]
        for name, description, _share in QUALIFICATIONS}


def build_categories():
    """A 企业服务 branch of the 12345 category tree with its dispatch catalogue lines."""
    from hotline.models import Category, DispatchRule

    top, _ = Category.objects.get_or_create(parent=None, name="企业服务",
                                            defaults={"kind": Category.Kind.HELP,
                                                      "sort_order": 90})
    found = {}
    for order, (name, lead, basis) in enumerate(ENTERPRISE_CATEGORIES):
        child, _ = Category.objects.get_or_create(parent=top, name=name, defaults={
            "kind": Category.Kind.HELP, "sort_order": order})
        DispatchRule.objects.get_or_create(category=child, division=None, defaults={
            "lead": Organisation.objects.get(short_name=lead), "basis": basis})
        found[name] = child
    return found


# --- enterprises ---------------------------------------------------------------------------------


def _weighted(rng, rows, weight_index=1):
    return rng.choices(rows, weights=[row[weight_index] for row in rows])[0]


def build_enterprises(qualifications):
    """ENTERPRISES generated enterprises (bulk insert), once."""
    # Generated codes carry "L" + the serial number as the body of their 组织机构代码.
    if Enterprise.objects.annotate(body=Substr("credit_code", 9, 8)).filter(
            body=f"L{1:07d}").exists():
        return 0
    rng = random.Random(SEED)
    streets = list(Division.objects.filter(level=Division.Level.TOWNSHIP,
                                           code__startswith="4399").order_by("code"))
    if not streets:
        return 0
    known = set(industries.names())
    rows = [row for row in INDUSTRIES if row[0] in known]
    today = timezone.localdate()
    enterprises, names, holdings = [], set(), []
    for n in range(1, ENTERPRISES + 1):
        code, _weight, suffixes = _weighted(rng, rows)
        size, _w, heads, revenue = _weighted(rng, SIZES)
        street = rng.choice(streets)
        while True:
            name = (rng.choice(PLACES) + rng.choice(SYLLABLES_1) + rng.choice(SYLLABLES_2)
                    + rng.choice(suffixes))
            if name not in names:
                names.add(name)
                break
        registered = today - timedelta(days=rng.randint(60, 30 * 365))
        frequency = rng.choices([Frequency.IMMEDIATE, Frequency.DIGEST, Frequency.NONE],
                                weights=[75, 20, 5])[0]
        email = f"contact{n:04d}@example.com" if rng.random() < 0.4 else ""
        enterprises.append(Enterprise(
            credit_code=make_credit_code(division=street.code[:6], body=f"L{n:07d}"),
            name=name, industry_code=code, size_class=size, division=street,
            headcount=rng.randint(*heads),
            revenue=Decimal(rng.randint(revenue[0] * 100, revenue[1] * 100)) / 100,
            registered_on=registered,
            status=OperatingStatus.OPERATING if rng.random() < 0.95 else rng.choice(
                [OperatingStatus.SUSPENDED, OperatingStatus.MOVED, OperatingStatus.REVOKED,
                 OperatingStatus.CANCELLED]),
            contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            contact_phone=f"139{rng.randint(0, 99_999_999):08d}",
            contact_email=email, notify_inbox=True, notify_sms=rng.random() < 0.7,
            notify_email=bool(email) and rng.random() < 0.6, notify_frequency=frequency))
        holdings.append([name for name, _d, share in QUALIFICATIONS if rng.random() < share])
    created = Enterprise.objects.bulk_create(enterprises, batch_size=1000)
    if any(e.pk is None for e in created):  # backends that return no ids
        ids = dict(Enterprise.objects.filter(
            credit_code__in=[e.credit_code for e in enterprises]).values_list("credit_code", "pk"))
        for e in created:
            e.pk = ids[e.credit_code]
    Through = Enterprise.qualifications.through
    Through.objects.bulk_create([
        Through(enterprise_id=e.pk, qualification_id=qualifications[name].pk)
        for e, held in zip(created, holdings, strict=True) for name in held], batch_size=2000)
    return len(created)


def build_demo_enterprise(qualifications):
    """The demo 企业用户's enterprise, complete, linked to the account."""
    street = Division.objects.get(code="439902001000")  # 江城区解放路街道
    company, created = Enterprise.objects.get_or_create(
        credit_code=DEMO_ENTERPRISE["credit_code"],
        defaults={**DEMO_ENTERPRISE, "division": street})
    if created:
        company.qualifications.set([qualifications[name] for name in DEMO_QUALIFICATIONS])
    user = User.objects.filter(username="enterprise").first()
    if user is not None and not company.users.filter(pk=user.pk).exists():
        company.users.add(user)
    return company


# --- policies and campaigns ----------------------------------------------------------------------


def set_criteria(page, criteria, qualifications):
    for field, value in criteria.items():
        if field in ("audience_divisions", "audience_exclude_divisions"):
            getattr(page, field).set(list(Division.objects.filter(code__in=value)))
        elif field in ("audience_qualifications", "audience_exclude_qualifications"):
            getattr(page, field).set([qualifications[name] for name in value])
        else:
            setattr(page, field, value)


def publish_with_criteria(slug, criteria, qualifications):
    """Give the live policy its criteria in a new revision (a minor change) and take it through
    its sign-off, whose last approval publishes it the normal way (``PolicyPage.publish`` →
    ``page_published`` → the push). Returns the new initial push, or None when the policy is
    missing or already has criteria (a second run)."""
    from enterprises.criteria import has_criteria
    from interpretations.demo import demo_reviewers
    from interpretations.models import PolicyPage
    from interpretations.workflows import sign_off

    page = PolicyPage.objects.live().filter(slug=slug).first()
    if page is None or has_criteria(page) or Push.objects.filter(policy=page).exists():
        return None
    reviewers = demo_reviewers(page)
    draft = page.get_latest_revision_as_object()
    set_criteria(draft, criteria, qualifications)
    draft.change_kind, draft.change_note = PolicyPage.ChangeKind.MINOR, ""
    draft.save_revision(user=reviewers[0])
    sign_off(page, reviewers)
    return Push.objects.filter(policy_id=page.pk, kind=Push.Kind.INITIAL).first()


def run_campaign(campaign, kind, days_ago, keep_unread):
    """Match and send a campaign synchronously. ``finished``: every batch sent, the whole
    campaign moved back ``days_ago`` days with reads spread over the days after. ``running``:
    about half of the SMS and email sent, the rest waiting for a retry of the SMS gateway."""
    push.run(campaign.pk)
    due = list(Delivery.objects.filter(push=campaign, status=Delivery.Status.PENDING)
               .order_by("pk").values_list("pk", flat=True))
    if kind == "running" and due:
        due = due[: len(due) // 2]
    if due:
        push.dispatch(campaign.pk, due[0], due[-1])
    now = timezone.now()
    if kind == "running":
        Delivery.objects.filter(push=campaign, status=Delivery.Status.PENDING).update(
            attempts=1, retry_at=now + timedelta(hours=2),
            error="短信网关流量控制（每分钟发送上限），等待重试")
        Push.objects.filter(pk=campaign.pk).update(heartbeat_at=now)
        push.recount([campaign.pk])
        return
    start = now - timedelta(days=days_ago)
    rows = Delivery.objects.filter(push=campaign)
    rows.update(created_at=start)
    rows.filter(status=Delivery.Status.SENT).update(sent_at=start + timedelta(minutes=3))
    Push.objects.filter(pk=campaign.pk).update(
        created_at=start, matched_at=start + timedelta(seconds=20),
        finished_at=start + timedelta(minutes=6), heartbeat_at=start + timedelta(minutes=6))
    rng = random.Random(SEED + campaign.pk)
    sent = list(rows.filter(status=Delivery.Status.SENT).exclude(enterprise=keep_unread)
                .order_by("pk").values_list("pk", flat=True))
    rng.shuffle(sent)
    readers = sent[: int(len(sent) * 0.45)]
    # Most reads in the first days, fewer later: day d gets a share ∝ 1/(d+1).
    days = max(1, min(days_ago, 10))
    weights = [1 / (d + 1) for d in range(days)]
    total, position = sum(weights), 0
    for d, weight in enumerate(weights):
        share = readers[position: position + round(len(readers) * weight / total)]
        position += len(share)
        for h, part in enumerate((share[0::3], share[1::3], share[2::3])):
            if part:
                Delivery.objects.filter(pk__in=part).update(
                    read_at=start + timedelta(days=d, hours=1 + 4 * h))
    push.recount([campaign.pk])


def build_campaigns(qualifications, keep_unread):
    done = []
    for slug, kind, days_ago, criteria in POLICY_CRITERIA:
        campaign = publish_with_criteria(slug, criteria, qualifications)
        if campaign is not None:
            run_campaign(campaign, kind, days_ago, keep_unread)
            done.append(campaign)
    return done


# --- 免申即享 兑现台账 --------------------------------------------------------------------------------

PAYOUT_POLICY = "wengang-fanhuan-2026"
PAYOUT_SHARE = 0.6  # of the eligible list paid so far


def build_payouts(company):
    """Payouts of the 稳岗返还 policy (免申即享) for part of its eligible list, the demo
    enterprise among them, recorded by the department's 审签人 through the ledger's own checks;
    once. The policy went live when its (backdated) campaign started."""
    from wagtail.models import Page

    from enterprises import payouts
    from enterprises.criteria import matching_enterprises
    from hotline import calendar
    from interpretations.models import PolicyPage

    policy = PolicyPage.objects.live().filter(slug=PAYOUT_POLICY, exempt_application=True).first()
    recorder = User.objects.filter(username="approver").first()
    if policy is None or recorder is None or policy.payouts.exists():
        return 0
    campaign = Push.objects.filter(policy=policy, kind=Push.Kind.INITIAL).first()
    if campaign is not None and policy.first_published_at > campaign.created_at:
        Page.objects.filter(pk=policy.pk).update(first_published_at=campaign.created_at)
        policy.first_published_at = campaign.created_at
    first, today = timezone.localdate(policy.first_published_at), timezone.localdate()
    workdays = [first + timedelta(days=n) for n in range((today - first).days + 1)
                if calendar.is_workday(first + timedelta(days=n))] or [today]
    rng = random.Random(SEED + 60)
    eligible = list(matching_enterprises(policy).order_by("credit_code").values_list(
        "pk", "credit_code", "headcount", "size_class"))
    rows = []
    for pk, code, headcount, size in eligible:
        if pk != company.pk and rng.random() >= PAYOUT_SHARE:
            continue
        # 稳岗返还: 60 % (大型企业 30 %) of last year's unemployment insurance, about 240 元 a head.
        rate = 72 if size == SizeClass.LARGE else 144
        amount = Decimal(max(1, headcount or 1) * rate) + Decimal(rng.randint(0, 99)) / 100
        rows.append(payouts.Row(None, code, str(amount), rng.choice(workdays).isoformat(),
                                f"LJRS-WG-{len(rows) + 1:06d}"))
    return payouts.record(policy, recorder, rows).created


# --- 企业诉求 and 线下帮办 -------------------------------------------------------------------------


def build_requests(company, categories):
    """A few requests of the demo enterprise in different states, one with 线下帮办 visits,
    plus another enterprise's request whose follow-up is overdue."""
    from hotline.models import Channel, Ticket
    from hotline.workflows import perform
    from interpretations.models import PolicyPage

    if Ticket.objects.filter(enterprise_credit_code=company.credit_code,
                             channel=Channel.ENTERPRISE).exists():
        return 0
    dispatcher = User.objects.filter(username="dispatcher").first()
    handler = User.objects.filter(username="handler").first()  # 市人社局
    if dispatcher is None or handler is None:
        return 0
    hrss = handler.organisation
    today = timezone.localdate()
    wengang = PolicyPage.objects.live().filter(slug="wengang-fanhuan-2026").first()

    def file(enterprise, category, subject, content, policy=None):
        return services.file_request(
            enterprise, subject=subject, content=content, category=categories[category],
            contact_name=enterprise.contact_name, contact_phone=enterprise.contact_phone,
            policy=policy)

    answered = file(company, "惠企政策", "稳岗返还资金到账时间",
                    "收到稳岗返还政策推送，请问我公司符合条件的返还资金大概什么时候到账？是否需要提交材料？",
                    policy=wengang)
    for action, user, data in [
            ("dispatch", dispatcher, {"lead": hrss}), ("sign", handler, {}),
            ("reply", handler, {"reply": "经比对，贵公司符合稳岗返还条件，返还资金已进入公示，"
                                         "公示期满后 5 个工作日内拨付至对公账户，无需提交材料。"}),
            ("approve_reply", dispatcher, {})]:
        answered = perform(answered, action, user, **data)

    helped = file(company, "用工服务", "招聘高技能人才困难",
                  "公司扩产急需数控、电工等高技能人才约 30 名，自行招聘效果不好，希望对接职业院校和招聘会。")
    helped = perform(helped, "dispatch", dispatcher, lead=hrss)
    helped = perform(helped, "sign", handler)
    assistance = services.assign_helper(helped, handler, dispatcher,
                                        follow_up_on=today + timedelta(days=5))
    Assistance.objects.filter(pk=assistance.pk).update(
        created_at=timezone.now() - timedelta(days=12))
    services.record_visit(assistance, handler, visited_on=today - timedelta(days=10),
                          people="市人社局 郭伟；企业 人事经理 梁思远",
                          outcome="上门了解用工缺口：数控操作工 20 名、电工 10 名；介绍职业院校订单培养和以工代训补贴。")
    services.record_visit(assistance, handler, visited_on=today - timedelta(days=3),
                          people="市人社局 郭伟；临江技师学院 招就处；企业 梁思远",
                          outcome="促成企业与临江技师学院签订订单培养协议，首批 15 名学员下月进厂实习。")

    file(company, "登记信息更正", "登记的从业人数有误",
         "企业档案中登记的从业人数与社保参保人数不一致，申请按最新参保数据更正。")

    other = Enterprise.objects.exclude(pk=company.pk).filter(
        status=OperatingStatus.OPERATING, size_class=SizeClass.SMALL).order_by("pk").first()
    if other is not None:
        overdue = file(other, "用工服务", "员工社保补缴咨询",
                       "公司有 3 名员工前几个月社保断缴，想了解补缴流程和是否影响稳岗返还。")
        overdue = perform(overdue, "dispatch", dispatcher, lead=hrss)
        overdue = perform(overdue, "sign", handler)
        late = services.assign_helper(overdue, handler, dispatcher)
        services.record_visit(late, handler, visited_on=today - timedelta(days=6),
                              people="市人社局 郭伟；企业 财务负责人",
                              outcome="现场讲解补缴流程，企业需补齐断缴月份工资流水后再次核对。")
        Assistance.objects.filter(pk=late.pk).update(follow_up_on=today - timedelta(days=2))
    return Ticket.objects.filter(channel=Channel.ENTERPRISE).count()


@transaction.atomic
def build(stdout=None):
    # The reference table comes with a data migration, but a database emptied since (a test
    # flush) has none: load it again (rows already there are kept).
    industries.load_reference_data()
    qualifications = build_qualifications()
    categories = build_categories()
    created = build_enterprises(qualifications)
    company = build_demo_enterprise(qualifications)
    campaigns = build_campaigns(qualifications, keep_unread=company)
    requests = build_requests(company, categories)
    paid = build_payouts(company)
    if stdout is not None:
        stdout.write(f"  企业：{Enterprise.objects.count()} 家（本次新建 {created} 家）；"
                     f"推送：{len(campaigns)} 个政策新建推送；企业诉求：{requests} 件；"
                     f"免申即享兑现：本次登记 {paid} 家")
        stdout.write(f"  企业门户：用户 enterprise 关联「{company.name}」，登录后进入 /enterprise/")
