"""Criteria semantics: who a policy is for, in the database and in the explanation."""

import datetime
import random
from decimal import Decimal

import pytest

from core.models import Division
from enterprises import criteria
from enterprises.criteria import Profile, explain, has_criteria, matching_enterprises, summary
from tests.enterprises.support import criteria_policy, make_enterprise, qualifications

TODAY = datetime.date(2028, 2, 29)  # a leap day: anniversaries fall on 28 February elsewhere


@pytest.fixture
def places(city):
    d = city["divisions"]
    village = Division.objects.get(code="439902001001")
    other_street = Division.objects.create(code="439903002000", name="湖滨街道",
                                           level=Division.Level.TOWNSHIP, parent=d["other"])
    return {**d, "village": village, "other_street": other_street}


@pytest.fixture
def quals(db):
    return qualifications()


def matched(policy, today=TODAY):
    return set(matching_enterprises(policy, today).values_list("pk", flat=True))


# --- semantics on edge cases ---------------------------------------------------------------------


def test_industry_codes_match_by_prefix_at_every_level(places):
    street = places["street"]
    e = {code: make_enterprise(street, industry_code=code)
         for code in ["C", "C39", "C391", "C3911", "C3912", "C3811", "I6511"]}
    for wanted, expected in [
        (["C"], {"C", "C39", "C391", "C3911", "C3912", "C3811"}),
        (["C39"], {"C39", "C391", "C3911", "C3912"}),
        (["39"], {"C39", "C391", "C3911", "C3912"}),  # a bare 大类 number is read as C39
        (["c391"], {"C391", "C3911", "C3912"}),
        (["3911"], {"C3911"}),
        (["C3911", "I65"], {"C3911", "I6511"}),
    ]:
        policy = criteria_policy(audience_industries=wanted)
        assert matched(policy) == {e[c].pk for c in expected}, wanted


def test_division_includes_its_streets_and_communities_only(places):
    p = places
    inside = [make_enterprise(p["district"]), make_enterprise(p["street"]),
              make_enterprise(p["village"])]
    outside = [make_enterprise(p["other"]), make_enterprise(p["other_street"]),
               make_enterprise(p["city"])]
    assert matched(criteria_policy(divisions=[p["district"]])) == {x.pk for x in inside}
    assert matched(criteria_policy(divisions=[p["street"], p["other"]])) == {
        inside[1].pk, inside[2].pk, outside[0].pk, outside[1].pk}
    # The city contains everything.
    assert matched(criteria_policy(divisions=[p["city"]])) == {x.pk for x in inside + outside}


def test_qualifications_any_or_all(places, quals):
    high, srdi = quals["高新技术企业"], quals["专精特新中小企业"]
    both = make_enterprise(places["street"], quals=[high, srdi])
    only_high = make_enterprise(places["street"], quals=[high])
    only_srdi = make_enterprise(places["street"], quals=[srdi])
    make_enterprise(places["street"])
    any_policy = criteria_policy(qualifications=[high, srdi])
    all_policy = criteria_policy(qualifications=[high, srdi], audience_qualification_mode="all")
    assert matched(any_policy) == {both.pk, only_high.pk, only_srdi.pk}
    assert matched(all_policy) == {both.pk}
    reason = explain(all_policy, only_high, TODAY).reasons[0]
    assert str(reason) == "资质：尚不具备 专精特新中小企业（须全部具备 专精特新中小企业、高新技术企业） — 不符合"


def test_ranges_are_inclusive_and_missing_values_do_not_satisfy(places):
    s = places["street"]
    at_low = make_enterprise(s, headcount=10, revenue=Decimal("500.00"))
    at_high = make_enterprise(s, headcount=100, revenue=Decimal("2000"))
    below = make_enterprise(s, headcount=9, revenue=Decimal("499.99"))
    above = make_enterprise(s, headcount=101, revenue=Decimal("2000.01"))
    unknown = make_enterprise(s, headcount=None, revenue=None)
    policy = criteria_policy(audience_headcount_min=10, audience_headcount_max=100)
    assert matched(policy) == {at_low.pk, at_high.pk}
    policy = criteria_policy(audience_revenue_min=Decimal("500"), audience_revenue_max=2000)
    assert matched(policy) == {at_low.pk, at_high.pk}
    policy = criteria_policy(audience_headcount_max=100)
    assert matched(policy) == {at_low.pk, at_high.pk, below.pk}
    assert str(explain(policy, unknown, TODAY).reasons[0]) == "从业人数：未登记；要求不超过100人 — 不符合"
    assert above.pk not in matched(criteria_policy(audience_revenue_max=2000))


