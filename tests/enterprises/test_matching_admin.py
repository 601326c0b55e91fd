"""Admin of matching: 企业档案, 国民经济行业, the policy's 精准推送 tab and 免申即享 lists."""

import csv
import io

import pytest
from django.urls import reverse

from core import roles
from enterprises.models import Enterprise, Industry
from enterprises.validators import make_credit_code
from interpretations.models import PolicyPage
from tests.enterprises.support import make_enterprise, qualifications
from tests.interpretations.conftest import edit_post_data

PROFILES = "/admin/enterprise_profiles/"


@pytest.fixture
def supervisor(make_user, city):
    return make_user(roles.SUPERVISOR, city["orgs"]["gov"], username="supervisor")


@pytest.fixture
def companies(city):
    street, other = city["divisions"]["street"], city["divisions"]["other"]
    return {
        "maker": make_enterprise(street, name="临江精密电子有限公司", industry_code="C3911",
                                 contact_name="王敏", contact_phone="13912345678"),
        "shop": make_enterprise(other, name="临湖百货商店", industry_code="F5211",
                                size_class="micro", contact_phone="13800001111"),
        "closed": make_enterprise(street, name="已注销电子厂", industry_code="C3912",
                                  status="cancelled"),
    }


def enterprise_form(division, **changes):
    data = {
        "credit_code": make_credit_code(body="NEW00001"), "name": "新建档企业有限公司",
        "industry_code": "3911", "size_class": "small", "division": division.pk,
        "headcount": "20", "revenue": "300", "registered_on": "2020-01-02",
        "status": "operating", "contact_name": "", "contact_phone": "", "contact_email": "",
        "notify_inbox": "on", "notify_frequency": "immediate",
    }
    data.update(changes)
    return data


# --- 企业档案 ------------------------------------------------------------------------------------


def test_supervisor_lists_searches_and_filters_profiles_with_masked_phones(client, supervisor,
                                                                           companies, city):
    client.force_login(supervisor)
    page = client.get(PROFILES).content.decode()
    assert "临江精密电子有限公司" in page and "临湖百货商店" in page
    assert "139****5678" in page and "13912345678" not in page
    assert "计算机整机制造（3911）" in page
    page = client.get(PROFILES, {"q": "百货"}).content.decode()
    assert "临湖百货商店" in page and "临江精密电子有限公司" not in page
    code = companies["maker"].credit_code
    page = client.get(PROFILES, {"q": code.lower()}).content.decode()
    assert "临江精密电子有限公司" in page and "临湖百货商店" not in page
    page = client.get(PROFILES, {"section": "C"}).content.decode()
    assert "临江精密电子有限公司" in page and "临湖百货商店" not in page
    page = client.get(PROFILES, {"division": city["divisions"]["district"].pk}).content.decode()
    assert "临江精密电子有限公司" in page and "已注销电子厂" in page and "临湖百货商店" not in page
    page = client.get(PROFILES, {"status": "cancelled"}).content.decode()
    assert "已注销电子厂" in page and "临江精密电子有限公司" not in page
    # Staff who keep the profiles see the full record when they open one.
    maker = companies["maker"]
    assert "13912345678" in client.get(f"{PROFILES}inspect/{maker.pk}/").content.decode()
    assert client.get(f"{PROFILES}edit/{maker.pk}/").status_code == 200


