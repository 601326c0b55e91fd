"""Withdrawal notices (撤回通知): when a pushed policy is withdrawn (已废止, 已失效, 已被替代 through a
signed revision, or taken down as 发布错误), every enterprise that received it before is told
through the channels it chooses now, once per policy and reason; nobody else hears of it. The
notice goes through the push pipeline, so a lost queue message or a lost signal is recovered and
still delivered once."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import roles
from enterprises import push as pipeline
from enterprises.models import Delivery, Frequency, Push
from enterprises.tasks import push_run
from interpretations.models import PolicyPage
from interpretations.publishing import WithdrawalReason, policy_withdrawn, withdraw
from tests.enterprises.support import build_enterprise, complete

pytestmark = pytest.mark.django_db

C, S = Delivery.Channel, Delivery.Status
INBOX = "/enterprise/inbox/"
TITLE = "临江市制造业企业研发费用补助办法"


@pytest.fixture
def officer(make_user, city):
    """The drafting department's 审签人, who withdraws the policy."""
    return make_user(roles.APPROVER, city["orgs"]["hrss"], username="withdrawer")


@pytest.fixture
def pushed(make_push_policy, companies, enterprise, recording):
    """A live policy for 制造业 enterprises whose initial push went out to the ones matching."""
    page = make_push_policy(title=TITLE)
    complete(Push.objects.get(policy=page, kind=Push.Kind.INITIAL))
    return PolicyPage.objects.get(pk=page.pk)


def notice(page, reason):
    return Push.objects.get(policy=page, kind=Push.Kind.WITHDRAWAL, reason=reason)


def out_of_force(page, officer, sign_off, reason, **fields):
    """Withdraw ``page`` the way the admin does: a revision marking it out of force, signed off;
    the last approval puts it live. Run inside ``django_capture_on_commit_callbacks``."""
    withdraw(page, officer, reason, **fields)
    return sign_off(page)


def received(push):
    return {(d.enterprise_id, d.channel): d.status for d in Delivery.objects.filter(push=push)}


def message(recording, push, enterprise, channel):
    row = Delivery.objects.get(push=push, enterprise=enterprise, channel=channel)
    return recording.delivered()[pipeline.delivery_key(row.pk)]


def test_repealed_policy_notifies_earlier_recipients_once_through_their_channels_now(
        pushed, companies, enterprise, officer, sign_off, recording, city,
        django_capture_on_commit_callbacks):
    c = {name: e.pk for name, e in companies.items()}
    # Since the push: one enterprise opted out, one switched SMS on, one new enterprise matches.
    companies["no_phone"].notify_frequency = Frequency.NONE
    companies["no_phone"].save()
    companies["sms_off"].notify_sms = True
    companies["sms_off"].save()
    latecomer = build_enterprise(city["divisions"]["street"], 17)
    before = recording.count()

    with django_capture_on_commit_callbacks(execute=True):
        page = out_of_force(pushed, officer, sign_off, WithdrawalReason.REPEALED,
                            note="本办法已完成阶段性任务", effective_on=datetime.date(2026, 12, 1))
    assert page.live and page.validity == "repealed"  # the page stays, with its notice
    sent = notice(page, WithdrawalReason.REPEALED)
    assert sent.status == Push.Status.DONE  # the pipeline ran once the withdrawal committed
    assert sent.note == f"《{TITLE}》已于2026年12月1日废止：本办法已完成阶段性任务"
    assert received(sent) == {
        (c["immediate"], C.INBOX): S.SENT, (c["immediate"], C.SMS): S.SENT,
        (c["immediate"], C.EMAIL): S.SENT,
        (c["digest"], C.INBOX): S.SENT, (c["digest"], C.SMS): S.DIGEST,
        (c["digest"], C.EMAIL): S.DIGEST,
        (c["sms_off"], C.INBOX): S.SENT, (c["sms_off"], C.SMS): S.SENT,  # SMS on now
        (enterprise.pk, C.INBOX): S.SENT, (enterprise.pk, C.SMS): S.SENT,
    }  # "no_phone" opted out since; "silent", "outsider" and the latecomer never received it
    assert not Delivery.objects.filter(enterprise=latecomer).exists()
    assert sent.matched == 5  # the enterprises that had received the policy
    assert recording.count() == before + 4  # 3 SMS and 1 email
    sms = message(recording, sent, companies["immediate"], C.SMS)
    assert "政策撤回通知" in sms["body"] and "2026年12月1日废止" in sms["body"]
    email = message(recording, sent, companies["immediate"], C.EMAIL)
    assert email["subject"] == f"政策撤回通知：{TITLE}" and "阶段性任务" in email["body"]

    # The same reason again (a repeated signal, the revision published again): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        policy_withdrawn.send(sender=PolicyPage, policy=page, reason=WithdrawalReason.REPEALED)
        page.live_revision.publish()
    assert Push.objects.filter(policy=page, kind=Push.Kind.WITHDRAWAL).count() == 1
    assert recording.count() == before + 4 and recording.duplicates() == 0

    # The digest subscriber gets the notice in its next digest, marked as a withdrawal.
    tomorrow = timezone.localtime().replace(hour=10) + timedelta(days=1)
    pipeline.send_digests(now=tomorrow)
    digests = [r for k, r in recording.delivered().items() if k.startswith("push-digest:")]
    assert sorted(r["channel"] for r in digests) == ["email", "sms"]
    assert all("【撤回】" in r["body"] for r in digests)
    assert not Delivery.objects.filter(push=sent, status=S.DIGEST).exists()