def test_years_since_registration_counts_whole_years(places):
    s = places["street"]
    # On 2028-02-29: three whole years are completed by those registered on or before
    # 2025-02-28 (the anniversary of a day that 2025 does not have falls on the 28th).
    three = make_enterprise(s, registered_on=datetime.date(2025, 2, 28))
    not_yet_three = make_enterprise(s, registered_on=datetime.date(2025, 3, 1))
    leap_born = make_enterprise(s, registered_on=datetime.date(2024, 2, 29))  # exactly 4 years
    ten = make_enterprise(s, registered_on=datetime.date(2017, 3, 1))  # 10 years, 11 months
    eleven = make_enterprise(s, registered_on=datetime.date(2017, 2, 28))  # exactly 11 years
    policy = criteria_policy(audience_age_min=3)
    assert matched(policy) == {three.pk, leap_born.pk, ten.pk, eleven.pk}
    policy = criteria_policy(audience_age_min=3, audience_age_max=10)
    assert matched(policy) == {three.pk, leap_born.pk, ten.pk}
    policy = criteria_policy(audience_age_max=3)
    assert matched(policy) == {three.pk, not_yet_three.pk}
    reason = explain(criteria_policy(audience_age_min=3), not_yet_three, TODAY).reasons[0]
    assert str(reason) == "成立年限：成立于2025-03-01，已满2年，要求不少于3年 — 不符合"


def test_exclusions_win_over_everything(places, quals):
    s = places["street"]
    blacklisted = quals["失信被执行人"]
    kept = make_enterprise(s, industry_code="C3912")
    excluded_industry = make_enterprise(s, industry_code="C3911")
    excluded_division = make_enterprise(places["village"], industry_code="C3912")
    excluded_qualification = make_enterprise(s, industry_code="C3912", quals=[blacklisted])
    policy = criteria_policy(audience_industries=["C39"], audience_exclude_industries=["3911"],
                             exclude_divisions=[places["village"]],
                             exclude_qualifications=[blacklisted])
    assert matched(policy) == {kept.pk}
    assert not explain(policy, excluded_industry, TODAY).matched
    assert [str(r) for r in explain(policy, excluded_qualification, TODAY).unmet] == [
        "排除情形：属于 失信被执行人 — 不符合"]
    assert explain(policy, excluded_division, TODAY).matched is False
    # Exclusions alone are criteria too: every operating enterprise except those.
    only_exclusion = criteria_policy(exclude_qualifications=[blacklisted])
    assert has_criteria(only_exclusion)
    assert matched(only_exclusion) == {kept.pk, excluded_industry.pk, excluded_division.pk}
    assert summary(only_exclusion) == "本市在营企业（不含 失信被执行人）"
    assert summary(policy) == ("行业：计算机、通信和其他电子设备制造业（39）（不含 计算机整机制造（3911）、"
                               "江城区解放路街道解放路第一社区、失信被执行人）")


def test_only_operating_enterprises_match(places):
    operating = make_enterprise(places["street"])
    closed = [make_enterprise(places["street"], status=status)
              for status in ["suspended", "moved", "revoked", "cancelled"]]
    policy = criteria_policy(audience_industries=["C"])
    assert matched(policy) == {operating.pk}
    explanation = explain(policy, closed[-1], TODAY)
    assert explanation.matched is False
    assert "经营状态：注销 — 不符合" in [str(r) for r in explanation.reasons]


def test_a_policy_without_criteria_matches_nobody(places):
    make_enterprise(places["street"])
    policy = criteria_policy(audience_qualification_mode="all")
    assert not has_criteria(policy)
    assert matching_enterprises(policy).count() == 0
    assert summary(policy) == ""