def test_handlers_editors_and_enterprise_users_cannot_open_profiles(client, make_user, city,
                                                                    companies):
    for role in (roles.HANDLER, roles.EDITOR, roles.DISPATCHER):
        client.force_login(make_user(role, city["orgs"]["hrss"]))
        response = client.get(PROFILES)
        assert response.status_code == 302 and response["Location"] == "/admin/", role
        edit = client.get(f"{PROFILES}edit/{companies['maker'].pk}/")
        assert edit.status_code == 302, role
        assert "企业档案" not in client.get("/admin/").content.decode()
    enterprise_user = make_user(roles.ENTERPRISE)
    client.force_login(enterprise_user)
    response = client.get(PROFILES)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_creating_a_profile_normalises_and_checks_the_codes(client, supervisor, city):
    client.force_login(supervisor)
    street = city["divisions"]["street"]
    code = make_credit_code(body="NEW00001")
    response = client.post(f"{PROFILES}new/", enterprise_form(
        street, credit_code=f" {code.lower()} ", industry_code="c3911"))
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Enterprise.objects.get(name="新建档企业有限公司")
    assert created.credit_code == code and created.industry_code == "C3911"

    bad_check = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(f"{PROFILES}new/", enterprise_form(
        street, credit_code=bad_check, name="校验位错误企业"))
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确，请核对后重新填写。" in response.content.decode()
    response = client.post(f"{PROFILES}new/", enterprise_form(
        street, credit_code=make_credit_code(body="NEW00002"), industry_code="98",
        name="行业错误企业"))
    assert "没有大类“98”：GB/T 4754-2017 的大类为 01 至 97。" in response.content.decode()
    assert not Enterprise.objects.filter(name__in=["校验位错误企业", "行业错误企业"]).exists()


# --- 国民经济行业 --------------------------------------------------------------------------------