def test_replaced_policy_notice_in_the_inbox_leads_to_the_new_document(
        pushed, enterprise, officer, sign_off, make_policy, portal, client, recording,
        django_capture_on_commit_callbacks):
    new = make_policy(publish=True, title="临江市制造业企业研发费用补助办法（2027年修订）")
    with django_capture_on_commit_callbacks(execute=True):
        page = out_of_force(pushed, officer, sign_off, WithdrawalReason.REPLACED,
                            effective_on=datetime.date(2027, 1, 1), replaced_by=new)
    sent = notice(page, WithdrawalReason.REPLACED)
    assert sent.note == f"《{TITLE}》已于2027年1月1日被《{new.title}》替代，请以新文件为准"

    listing = portal.get(INBOX).content.decode()
    assert '<span class="badge badge-danger">撤回通知</span>' in listing and sent.note in listing
    row = Delivery.objects.get(push=sent, enterprise=enterprise, channel=C.INBOX)
    html = portal.get(f"{INBOX}{row.pk}/").content.decode()
    assert "撤回通知" in html and "已被替代" in html and sent.note in html
    assert f'href="{new.url}"' in html and f"查看替代文件《{new.title}》" in html
    assert f'href="{page.url}"' in html  # the old page stays, with its notice
    assert "为什么推送给贵企业" not in html

    # The link in the SMS counts the read and leads to the new document.
    link = message(recording, sent, enterprise, C.SMS)["body"].rsplit("详情：", 1)[1]
    response = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 302 and response["Location"] == new.url
    assert pipeline.figures(sent).read == 1


def test_a_policy_taken_down_as_published_in_error_is_retracted_once(
        pushed, companies, enterprise, officer, portal, client, recording,
        django_capture_on_commit_callbacks):
    url = pushed.url
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(pushed, officer, WithdrawalReason.ERROR, note="文号有误")
    assert not PolicyPage.objects.get(pk=pushed.pk).live  # the page goes
    sent = notice(pushed, WithdrawalReason.ERROR)
    assert sent.note == f"《{TITLE}》因发布错误已撤下，此前推送的内容作废，以后续发布为准"
    assert {e for e, _channel in received(sent)} == {
        companies[n].pk for n in ("immediate", "digest", "sms_off", "no_phone")} | {enterprise.pk}
    count = recording.count()
    with django_capture_on_commit_callbacks(execute=True):
        policy_withdrawn.send(sender=PolicyPage, policy=pushed, reason=WithdrawalReason.ERROR)
    assert recording.count() == count
    assert Push.objects.filter(policy=pushed, kind=Push.Kind.WITHDRAWAL).count() == 1

    # The page is gone: the message's link leads to the notice in the enterprise's inbox.
    row = Delivery.objects.get(push=sent, enterprise=enterprise, channel=C.INBOX)
    link = message(recording, sent, enterprise, C.SMS)["body"].rsplit("详情：", 1)[1]
    response = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 302 and response["Location"] == f"{INBOX}{row.pk}/"
    html = portal.get(f"{INBOX}{row.pk}/").content.decode()
    assert "因发布错误已撤下" in html and "发布错误" in html and f'href="{url}"' not in html