def test_reasons_read_as_chinese_sentences(places, quals):
    policy = criteria_policy(audience_industries=["C", "I65"], audience_sizes=["small", "micro"],
                             divisions=[places["district"]],
                             qualifications=[quals["高新技术企业"]])
    e = make_enterprise(places["street"], industry_code="C3911", size_class="small",
                        quals=[quals["高新技术企业"]])
    explanation = explain(policy, e, TODAY)
    assert explanation.matched is True
    assert [str(r) for r in explanation.reasons] == [
        "行业：计算机整机制造（3911），属于 制造业（C） — 符合",
        "规模：小型 — 符合",
        "区域：江城区解放路街道，属于 江城区 — 符合",
        "资质：具备 高新技术企业 — 符合",
    ]
    other = make_enterprise(places["other"], industry_code="F5211", size_class="large")
    assert [str(r) for r in explain(policy, other, TODAY).unmet] == [
        "行业：百货零售（5211），不在适用行业（制造业（C）、软件和信息技术服务业（65））内 — 不符合",
        "规模：大型，适用规模为 小型、微型 — 不符合",
        "区域：临湖区，不在适用区域（江城区）内 — 不符合",
        "资质：不具备 高新技术企业 — 不符合",
    ]
    assert summary(policy) == ("行业：制造业（C）、软件和信息技术服务业（65）；规模：小型、微型企业；"
                               "区域：江城区；须具备 高新技术企业")


def test_a_visitor_profile_with_unknowns_may_match(places, quals):
    policy = criteria_policy(audience_industries=["C39"], audience_sizes=["small"],
                             audience_headcount_max=300)
    unknown = explain(policy, Profile(industry_code="C3911"), TODAY)
    assert unknown.matched is None
    assert [str(r) for r in unknown.pending] == ["规模：未填写规模；适用规模：小型 — 待核实",
                                                 "从业人数：未填写；要求不超过300人 — 待核实"]
    # A known failing answer settles it whatever is unknown.
    assert explain(policy, Profile(industry_code="F52"), TODAY).matched is False
    full = Profile(industry_code="C3911", size_class="small", headcount=300)
    assert explain(policy, full, TODAY).matched is True
    # Qualifications may be given by name.
    policy = criteria_policy(qualifications=[quals["高新技术企业"]])
    assert explain(policy, Profile(qualifications={"高新技术企业"}), TODAY).matched is True
    assert explain(policy, Profile(qualifications=set()), TODAY).matched is False


# --- the database filter and the explanation agree -----------------------------------------------

INDUSTRIES = ["C", "C39", "C391", "C3911", "C3912", "C3811", "C2710", "I65", "I6511", "I6531",
              "F5211", "A0111", "H6210"]
ANNIVERSARIES = [datetime.date(2025, 2, 28), datetime.date(2025, 3, 1), datetime.date(2024, 2, 29),
                 datetime.date(2018, 2, 28), datetime.date(2018, 3, 1), datetime.date(2017, 2, 28),
                 datetime.date(2028, 2, 29), datetime.date(2027, 3, 1)]


@pytest.fixture
def population(places, quals):
    rng = random.Random(4754)
    divisions = [places[k] for k in ("city", "district", "street", "village", "other",
                                     "other_street")]
    qual_list = list(quals.values())
    enterprises = []
    for _ in range(160):
        enterprises.append(make_enterprise(
            rng.choice(divisions),
            industry_code=rng.choice(INDUSTRIES),
            size_class=rng.choice(["large", "medium", "small", "micro"]),
            headcount=rng.choice([None, 0, 9, 10, 11, 99, 100, 101, 500]),
            revenue=rng.choice([None, Decimal("0"), Decimal("499.99"), Decimal("500"),
                                Decimal("2000"), Decimal("2000.01"), Decimal("88000")]),
            registered_on=rng.choice(ANNIVERSARIES),
            status=rng.choice(["operating"] * 6 + ["cancelled", "suspended"]),
            quals=rng.sample(qual_list, rng.choice([0, 0, 1, 1, 2, 3])),
        ))
    return enterprises


