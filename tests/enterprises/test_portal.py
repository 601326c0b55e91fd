"""The enterprise portal: logging in lands in the portal, the profile shows everything and lets
the enterprise correct only its own fields (each change recorded, bad input refused with nothing
changed), and the notification preferences are checked against the contact details."""

import pytest

from core import roles
from enterprises.models import Enterprise, Frequency, ProfileChange

pytestmark = pytest.mark.django_db

PROFILE_URL = "/enterprise/profile/"
PREFS_URL = "/enterprise/preferences/"


def profile_data(company, **changes):
    data = {"contact_name": company.contact_name, "contact_phone": company.contact_phone,
            "contact_email": company.contact_email, "headcount": company.headcount,
            "revenue": company.revenue, "industry_code": company.industry_code,
            "size_class": company.size_class}
    data.update(changes)
    return {k: "" if v is None else v for k, v in data.items()}


def prefs_data(**changes):
    data = {"notify_inbox": "on", "notify_sms": "on", "notify_frequency": "immediate"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(company):
    return Enterprise.objects.filter(pk=company.pk).values().get()


# --- login ---------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_and_back_to_the_portal(client, portal_user):
    response = client.get("/enterprise/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/enterprise/"
    login = client.get(response.url)
    assert 'name="next" value="/enterprise/"' in login.content.decode()
    response = client.post("/accounts/login/?next=/enterprise/", {
        "username": "company", "password": "pass-1234", "next": "/enterprise/"})
    assert response.status_code == 302 and response.url == "/enterprise/"
    assert client.get("/enterprise/").status_code == 200


def test_enterprise_user_without_next_lands_in_the_portal(client, portal_user):
    response = client.post("/accounts/login/", {"username": "company", "password": "pass-1234"})
    assert response.status_code == 302 and response.url == "/enterprise/"


def test_staff_login_without_next_is_not_sent_to_the_portal(client, make_user, city):
    make_user(roles.DISPATCHER, city["orgs"]["hotline"], username="staff")
    response = client.post("/accounts/login/", {"username": "staff", "password": "pass-1234"})
    assert response.status_code == 302 and response.url != "/enterprise/"


def test_account_without_an_enterprise_is_refused(client, make_user):
    client.force_login(make_user(roles.ENTERPRISE, username="nobody"))
    assert client.get("/enterprise/").status_code == 403
    assert client.get(PROFILE_URL).status_code == 403


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_shows_the_enterprise_and_links(portal, enterprise):
    page = portal.get("/enterprise/").content.decode()
    assert enterprise.name in page
    for url in ("/enterprise/inbox/", "/enterprise/policies/", "/enterprise/requests/new/"):
        assert url in page
    assert "没有办理中的诉求" in page


# --- profile -------------------------------------------------------------------------------------


def test_profile_shows_registered_facts_read_only_with_how_to_correct_them(portal, enterprise):
    page = portal.get(PROFILE_URL).content.decode()
    assert enterprise.credit_code in page and "江城区解放路街道" in page
    assert "高新技术企业" in page
    assert "提交企业诉求" in page and "/enterprise/requests/new/" in page
    assert 'name="credit_code"' not in page and 'name="name"' not in page


def test_correcting_the_profile_saves_and_records_each_change(portal, enterprise, portal_user):
    response = portal.post(PROFILE_URL, profile_data(
        enterprise, contact_phone="138 0000 1111", headcount=120, revenue="4500.50",
        industry_code="3912", size_class="medium"), follow=True)
    page = response.content.decode()
    assert "企业档案已更新" in page
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "13800001111"
    assert enterprise.headcount == 120 and str(enterprise.revenue) == "4500.50"
    assert enterprise.industry_code == "C3912" and enterprise.size_class == "medium"
    changes = {c.field: c for c in ProfileChange.objects.filter(enterprise=enterprise)}
    assert set(changes) == {"contact_phone", "headcount", "revenue", "industry_code",
                            "size_class"}
    assert (changes["headcount"].old_value, changes["headcount"].new_value) == ("80", "120")
    assert (changes["size_class"].old_value, changes["size_class"].new_value) == ("小型", "中型")
    assert "3911" in changes["industry_code"].old_value
    assert "3912" in changes["industry_code"].new_value
    assert all(c.changed_by == portal_user for c in changes.values())
    # The record is on the page: who, old → new.
    assert "王敏" in page and "13912345678" in page and "13800001111" in page


def test_saving_unchanged_profile_records_nothing(portal, enterprise):
    response = portal.post(PROFILE_URL, profile_data(enterprise), follow=True)
    assert "没有修改任何内容" in response.content.decode()
    assert not ProfileChange.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("headcount", "-5", "从业人数不能为负数"),
    ("headcount", "很多", "从业人数请填写整数"),
    ("revenue", "abc", "营业收入请填写数字"),
    ("revenue", "-1", "营业收入不能为负数"),
    ("industry_code", "3X9", "格式不正确"),
    ("industry_code", "98", "没有大类"),
    ("industry_code", "A39", "门类与大类不符"),
    ("industry_code", "", "请填写国民经济行业代码"),
    ("contact_phone", "12345", "请填写正确的手机号码"),
    ("contact_email", "not-an-email", "请填写正确的电子邮箱地址"),
    ("size_class", "giant", "请选择有效的企业规模"),
])
def test_invalid_profile_input_is_refused_and_nothing_changes(portal, enterprise, field, value,
                                                              message):
    before = snapshot(enterprise)
    # A valid change rides along: it must not be saved either.
    data = {**profile_data(enterprise, contact_name="李雷"), field: value}
    response = portal.post(PROFILE_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(enterprise) == before
    assert not ProfileChange.objects.exists()


def test_registered_facts_cannot_be_changed_through_the_form(portal, enterprise):
    before = snapshot(enterprise)
    portal.post(PROFILE_URL, {**profile_data(enterprise), "credit_code": "91350100000000000X",
                              "name": "改名公司", "status": "cancelled",
                              "registered_on": "2000-01-01"})
    after = snapshot(enterprise)
    for field in ("credit_code", "name", "status", "registered_on", "division_id"):
        assert after[field] == before[field]


def test_removing_the_mobile_while_sms_is_on_is_refused(portal, enterprise):
    assert enterprise.notify_sms
    response = portal.post(PROFILE_URL, profile_data(enterprise, contact_phone=""))
    assert "短信推送需要联系人手机号码" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "13912345678"
    assert not ProfileChange.objects.exists()


# --- preferences ---------------------------------------------------------------------------------


def test_preferences_are_saved_and_recorded(portal, enterprise):
    response = portal.post(PREFS_URL, prefs_data(notify_sms=None, notify_email="on",
                                                 notify_frequency="digest"), follow=True)
    assert "推送设置已保存" in response.content.decode()
    enterprise.refresh_from_db()
    assert (enterprise.notify_inbox, enterprise.notify_sms, enterprise.notify_email) == (
        True, False, True)
    assert enterprise.notify_frequency == Frequency.DIGEST
    assert set(ProfileChange.objects.values_list("field", flat=True)) == {
        "notify_sms", "notify_email", "notify_frequency"}
    change = ProfileChange.objects.get(field="notify_frequency")
    assert (change.old_value, change.new_value) == ("即时推送", "每日汇总")


def test_sms_needs_a_mobile_number(portal, enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(contact_phone="0731-88886666",
                                                       notify_sms=False)
    response = portal.post(PREFS_URL, prefs_data(notify_sms="on"))
    assert "短信推送需要联系人手机号码" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.notify_sms is False


def test_email_needs_an_address(portal, enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(contact_email="")
    response = portal.post(PREFS_URL, prefs_data(notify_email="on"))
    assert "邮件推送需要联系邮箱" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.notify_email is False


def test_receiving_pushes_needs_a_channel_but_opting_out_does_not(portal, enterprise):
    response = portal.post(PREFS_URL, {"notify_frequency": "immediate"})
    assert "请至少选择一种接收方式" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.notify_frequency == Frequency.IMMEDIATE and enterprise.notify_inbox
    portal.post(PREFS_URL, {"notify_frequency": "none"})
    enterprise.refresh_from_db()
    assert enterprise.notify_frequency == Frequency.NONE
    assert not (enterprise.notify_inbox or enterprise.notify_sms or enterprise.notify_email)


def test_invalid_frequency_is_refused(portal, enterprise):
    response = portal.post(PREFS_URL, prefs_data(notify_frequency="hourly"))
    assert "请选择有效的推送频率" in response.content.decode()
    assert not ProfileChange.objects.exists()