def test_a_policy_never_pushed_sends_no_notice(make_policy, companies, officer, recording,
                                               django_capture_on_commit_callbacks):
    page = make_policy(publish=True)  # no audience criteria: nobody was told
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(page, officer, WithdrawalReason.ERROR)
    assert not Push.objects.exists() and recording.count() == 0


def test_broker_down_at_withdrawal_is_recovered_and_delivered_once(
        pushed, officer, recording, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    before = recording.count()
    with monkeypatch.context() as patched:
        patched.setattr(push_run, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            withdraw(pushed, officer, WithdrawalReason.ERROR)  # the officer sees no error
    sent = notice(pushed, WithdrawalReason.ERROR)
    assert sent.status == Push.Status.PENDING and not Delivery.objects.filter(push=sent).exists()

    assert pipeline.recover()["runs"] == 0  # not stale yet: it may still be in a queue
    later = timezone.now() + timedelta(minutes=10)
    result = pipeline.recover(now=later)
    assert (result["created"], result["runs"]) == (0, 1)  # the notice exists: run it
    pipeline.queue_dispatch(sent.pk)  # eager mode: the run's dispatch waits for the commit
    sent.refresh_from_db()
    assert sent.status == Push.Status.DONE
    assert recording.count() == before + 3  # 2 SMS and 1 email
    assert pipeline.recover(now=later) == {"created": 0, "reset": 0, "runs": 0, "batches": 0}
    assert recording.count() == before + 3 and recording.duplicates() == 0


def test_recovery_creates_a_notice_a_crash_lost(pushed, make_push_policy, officer, sign_off,
                                                recording):
    # Neither withdrawal commits in this test, so the signal that follows the commit is never
    # sent: as if the process died between the commit and the notice.
    other = make_push_policy(title="制造业企业技术改造补助办法")
    complete(Push.objects.get(policy=other))
    out_of_force(pushed, officer, sign_off, WithdrawalReason.EXPIRED)
    withdraw(other, officer, WithdrawalReason.ERROR)
    assert not Push.objects.filter(kind=Push.Kind.WITHDRAWAL).exists()

    assert pipeline.recover()["created"] == 2
    assert pipeline.recover()["created"] == 0
    for page, reason in ((pushed, WithdrawalReason.EXPIRED), (other, WithdrawalReason.ERROR)):
        sent = complete(notice(page, reason))
        assert sent.status == Push.Status.DONE and sent.matched == 5


def test_campaign_view_lists_the_notice(pushed, officer, sign_off, make_user, city, client,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out_of_force(pushed, officer, sign_off, WithdrawalReason.EXPIRED)
    client.force_login(make_user(roles.EDITOR, city["orgs"]["hrss"]))
    index = client.get("/admin/enterprises/campaigns/").content.decode()
    assert "已撤回（已失效）" in index
    html = client.get(f"/admin/enterprises/campaigns/{pushed.pk}/").content.decode()
    assert "撤回通知（已失效）" in html and "通知企业" in html and "已失效" in html
    pushes = client.get(f"/admin/enterprises/campaigns/{pushed.pk}/progress/").json()["pushes"]
    assert [p["matched"] for p in pushes] == [6, 5]  # matched by criteria; told of the withdrawal
