"""Demo data: a believable city with its divisions, organisations, users and site sections.

``manage.py load_demo`` runs ``build`` here and then the ``demo.build`` of every other app that
has one, in INSTALLED_APPS order. Every step is keyed on natural keys, so running it twice
changes nothing.
"""

import functools

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from wagtail.models import Locale, Page, Site

from core import roles, routes
from core.models import Division, HomePage, Organisation, StandardPage, User

DEMO_PASSWORD = "Demo@2026"
CITY = ("439900000000", "临江市")
DISTRICTS = [
    ("439902", "江城区", ["解放路街道", "滨江街道", "望月湖街道"]),
    ("439903", "临湖区", ["湖心街道", "荷花园街道", "渔湾镇"]),
    ("439904", "东岸区", ["东风街道", "新港街道", "白沙洲街道"]),
    ("439905", "西山区", ["西山街道", "枫林街道", "岳峰镇"]),
    ("439911", "北塘区", ["北塘街道", "铁路新村街道", "长岭镇"]),
    ("439912", "南浦区", ["南浦街道", "金桥街道", "黄花镇"]),
    ("439921", "青溪县", ["青溪镇", "石门乡", "桃源镇"]),
    ("439922", "白石县", ["白石镇", "龙潭镇", "马鞍乡"]),
    ("439981", "云岭市", ["云岭街道", "茶山街道", "高桥镇"]),
]
VILLAGE_NAMES = ["第一社区", "第二社区", "新村"]
DEPARTMENTS = [
    ("临江市人民政府办公室", "市政府办公室", "王建国"),
    ("临江市发展和改革委员会", "市发展改革委", "李明"),
    ("临江市教育局", "市教育局", "张丽华"),
    ("临江市科学技术局", "市科技局", "陈志强"),
    ("临江市工业和信息化局", "市工信局", "刘洋"),
    ("临江市公安局", "市公安局", "赵刚"),
    ("临江市民政局", "市民政局", "孙秀英"),
    ("临江市司法局", "市司法局", "周文"),
    ("临江市财政局", "市财政局", "吴敏"),
    ("临江市人力资源和社会保障局", "市人社局", "郑海涛"),
    ("临江市自然资源和规划局", "市自然资源规划局", "冯磊"),
    ("临江市生态环境局", "市生态环境局", "褚红"),
    ("临江市住房和城乡建设局", "市住建局", "卫东"),
    ("临江市交通运输局", "市交通运输局", "蒋平"),
    ("临江市水利局", "市水利局", "沈涛"),
    ("临江市农业农村局", "市农业农村局", "韩梅"),
    ("临江市商务局", "市商务局", "杨帆"),
    ("临江市文化旅游广电局", "市文旅广电局", "朱琳"),
    ("临江市卫生健康委员会", "市卫生健康委", "秦岭"),
    ("临江市退役军人事务局", "市退役军人局", "尤勇"),
    ("临江市应急管理局", "市应急局", "许峰"),
    ("临江市市场监督管理局", "市市场监管局", "何静"),
    ("临江市医疗保障局", "市医保局", "吕方"),
    ("临江市城市管理综合执法局", "市城管执法局", "施展"),
    ("临江市政务服务数据管理局", "市政务服务数据局", "张帆"),
    ("临江市税务局", "市税务局", "孔祥"),
    ("临江市住房公积金管理中心", "市公积金中心", "曹睿"),
]
HOTLINE_CENTRE = ("临江市12345政务服务便民热线服务中心", "12345热线中心", "严明")
VILLAGE_COMMITTEES = [("439921001001", "青溪镇第一社区居民委员会"), ("439922002003", "龙潭镇新村村民委员会")]

