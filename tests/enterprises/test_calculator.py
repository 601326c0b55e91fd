"""政策计算器: a visitor's short form and a logged-in enterprise's own list, with the reasons."""

import pytest
from django.core.cache import cache

from core import roles
from tests.enterprises.support import make_enterprise, qualifications

URL = "/policies/calculator/"
MINE = "/enterprise/policies/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quals(db):
    return qualifications()


@pytest.fixture
def policies(make_policy, city, quals):
    district = city["divisions"]["district"]
    return {
        "software": make_policy(publish=True, title="软件企业研发费用补贴",
                                audience_industries=["I65"], audience_sizes=["small", "micro"]),
        "hightech": make_policy(publish=True, title="高新技术企业奖励", exempt_application=True,
                                audience_industries=["C", "I"], audience_divisions=[district],
                                audience_qualifications=[quals["高新技术企业"]]),
        "large": make_policy(publish=True, title="大型企业技改专项",
                             audience_sizes=["large"], audience_headcount_min=300),
        "draft": make_policy(publish=False, title="未发布的软件政策", audience_industries=["I"]),
    }


def ask(client, **answers):
    return client.get(URL, {"check": "1", **answers})


def titles(rows):
    return [row["policy"].title for row in rows]


def test_the_form_is_public_and_in_chinese(client, policies):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "政策计算器" in page and "查看可享政策" in page
    assert "39 计算机、通信和其他电子设备制造业" in page  # 大类 grouped under their 门类
    assert "高新技术企业" in page
    assert "符合条件的政策" not in page  # no results before answering


def test_a_visitor_sees_matching_and_possible_policies_with_reasons(client, city, policies,
                                                                     quals):
    response = ask(client, division_code="I65", size_class="micro",
                   division=city["divisions"]["street"].pk,
                   qualifications=[quals["高新技术企业"].pk])
    assert response.status_code == 200
    assert titles(response.context["matched"]) == ["高新技术企业奖励", "软件企业研发费用补贴"]
    assert response.context["maybe"] == []
    page = response.content.decode()
    assert "软件和信息技术服务业（65）" in page
    assert "江城区解放路街道，属于 江城区" in page
    assert "免申即享" in page
    assert "大型企业技改专项" not in page  # size known and not large
    assert "未发布的软件政策" not in page


def test_unanswered_questions_make_a_policy_to_verify(client, policies):
    response = ask(client, section="I")
    matched, maybe = response.context["matched"], response.context["maybe"]
    assert matched == []
    # 高新技术企业奖励 needs a qualification the visitor did not tick: not offered at all.
    assert titles(maybe) == ["大型企业技改专项", "软件企业研发费用补贴"]
    software = maybe[1]["explanation"]
    assert [str(r) for r in software.reasons] == [
        "行业：信息传输、软件和信息技术服务业（I），适用行业为 软件和信息技术服务业（65），请核实具体行业 — 待核实",
        "规模：未填写规模；适用规模：小型、微型 — 待核实",
    ]
    assert "可能符合、需核实的政策（2 项）" in response.content.decode()


def test_an_industry_code_typed_in_wins_and_bad_codes_are_refused(client, policies):
    response = ask(client, section="C", industry_code="6511", size_class="small")
    assert "软件企业研发费用补贴" in titles(response.context["matched"])
    response = ask(client, industry_code="98")
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有大类“98”：GB/T 4754-2017 的大类为 01 至 97。" in page
    assert "matched" not in response.context
    response = ask(client, section="C", division_code="I65")
    assert "所选大类不属于所选门类，请重新选择。" in response.content.decode()
    response = ask(client, headcount="-3", registered_on="2099-01-01")
    page = response.content.decode()
    assert "从业人数不能为负数。" in page and "成立日期不能晚于今天。" in page


def test_the_calculator_is_rate_limited(client, policies, settings):
    settings.ENTERPRISE_CALCULATOR_LIMIT = 2
    assert ask(client, section="C").status_code == 200
    assert ask(client, section="C").status_code == 200
    response = ask(client, section="C")
    assert response.status_code == 429
    assert "查询过于频繁，请稍后再试。" in response.content.decode()
    assert client.get(URL).status_code == 200  # the empty form is not counted


def test_an_enterprise_sees_its_own_policies_from_its_profile(client, city, policies, quals,
                                                              make_user):
    company = make_enterprise(city["divisions"]["street"], industry_code="I6513",
                              size_class="small", quals=[quals["高新技术企业"]])
    user = make_user(roles.ENTERPRISE, username="company")
    company.users.add(user)
    client.force_login(user)
    response = client.get(MINE)
    assert response.status_code == 200
    assert sorted(titles(response.context["matched"])) == ["软件企业研发费用补贴", "高新技术企业奖励"]
    page = response.content.decode()
    assert "应用软件开发（6513），属于 软件和信息技术服务业（65）" in page
    assert 'aria-current="page"' in page and "可享政策" in page
    assert "待核实" not in page  # a profile has no unknowns
    # The profile changes, so does the list.
    company.size_class = "large"
    company.headcount = 500
    company.save()
    response = client.get(MINE)
    assert sorted(titles(response.context["matched"])) == ["大型企业技改专项", "高新技术企业奖励"]


def test_my_policies_needs_an_enterprise_login(client, make_user, city):
    response = client.get(MINE)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(make_user(roles.HANDLER, city["orgs"]["hrss"]))
    assert client.get(MINE).status_code == 403


def test_expired_policies_are_not_offered(client, policies):
    policies["software"].validity = "expired"
    policies["software"].save()
    response = ask(client, division_code="I65", size_class="micro")
    assert "软件企业研发费用补贴" not in response.content.decode()
