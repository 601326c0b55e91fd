"""Bad input never gives a server error: each address below once answered 500. A bad parameter
answers 400 with the site's page (or JSON for the API) saying in Chinese which parameter is
wrong; an id no row can have answers 404."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Payout
from interpretations.models import Feedback
from ratings import services as rating_services
from ratings.models import Channel, Rating, ServiceEvent, ServiceItem, ServiceWindow

# The 免申即享 policy with its eligible enterprises and staff (tests/enterprises/test_payouts.py).
from tests.enterprises.test_payouts import exempt, makers, staff  # noqa: F401
from tests.interpretations.conftest import make_policy, section  # noqa: F401

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"  # beyond 64 bits: Django's int converter takes it


def page(response):
    return response.content.decode()


def assert_refused(response, name, status=400):
    """The site's own page (its header and footer), status ``status``, naming the parameter."""
    assert response.status_code == status
    html = page(response)
    assert f"参数“{name}”无效" in html
    assert "政策通" in html and "请求无效" in html


@pytest.fixture
def admin(django_user_model, city):
    return django_user_model.objects.create_superuser("root", password="x")


# --- the policy library's filters --------------------------------------------------------------


def test_library_refuses_an_organ_that_is_not_a_number(client, section, make_policy,  # noqa: F811
                                                       city):
    assert_refused(client.get(section.url + "?organ=%C2%B2"), "organ")
    make_policy(publish=True, title="稳岗返还通知")  # a good organ still filters
    organ = city["orgs"]["hrss"].pk
    assert "稳岗返还通知" in page(client.get(f"{section.url}?organ={organ}&year=2026"))
    assert "稳岗返还通知" not in page(client.get(f"{section.url}?organ={organ}&year=2025"))


def test_library_refuses_a_year_that_is_not_a_number(client, section):  # noqa: F811
    response = client.get(section.url + "?year=%C2%B2%C2%B2")
    assert_refused(response, "year")
    assert "输入整数" in page(response)


# --- the public API ----------------------------------------------------------------------------


def api_problem(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_api_refuses_a_negative_offset(client, city):
    response = client.get("/api/policies/?offset=-1")
    assert response.status_code == 400
    body = api_problem(response)
    assert body["detail"] == "请求参数无效。"
    assert body["problems"] == ["参数“offset”无效：不能小于 0"]


def test_api_refuses_an_offset_beyond_any_list(client, city):
    response = client.get("/api/policies/?offset=99999999999999999999999")
    assert response.status_code == 400
    assert api_problem(response)["problems"][0].startswith("参数“offset”无效：不能大于")


def test_api_policy_beyond_64_bits_is_refused_in_chinese(client, city):
    response = client.get(f"/api/policies/{TOO_BIG}")
    assert response.status_code == 400
    assert api_problem(response)["problems"][0].startswith("参数“pk”无效")
    missing = client.get("/api/policies/12345")
    assert missing.status_code == 404 and api_problem(missing)["detail"] == "未找到该政策文件。"


def test_api_schema_is_served(client, city):
    response = client.get("/api/policies/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "政策文件接口"
    offset = next(p for p in schema["paths"]["/api/policies/"]["get"]["parameters"]
                  if p["name"] == "offset")
    assert offset["schema"]["minimum"] == 0


# --- readers' feedback -------------------------------------------------------------------------


def test_feedback_refuses_a_followup_that_is_not_a_number(client, make_policy):  # noqa: F811
    policy = make_policy(publish=True)
    response = client.post(reverse("interpretations:feedback", args=[policy.pk]),
                           {"helpful": "1", "followup": "²"})
    assert_refused(response, "followup")
    assert not Feedback.objects.exists()


# --- 好差评 ----------------------------------------------------------------------------------------


@pytest.fixture
def window(city):
    hrss = city["orgs"]["hrss"]
    window = ServiceWindow.objects.create(hall="市民之家", number="8", organisation=hrss)
    item = ServiceItem.objects.create(name="社会保障卡补办", organisation=hrss)
    rating_services.record_event(window=window, item=item, phone="13712345678")
    return window


def test_window_rating_refuses_an_event_that_is_not_a_number(client, window):
    response = client.post(reverse("ratings:window", args=[window.key]),
                           {"event": "abc", "level": 5, "phone_check": "5678"})
    assert_refused(response, "event")
    assert not Rating.objects.exists()


def test_rating_review_refuses_a_rating_that_is_not_a_number(client, admin, window):
    event = ServiceEvent.objects.get(window=window)
    rating_services.submit_rating(event=event, level=5, channel=Channel.QR,
                                  phone_check="5678")
    client.force_login(admin)
    response = client.post("/admin/ratings/review/", {"rating": "abc", "decision": "exclude"})
    assert_refused(response, "rating")
    assert Rating.objects.get().status != Rating.Status.EXCLUDED


# --- 免申即享 payouts ------------------------------------------------------------------------------


def test_payout_amount_of_1e100_is_refused_in_the_form(client, exempt, makers, staff):  # noqa: F811
    client.force_login(staff["editor"])
    response = client.post(reverse("enterprises_exempt:add", args=[exempt.pk]), {
        "credit_code": makers["a"].credit_code, "amount": "1e100",
        "paid_on": timezone.localdate().isoformat(), "voucher": "LJ-1"})
    assert response.status_code == 200  # the form again, with what was wrong
    assert "兑现金额超出合理范围，请核对（单位为元）" in page(response)
    assert not Payout.objects.exists()


# --- the holiday calendar ----------------------------------------------------------------------


def test_calendar_year_refuses_a_year_out_of_range(client, admin):
    client.force_login(admin)
    url = "/admin/hotline/calendar/year/"
    for year in ["0", "10000", "-5", "abc"]:
        assert_refused(client.get(url, {"year": year}), "year")
    response = client.get(url, {"year": "2031"})
    assert response.status_code == 200 and "2031 年的工作日安排" in page(response)


# --- ids beyond 64 bits ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"/policies/{TOO_BIG}/files/0123abcd/report.pdf",  # a public route
    f"/admin/enterprises/campaigns/{TOO_BIG}/",  # admin routes
    f"/admin/enterprises/campaigns/{TOO_BIG}/progress/",
    f"/admin/enterprises/campaigns/{TOO_BIG}/export/",
])
def test_an_id_beyond_64_bits_finds_nothing(client, admin, url):
    client.force_login(admin)
    response = client.get(url)
    # The public site's 404 page, or the Wagtail admin's own (PostgreSQL answers "no rows"
    # where SQLite overflows; either way the person sees a Chinese "not found" page).
    assert response.status_code == 404
    assert "页面不存在" in page(response) or "找不到" in page(response) or "未找到" in page(response)

