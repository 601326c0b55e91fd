"""The campaign view in the admin: matched, sent, failed, read and waiting per push, as the page
and as the JSON its progress bar polls; the failures with reasons; the matched list as CSV; and
only the drafting department (and supervisors) may look."""

import csv
import io

import pytest

from core import roles
from enterprises import push as pipeline
from enterprises.models import Delivery, Push
from tests.enterprises.support import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(make_push_policy, companies, recording, settings):
    """A policy of 市人社局 pushed to the test companies; every email is rejected."""
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS,
                                 "email": "tests.enterprises.test_push.RejectingBackend"}
    page = make_push_policy(title="临江市制造业稳岗扩岗补贴办法")
    push = complete(Push.objects.get(policy=page))
    sms = Delivery.objects.get(push=push, enterprise=companies["immediate"], channel="sms")
    pipeline.mark_read(sms)
    return page


def urls(page):
    base = f"/admin/enterprises/campaigns/{page.pk}/"
    return {"detail": base, "progress": base + "progress/", "export": base + "export/"}


def test_department_sees_its_campaign_figures(client, make_user, city, campaign):
    client.force_login(make_user(roles.EDITOR, city["orgs"]["hrss"]))
    index = client.get("/admin/enterprises/campaigns/").content.decode()
    assert campaign.title in index
    data = client.get(urls(campaign)["progress"]).json()
    assert data["running"] is False
    (figures,) = data["pushes"]
    # 5 matching enterprises (one chose no push); inbox 4 + SMS 1 sent, 1 email rejected;
    # the digest enterprise's SMS and email wait for the daily digest; one enterprise read it.
    assert {k: figures[k] for k in ("matched", "sent", "failed", "pending", "digest", "read",
                                    "percent", "status")} == {
        "matched": 5, "sent": 5, "failed": 1, "pending": 0, "digest": 2, "read": 1,
        "percent": 100, "status": "done"}
    html = client.get(urls(campaign)["detail"]).content.decode()
    assert "号码无效" in html and companies_name(campaign) in html
    assert "<svg" in html and "阅读数" in html
    assert 'data-field="sent">5<' in html


def companies_name(page):
    return Delivery.objects.get(push__policy=page, status="failed").enterprise.name


def test_running_push_shows_progress_and_polls(client, make_user, city, make_push_policy,
                                               companies, recording):
    page = make_push_policy()
    push = Push.objects.get(policy=page)
    pipeline.run(push.pk)  # matched and recorded, nothing sent yet
    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"]))
    html = client.get(urls(page)["detail"]).content.decode()
    assert "fetch(" in html and urls(page)["progress"] in html
    (figures,) = client.get(urls(page)["progress"]).json()["pushes"]
    assert figures["pending"] == 2 and figures["status"] == "dispatching"
    assert 0 < figures["percent"] < 100
    pipeline.queue_dispatch(push.pk)
    data = client.get(urls(page)["progress"]).json()
    assert data["running"] is False and data["pushes"][0]["percent"] == 100


def test_export_lists_the_matched_enterprises(client, make_user, city, campaign, companies):
    client.force_login(make_user(roles.APPROVER, city["orgs"]["hrss"]))
    response = client.get(urls(campaign)["export"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0][:2] == ["统一社会信用代码", "企业名称"]
    names = {row[1]: row for row in table[1:]}
    assert set(names) == {c.name for k, c in companies.items() if k != "outsider"}
    silent = names[companies["silent"].name]
    assert silent[-2:] == ["否", "否"]  # matched, but chose not to be told
    assert names[companies["immediate"].name][-2:] == ["是", "是"]
    assert "13912345678" not in body and "139****5678" in body


def test_other_departments_and_roles_cannot_look(client, make_user, city, campaign):
    client.force_login(make_user(roles.EDITOR, city["orgs"]["housing"]))
    assert campaign.title not in client.get("/admin/enterprises/campaigns/").content.decode()
    for url in urls(campaign).values():
        assert client.get(url).status_code == 404
    client.force_login(make_user(roles.DISPATCHER, city["orgs"]["hotline"]))
    for url in ["/admin/enterprises/campaigns/", *urls(campaign).values()]:
        refused = client.get(url)  # Wagtail turns 403 into a redirect with a message
        assert refused.status_code == 302 and refused.url == "/admin/"
    client.force_login(make_user(roles.SUPERVISOR, city["orgs"]["gov"]))
    assert client.get(urls(campaign)["detail"]).status_code == 200