def test_industries_are_listed_and_new_codes_find_their_parent(client, make_user, city,
                                                               django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pass-1234")
    client.force_login(admin)
    page = client.get("/admin/industries/", {"q": "软件开发"}).content.decode()
    assert "6511" in page and "基础软件开发" in page
    response = client.post("/admin/industries/new/", {"code": "3929", "name": "其他通信设备制造"})
    assert response.status_code == 302
    item = Industry.objects.get(code="C3929")
    assert item.level == Industry.Level.CLASS and item.parent.code == "C392"
    response = client.post("/admin/industries/new/", {"code": "98", "name": "不存在"})
    assert "没有大类“98”" in response.content.decode()
    response = client.post(f"/admin/industries/edit/{item.pk}/", {"code": "3928", "name": "x"})
    assert "行业代码建立后不能修改" in response.content.decode()
    # Editors may look industries up but not change them.
    client.force_login(make_user(roles.EDITOR, city["orgs"]["hrss"]))
    assert client.get("/admin/industries/").status_code == 200
    assert client.get(f"/admin/industries/edit/{item.pk}/").status_code == 302


# --- the policy's 精准推送 tab --------------------------------------------------------------------


def test_policy_editor_saves_criteria_as_canonical_codes(client, make_policy, city, make_user):
    quals = qualifications()
    editor = make_user(roles.EDITOR, city["orgs"]["hrss"])
    page = make_policy(publish=True, change_kind=PolicyPage.ChangeKind.SIGNIFICANT,
                       change_note="上次的说明")
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = client.get(url).context["form"]
    assert "精准推送" in client.get(url).content.decode()
    # What a revision changes is said per revision: an edit of the live version starts blank.
    assert form["change_kind"].value() == ""
    assert form["change_note"].value() == ""
    data = edit_post_data(page, "action-save", audience_industries="c39，6511 C",
                          audience_qualification_mode="all", audience_headcount_max="300",
                          change_kind="minor", change_note="")
    data["audience_sizes"] = ["micro", "small"]
    data["audience_divisions"] = [city["divisions"]["district"].pk]
    data["audience_qualifications"] = [quals["高新技术企业"].pk, quals["专精特新中小企业"].pk]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert draft.audience_industries == ["C39", "I6511", "C"]
    assert draft.audience_sizes == ["small", "micro"]
    assert [d.pk for d in draft.audience_divisions.all()] == [city["divisions"]["district"].pk]
    assert draft.audience_qualification_mode == "all"
    assert draft.audience_headcount_max == 300


@pytest.mark.parametrize("changes, field_error", [
    ({"audience_industries": "39 98"}, "没有大类“98”：GB/T 4754-2017 的大类为 01 至 97。"),
    ({"audience_headcount_min": "100", "audience_headcount_max": "10"}, "从业人数的上限不能小于下限。"),
    ({"audience_age_min": "5", "audience_age_max": "3"}, "成立年限的上限不能小于下限。"),
    ({"audience_industries": "C39", "audience_exclude_industries": "39"},
     "同一行业不能既适用又排除：C39。"),
    ({"exempt_application": "on"}, "免申即享政策须设置适用企业条件，才能生成符合条件企业名单。"),
])
def test_contradictory_criteria_are_refused(client, make_policy, city, make_user, changes,
                                            field_error):
    approver = make_user(roles.APPROVER, city["orgs"]["hrss"])
    page = make_policy()
    client.force_login(approver)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-publish", **changes))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not PolicyPage.objects.get(pk=page.pk).live


# --- 免申即享 lists -------------------------------------------------------------------------------


@pytest.fixture
def exempt(make_policy, city, companies):
    return make_policy(publish=True, title="电子信息制造企业稳岗奖励", exempt_application=True,
                       audience_industries=["C39"])


def exempt_csv(client, policy):
    return client.get(reverse("enterprises_exempt:csv", args=[policy.pk]))


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_eligible_list_has_full_contacts_in_chinese_columns(client, supervisor, exempt,
                                                                companies):
    client.force_login(supervisor)
    detail = client.get(reverse("enterprises_exempt:detail", args=[exempt.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "电子信息制造企业稳岗奖励" in page and "<strong>1</strong>" in page
    response = exempt_csv(client, exempt)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == ["统一社会信用代码", "企业名称", "行业代码", "行业名称", "企业规模", "注册地",
                       "从业人数", "营业收入（万元）", "成立日期", "联系人", "联系电话", "联系邮箱",
                       "兑现状态", "兑现金额（元）", "兑现日期", "凭证号"]
    maker = companies["maker"]
    assert rows[1:] == [[maker.credit_code, "临江精密电子有限公司", "3911", "计算机整机制造", "小型",
                         "江城区解放路街道", "50", "1000.00", "2015-06-01", "王敏", "13912345678",
                         "", "待兑现", "", "", ""]]


def test_contacts_in_full_only_on_the_paying_departments_list(client, supervisor, exempt,
                                                              companies):
    # The one rule (enterprises.services.staff_contact): the 免申即享 list and its export show
    # the contact in full, because the department must reach the enterprise to pay it; the
    # enterprise register masks it. (The push campaign export: test_campaigns.)
    client.force_login(supervisor)
    detail = client.get(reverse("enterprises_exempt:detail", args=[exempt.pk])).content.decode()
    assert "王敏" in detail and "13912345678" in detail
    assert "13912345678" in b"".join(exempt_csv(client, exempt).streaming_content).decode()
    register = client.get(reverse("enterprise_profiles:index")).content.decode()
    assert "临江精密电子有限公司" in register
    assert "139****5678" in register and "13912345678" not in register


def test_formula_like_names_are_neutralised(client, supervisor, exempt, city):
    make_enterprise(city["divisions"]["street"], name="=HYPERLINK(1)", industry_code="C3913")
    client.force_login(supervisor)
    names = [row[1] for row in read_csv(exempt_csv(client, exempt))[1:]]
    assert "'=HYPERLINK(1)" in names


def test_who_may_see_the_eligible_list(client, make_user, city, exempt, make_policy):
    index = reverse("enterprises_exempt:index")
    # The drafting department (市人社局) and the organisations above it.
    for user in (make_user(roles.EDITOR, city["orgs"]["hrss"]),
                 make_user(roles.APPROVER, city["orgs"]["gov"])):
        client.force_login(user)
        assert "电子信息制造企业稳岗奖励" in client.get(index).content.decode()
        assert exempt_csv(client, exempt).status_code == 200
    # Another department's editor: the policy does not exist for them.
    client.force_login(make_user(roles.EDITOR, city["orgs"]["housing"]))
    assert "电子信息制造企业稳岗奖励" not in client.get(index).content.decode()
    assert exempt_csv(client, exempt).status_code == 404
    # Handlers and enterprise users: refused outright (the admin sends them back).
    client.force_login(make_user(roles.HANDLER, city["orgs"]["hrss"]))
    for response in (client.get(index), exempt_csv(client, exempt)):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "免申即享名单" not in client.get("/admin/").content.decode()
    client.force_login(make_user(roles.ENTERPRISE))
    response = exempt_csv(client, exempt)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # A policy that is not 免申即享 has no list.
    ordinary = make_policy(publish=True, title="普通政策", audience_industries=["C"])
    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"]))
    assert exempt_csv(client, ordinary).status_code == 404