def policies(places, quals):
    q = quals
    return [
        criteria_policy(audience_industries=["C39"]),
        criteria_policy(audience_industries=["C", "I65"], audience_sizes=["small", "micro"],
                        divisions=[places["district"]], qualifications=[q["高新技术企业"]]),
        criteria_policy(qualifications=[q["高新技术企业"], q["专精特新中小企业"]],
                        audience_qualification_mode="all"),
        criteria_policy(qualifications=[q["高新技术企业"], q["科技型中小企业"]]),
        criteria_policy(audience_headcount_min=10, audience_headcount_max=100,
                        audience_revenue_min=Decimal("500")),
        criteria_policy(audience_revenue_max=Decimal("2000")),
        criteria_policy(audience_age_min=3, audience_age_max=10),
        criteria_policy(audience_age_max=0, audience_sizes=["micro", "small"]),
        criteria_policy(audience_industries=["3911", "I6511", "A01"],
                        audience_exclude_industries=["C3911"],
                        exclude_divisions=[places["street"]],
                        exclude_qualifications=[q["失信被执行人"]]),
        criteria_policy(divisions=[places["street"], places["other"]],
                        audience_exclude_industries=["I"]),
        criteria_policy(exclude_qualifications=[q["失信被执行人"]]),
        criteria_policy(divisions=[places["city"]], exclude_divisions=[places["other_street"]],
                        audience_headcount_min=11, audience_age_min=10),
    ]


def test_explanation_agrees_with_database_matching(population, places, quals):
    for today in (TODAY, datetime.date(2028, 3, 1), datetime.date(2027, 2, 28)):
        for n, policy in enumerate(policies(places, quals)):
            in_db = matched(policy, today)
            explained = {}
            for enterprise in population:
                explanation = explain(policy, enterprise, today)
                assert explanation.matched in (True, False)  # nothing unknown for a record
                explained[enterprise.pk] = explanation.matched
            assert in_db == {pk for pk, ok in explained.items() if ok}, (today, n)
            assert 0 < len(in_db) < len(population), (today, n)  # the case discriminates


def test_matching_is_one_query_and_gives_an_id_subquery(population, places, quals,
                                                        django_assert_num_queries):
    policy = policies(places, quals)[1]
    c = criteria.Criteria.of(policy)  # reads the many-to-many fields once
    with django_assert_num_queries(1):
        ids = list(criteria.matching_ids(c, TODAY))
    assert {row["pk"] for row in ids} == matched(policy)
    sql = str(criteria.matching_ids(c, TODAY).query)
    assert "ORDER BY" not in sql


# --- current policies for an enterprise ----------------------------------------------------------


def test_policies_for_lists_current_live_policies_that_match(places, quals, make_policy):
    e = make_enterprise(places["street"], industry_code="I6511", size_class="micro")
    make_policy(publish=True, title="软件企业扶持", audience_industries=["I65"])
    make_policy(publish=True, title="制造业专项", audience_industries=["C"])
    make_policy(publish=False, title="未发布的软件政策", audience_industries=["I"])
    make_policy(publish=True, title="没有条件的政策")
    repealed = make_policy(publish=True, title="已废止的软件政策", audience_industries=["I"])
    repealed.validity = "expired"
    repealed.save()
    found = criteria.policies_for(e)
    assert [(p.title, x.matched) for p, x in found] == [("软件企业扶持", True)]
    assert str(found[0][1].reasons[0]) == "行业：基础软件开发（6511），属于 软件和信息技术服务业（65） — 符合"
    # A visitor who gave only a size: both industry policies may apply, to be verified.
    maybe = criteria.policies_for(Profile(size_class="micro"))
    assert sorted(p.title for p, x in maybe if x.matched is None) == ["制造业专项", "软件企业扶持"]



def test_criteria_are_read_from_a_draft_revision_too(places, quals, make_policy):
    inside = make_enterprise(places["village"], quals=[quals["高新技术企业"]])
    make_enterprise(places["other"], quals=[quals["高新技术企业"]])
    page = make_policy(publish=True, title="区级政策")
    page.audience_divisions = [places["district"]]
    page.audience_qualifications = [quals["高新技术企业"]]
    revision = page.save_revision()
    draft = revision.as_object()
    assert has_criteria(draft) and not has_criteria(page.__class__.objects.get(pk=page.pk))
    assert matched(draft) == {inside.pk}
    assert summary(draft) == "区域：江城区；须具备 高新技术企业"