USERS = [
    # username, family name, given name, role, organisation short name, phone
    ("editor", "林", "晓", roles.EDITOR, "市人社局", "13800000001"),
    ("approver", "黄", "振华", roles.APPROVER, "市人社局", "13800000002"),
    ("legal", "钱", "法明", roles.LEGALITY_REVIEWER, "市司法局", "13800000008"),
    ("office", "孙", "文博", roles.OFFICE_REVIEWER, "市政府办公室", "13800000009"),
    ("dispatcher", "许", "丽", roles.DISPATCHER, "12345热线中心", "13800000003"),
    ("handler", "郭", "伟", roles.HANDLER, "市人社局", "13800000004"),
    ("handler_district", "马", "超", roles.HANDLER, "江城区人民政府", "13800000005"),
    ("supervisor", "罗", "志明", roles.SUPERVISOR, "市政府办公室", "13800000006"),
    ("enterprise", "梁", "思远", roles.ENTERPRISE, None, "13800000007"),
]

SECTIONS = [
    # slug, title, home-page description
    ("policies", "政策文件", "查阅本市现行有效的政策文件"),
    ("interpretations", "政策解读", "图解、问答、视频，读懂政策"),
    ("hotline", "12345 诉求", "提交诉求、查询办理进度"),
    ("ratings", "好差评", "评价政务服务，查看评价结果"),
    ("openness", "政务公开", "基层政务公开事项标准目录"),
]
ROUTE_ENTRIES = [
    # route name, title, home-page description: site functions that are not pages
    ("enterprises:calculator", "政策计算器", "回答几个问题，看看企业能享受哪些惠企政策"),
    ("enterprises:dashboard", "企业服务", "企业登录：政策推送、可享政策、企业诉求"),
]


def build_divisions():
    city, _ = Division.objects.update_or_create(
        code=CITY[0], defaults={"name": CITY[1], "level": Division.Level.CITY, "parent": None}
    )
    for county_code, county_name, towns in DISTRICTS:
        county, _ = Division.objects.update_or_create(
            code=f"{county_code}000000",
            defaults={"name": county_name, "level": Division.Level.COUNTY, "parent": city},
        )
        for t, town_name in enumerate(towns, start=1):
            town, _ = Division.objects.update_or_create(
                code=f"{county_code}{t:03d}000",
                defaults={"name": town_name, "level": Division.Level.TOWNSHIP, "parent": county},
            )
            for v, suffix in enumerate(VILLAGE_NAMES, start=1):
                village_name = town_name[:-2] + suffix if town_name.endswith("街道") else (
                    town_name[:-1] + suffix)
                Division.objects.update_or_create(
                    code=f"{county_code}{t:03d}{v:03d}",
                    defaults={"name": village_name, "level": Division.Level.VILLAGE,
                              "parent": town},
                )
    return city


def org(name, short, kind, division, parent, principal=""):
    obj, _ = Organisation.objects.update_or_create(
        name=name,
        defaults={"short_name": short, "kind": kind, "division": division, "parent": parent,
                  "principal": principal},
    )
    return obj


def build_organisations(city):
    K = Organisation.Kind
    government = org("临江市人民政府", "市政府", K.GOVERNMENT, city, None, "周正")
    for name, short, principal in DEPARTMENTS:
        org(name, short, K.DEPARTMENT, city, government, principal)
    org(HOTLINE_CENTRE[0], HOTLINE_CENTRE[1], K.HOTLINE, city, government, HOTLINE_CENTRE[2])
    for county_code, county_name, towns in DISTRICTS:
        county = Division.objects.get(code=f"{county_code}000000")
        district_gov = org(f"{county_name}人民政府", f"{county_name}人民政府", K.GOVERNMENT, county,
                           government)
        for t, town_name in enumerate(towns, start=1):
            town = Division.objects.get(code=f"{county_code}{t:03d}000")
            office = f"{county_name}{town_name}办事处" if town_name.endswith("街道") else (
                f"{county_name}{town_name}人民政府")
            org(office, town_name, K.STREET_OFFICE, town, district_gov)
    for code, name in VILLAGE_COMMITTEES:
        village = Division.objects.get(code=code)
        parent = Organisation.objects.get(division=village.parent, kind=K.STREET_OFFICE)
        org(name, village.name, K.VILLAGE_COMMITTEE, village, parent)


