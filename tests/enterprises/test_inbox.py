"""The enterprise's inbox: pushed policies newest first with the unread ones marked; opening one
marks it read and says why it was sent; another enterprise's message does not exist."""

import pytest
from django.utils import timezone

from core import roles
from enterprises.models import Delivery, Push
from interpretations.models import PolicyPage
from tests.enterprises.support import complete, publish_revision

pytestmark = pytest.mark.django_db

INBOX = "/enterprise/inbox/"


def inbox_row(policy, company):
    return Delivery.objects.get(push__policy=policy, push__kind=Push.Kind.INITIAL,
                                enterprise=company, channel=Delivery.Channel.INBOX)


@pytest.fixture
def pushed(make_push_policy, enterprise, other_enterprise, recording):
    """Two policies pushed to both enterprises, the second one later."""
    older = make_push_policy(title="临江市制造业企业研发费用补助办法")
    complete(Push.objects.get(policy=older))
    newer = make_push_policy(title="关于支持高新技术企业扩大生产的若干措施")
    complete(Push.objects.get(policy=newer))
    return older, newer


def test_inbox_lists_newest_first_with_unread_marked(portal, pushed, enterprise):
    older, newer = pushed
    Delivery.objects.filter(pk=inbox_row(older, enterprise).pk).update(read_at=timezone.now())
    html = portal.get(INBOX).content.decode()
    assert html.index(newer.title) < html.index(older.title)
    unread = html.split(newer.title, 1)[1].split("</li>", 1)[0]
    read = html.split(older.title, 1)[1].split("</li>", 1)[0]
    assert "未读" in unread and "未读" not in read
    assert "有 1 条未读消息" in html


def test_opening_an_item_marks_it_read_and_explains_why(portal, pushed, enterprise):
    older, _newer = pushed
    row = inbox_row(older, enterprise)
    response = portal.get(f"{INBOX}{row.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert older.title in html
    assert "为什么推送给贵企业" in html and "行业" in html and "计算机整机制造" in html
    assert f'/enterprise/requests/new/?policy={older.pk}' in html and "就此政策提出诉求" in html
    assert f'href="{older.url}"' in html
    row.refresh_from_db()
    assert row.read_at is not None
    assert "有 1 条未读消息" in portal.get(INBOX).content.decode()


def test_update_push_shows_its_note(portal, make_push_policy, enterprise, recording, sign_off):
    page = make_push_policy(title="临江市稳岗返还实施办法")
    complete(Push.objects.get(policy=page))
    publish_revision(sign_off, PolicyPage.objects.get(pk=page.pk),
                     change_kind=PolicyPage.ChangeKind.SIGNIFICANT,
                     change_note="返还比例由50%提高到60%")
    update = complete(Push.objects.get(policy=page, kind=Push.Kind.UPDATE))
    row = Delivery.objects.get(push=update, enterprise=enterprise, channel="inbox")
    html = portal.get(f"{INBOX}{row.pk}/").content.decode()
    assert "政策更新" in html and "返还比例由50%提高到60%" in html


def test_another_enterprises_message_is_404(portal, pushed, enterprise, other_enterprise):
    older, _newer = pushed
    theirs = inbox_row(older, other_enterprise)
    assert portal.get(f"{INBOX}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert other_enterprise.name not in portal.get(INBOX).content.decode()
    own_sms = Delivery.objects.get(push=theirs.push, enterprise=enterprise, channel="sms")
    assert portal.get(f"{INBOX}{own_sms.pk}/").status_code == 404  # not an inbox message


def test_inbox_needs_an_enterprise_account(client, make_user, pushed):
    assert client.get(INBOX).status_code == 302  # to the login page
    client.force_login(make_user(roles.EDITOR))
    assert client.get(INBOX).status_code == 403
