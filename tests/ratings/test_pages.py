"""Pages: the window QR code and its rating page, the admin dashboard and case screens with
their permissions, and the public monthly figures without personal data."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from ratings import services
from ratings.models import Channel, Rating
from tests.forms import field_errors, form_data, option_value

pytestmark = pytest.mark.django_db


def test_window_qr_code_downloads_and_opens_the_rating_page(rt, client):
    window = rt["window"]
    client.force_login(rt["users"]["handler"])
    svg = client.get(f"/admin/ratings/windows/{window.pk}/qr.svg?download=1")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and "attachment" in svg["Content-Disposition"]
    png = client.get(f"/admin/ratings/windows/{window.pk}/qr.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    client.force_login(rt["users"]["other_handler"])  # another department's window
    refused = client.get(f"/admin/ratings/windows/{window.pk}/qr.svg")
    assert refused.status_code in (302, 403) and b"<svg" not in refused.content


def duplicate_ids(html):
    """The ids the page carries more than once (each id names one element)."""
    ids = [tag["id"] for tag in BeautifulSoup(html, "html.parser").select("[id]")]
    return sorted({i for i in ids if ids.count(i) > 1})


def test_window_staff_record_a_service_and_the_resident_rates_it_by_qr(rt, client):
    handler = rt["users"]["handler"]
    client.force_login(handler)
    response = client.post("/admin/ratings/windows/", {
        "window": rt["window"].pk, "item": rt["item"].pk, "phone": "13712345678"})
    assert response.status_code == 302
    client.logout()
    url = f"/rate/window/{rt['window'].key}/"
    page = client.get(url)
    html = page.content.decode()
    assert "社会保障卡补办" in html and "13712345678" not in html
    # the resident sees one box for the last four digits, and every id names one element
    form, data = form_data(html)
    assert len(form.select("input[name=phone_check]")) == 1
    assert duplicate_ids(html) == []
    data["level"] = option_value(form, "level", "非常满意")
    wrong = client.post(url, {**data, "phone_check": "1111"})
    assert wrong.status_code == 200
    assert any("后四位不正确" in e for e in field_errors(wrong.content.decode()))
    assert not Rating.objects.exists()
    form, data = form_data(wrong.content.decode())  # the page as it came back
    data["level"] = option_value(form, "level", "非常满意")
    data["phone_check"] = "5678"
    ok = client.post(url, data)
    assert ok.status_code == 302 and ok["Location"] == "/ratings/done/"
    assert Rating.objects.get().channel == Channel.QR
    # nothing left to rate at that window now
    assert "没有待评价的服务" in client.get(url).content.decode()


def test_window_without_a_phone_asks_for_no_digits(rt, client):
    services.record_event(window=rt["window"], item=rt["item"])
    html = client.get(f"/rate/window/{rt['window'].key}/").content.decode()
    form, data = form_data(html)
    assert not form.select("input[name=phone_check]") and duplicate_ids(html) == []
    data["level"] = option_value(form, "level", "满意")
    assert client.post(f"/rate/window/{rt['window'].key}/", data).status_code == 302
    assert Rating.objects.get().level == 4


@pytest.mark.parametrize(("minutes", "rateable"), [(29, True), (31, False)])
def test_qr_code_rates_a_service_of_the_last_30_minutes_only(rt, client, settings, minutes,
                                                              rateable):
    assert settings.PLATFORM["RATINGS_QR_MINUTES"] == 30  # the shipped setting
    services.record_event(window=rt["window"], item=rt["item"],
                          served_at=timezone.now() - timedelta(minutes=minutes))
    html = client.get(f"/rate/window/{rt['window'].key}/").content.decode()
    assert ("没有待评价的服务" not in html) is rateable
    assert ("社会保障卡补办" in html) is rateable


def test_dashboard_scoped_and_with_figures(rt, client):
    event = services.record_event(window=rt["window"], item=rt["item"])
    services.submit_rating(event=event, level=5, channel=Channel.QR)
    client.force_login(rt["users"]["supervisor"])
    page = client.get("/admin/ratings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "满意率" in body and "临江市人力资源和社会保障局" in body and "<svg" in body
    client.force_login(rt["users"]["other_handler"])  # 住建局 sees only its own ratings
    body = client.get("/admin/ratings/").content.decode()
    assert "临江市人力资源和社会保障局" not in body
    client.force_login(rt["users"]["dispatcher"])
    refused = client.get("/admin/ratings/")  # Wagtail turns 403 into a redirect with a message
    assert refused.status_code in (302, 403) and "满意率" not in refused.content.decode()


def test_case_screens(rt, client):
    event = services.record_event(window=rt["window"], item=rt["item"], phone="13712345678")
    rating = services.submit_rating(event=event, level=1, reason="attitude", channel=Channel.QR,
                                    phone_check="5678")
    case = rating.case
    client.force_login(rt["users"]["other_handler"])
    assert client.get(f"/admin/ratings/cases/{case.pk}/").status_code == 404
    client.force_login(rt["users"]["handler"])
    detail = client.get(f"/admin/ratings/cases/{case.pk}/").content.decode()
    assert "137****5678" in detail and "13712345678" not in detail
    response = client.post(f"/admin/ratings/cases/{case.pk}/act/callback/",
                           {"note": "已回访核实，情况属实"}, follow=True)
    assert "已回访核实" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "rectifying"


def test_public_figures_page_has_rankings_and_no_personal_data(rt, client):
    for i in range(5):
        event = services.record_event(window=rt["window"], item=rt["item"],
                                      phone=f"1371234{i:04d}")
        services.submit_rating(event=event, level=5 - (i % 2), channel=Channel.QR,
                               phone_check=f"{i:04d}")
    page = client.get("/ratings/figures/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "临江市人力资源和社会保障局" in body and "好评率" in body
    assert "1371234" not in body
    assert client.get("/ratings/figures/?month=bogus").status_code == 200


def test_flagged_ratings_review_screen(rt, client, settings):
    settings.PLATFORM = {**settings.PLATFORM, "RATINGS_STUFFING_THRESHOLD": 2}
    same = services.Client(ip="10.1.1.1")
    for _ in range(2):
        event = services.record_event(window=rt["window"], item=rt["item"])
        services.submit_rating(event=event, level=5, channel=Channel.QR, client=same)
    flagged = Rating.objects.filter(status="flagged").first()
    client.force_login(rt["users"]["handler"])  # handlers cannot review
    refused = client.post("/admin/ratings/review/", {"rating": flagged.pk, "decision": "clear"})
    assert refused.status_code in (302, 403)
    assert Rating.objects.get(pk=flagged.pk).status == "flagged"
    client.force_login(rt["users"]["supervisor"])
    page = client.get("/admin/ratings/review/").content.decode()
    assert "待审核" in page
    client.post("/admin/ratings/review/", {"rating": flagged.pk, "decision": "exclude",
                                           "note": "同一地址连续好评"})
    assert Rating.objects.get(pk=flagged.pk).status == "excluded"


def test_windows_and_items_are_managed_in_the_admin(rt, client, make_user):
    admin = make_user(is_superuser=True, is_staff=True, username="root")
    client.force_login(admin)
    assert client.get("/admin/ratings_window_admin/").status_code == 200
    assert "市民之家" in client.get("/admin/ratings_window_admin/").content.decode()
    assert client.get("/admin/ratings_items/").status_code == 200


@pytest.mark.postgres
def test_database_refuses_to_delete_a_rating(rt):
    from django.db import DatabaseError, connection, transaction

    event = services.record_event(window=rt["window"], item=rt["item"])
    rating = services.submit_rating(event=event, level=4, channel=Channel.QR)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ratings_rating WHERE id = %s", [rating.pk])
    assert Rating.objects.filter(pk=rating.pk).exists()