@functools.cache
def demo_password_hash():
    """The demo password hashed once: every demo account shares it, and hashing it per account
    costs a second each."""
    return make_password(DEMO_PASSWORD)


def build_users():
    groups = roles.ensure_roles()
    created = []
    admin, is_new = User.objects.get_or_create(
        username="admin", defaults={"is_superuser": True, "is_staff": True, "last_name": "系统",
                                    "first_name": "管理员"}
    )
    if is_new:
        admin.password = demo_password_hash()
        admin.save()
    created.append(("admin", "超级管理员", "—"))
    for username, family, given, role, org_short, phone in USERS:
        organisation = Organisation.objects.get(short_name=org_short) if org_short else None
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={"last_name": family, "first_name": given, "organisation": organisation,
                      "phone": phone, "email": f"{username}@example.gov.cn"},
        )
        if is_new:
            user.password = demo_password_hash()
            user.save()
        user.groups.add(groups[role])
        created.append((username, role, str(organisation) if organisation else "—"))
    return created


def ensure_section(slug, title, page_class=StandardPage, **fields):
    """The page at /<slug>/ under the home page, of ``page_class``.

    A placeholder of another type at that slug is replaced, so a later app can take over a
    section that the foundation demo created. Returns the page.
    """
    home = get_home()
    existing = home.get_children().filter(slug=slug).first()
    if existing is not None:
        if isinstance(existing.specific, page_class):
            return existing.specific
        existing.delete()
        home.refresh_from_db()
    page = page_class(title=title, slug=slug, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


SECTION_INTRO = {
    "policies": "本栏目集中发布本市政策文件，注明发文字号、发布日期、施行日期和有效性。",
    "interpretations": "本栏目发布与政策文件同步审签、同步上线的政策解读材料。",
    "hotline": "12345 政务服务便民热线：诉求受理、派单办理、结果反馈全流程闭环。",
    "ratings": "政务服务“好差评”：一次一评、一事一评，每个差评都得到整改。",
    "openness": "按照基层政务公开事项标准目录，公开 26 个试点领域的政务信息。",
}


def get_home():
    """The site's home page; created under the tree root if a flushed database lost it."""
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=HomePage(title="政策通", slug="home"))
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
    return home


def build_site():
    home = get_home()
    entries = []
    for slug, title, description in SECTIONS:
        existing = home.get_children().filter(slug=slug).first()
        page = existing.specific if existing else ensure_section(
            slug, title, intro=SECTION_INTRO[slug])
        entries.append(("entry", {"title": title, "description": description, "page": page,
                                  "route": "", "url": ""}))
    for route, title, description in ROUTE_ENTRIES:
        if routes.link_url(route):
            entries.append(("entry", {"title": title, "description": description, "page": None,
                                      "route": route, "url": ""}))
    home = HomePage.objects.get()
    title, intro = "临江市政策通", "政策文件与解读同步发布；12345 诉求、好差评一站办理。"
    if (home.title, home.intro) != (title, intro) or not home_entries_unchanged(home, entries):
        home.title, home.intro, home.entries = title, intro, entries
        home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    if site.site_name != "临江市政策通" or site.root_page_id != home.pk:
        site.site_name = "临江市政策通"
        site.root_page = home
        site.save()


def home_entries_unchanged(home, entries):
    def key(value):
        return (value["title"], value["description"], getattr(value["page"], "pk", None),
                value.get("route") or "", value["url"])

    return [key(b.value) for b in home.entries] == [key(e[1]) for e in entries]


@transaction.atomic
def build(stdout=None):
    city = build_divisions()
    build_organisations(city)
    accounts = build_users()
    build_site()
    return accounts

