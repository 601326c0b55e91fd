"""Targeted push: a policy going live reaches each matching enterprise at most once per channel,
whatever runs twice, crashes or is published again; preferences decide the channels; failures
are retried with backoff and then recorded with their reason; recovery finishes what was left."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.messaging import DeliveryError, RecordingBackend
from enterprises import push as pipeline
from enterprises.models import Delivery, Push
from enterprises.tasks import push_run
from interpretations.models import PolicyPage
from tests.enterprises.support import complete, publish_revision, rows

pytestmark = pytest.mark.django_db

C, S = Delivery.Channel, Delivery.Status


def sent_to(backend):
    return sorted((r["channel"], r["to"]) for r in backend.delivered().values())


# --- trigger ------------------------------------------------------------------------------------


def test_publish_records_push_in_its_transaction_and_queues_after_commit(
        make_push_policy, companies, recording, django_capture_on_commit_callbacks, sign_off,
        reviewers_for):
    page = make_push_policy(publish=False)
    reviewers = reviewers_for(page)  # made outside the transaction that rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sign_off(page, reviewers).live  # the last approval publishes
        assert Push.objects.filter(policy=page).count() == 1
        raise RuntimeError  # the publish rolls back, and its push with it
    assert not Push.objects.filter(policy=page).exists()
    assert not PolicyPage.objects.get(pk=page.pk).live

    with django_capture_on_commit_callbacks(execute=True):
        sign_off(page, reviewers)
        assert recording.count() == 0  # nothing is sent before the publish commits
    push = Push.objects.get(policy=page)
    assert push.kind == Push.Kind.INITIAL and push.status == Push.Status.DONE
    assert push.title == page.title and "行业" in push.summary
    assert push.matched == 5  # every 制造业 enterprise, including the one that opted out
    assert sent_to(recording) == [("email", "hr@example.com"), ("sms", "13912345678")]


def test_policy_without_criteria_is_not_pushed(make_policy, companies, recording):
    make_policy(publish=True)
    assert not Push.objects.exists()


def test_republishing_sends_nothing_new(make_push_policy, companies, recording, sign_off):
    page = make_push_policy()
    push = complete(Push.objects.get(policy=page))
    before = (rows(push).count(), recording.count())

    page.live_revision.publish()  # the same (signed) revision again
    publish_revision(sign_off, PolicyPage.objects.get(pk=page.pk), summary="措辞调整")  # minor
    for pending in Push.objects.exclude(pk=push.pk):
        complete(pending)
    assert Push.objects.filter(policy=page).count() == 1
    assert (rows(push).count(), recording.count()) == before


def test_significant_change_sends_one_update(make_push_policy, companies, recording, sign_off):
    page = make_push_policy()
    complete(Push.objects.get(policy=page))
    first_round = recording.count()

    revision = publish_revision(sign_off, PolicyPage.objects.get(pk=page.pk),
                                change_kind=PolicyPage.ChangeKind.SIGNIFICANT,
                                change_note="申报截止日期延长至6月30日")
    revision.publish()  # published twice: still one update for this revision
    update = Push.objects.get(policy=page, kind=Push.Kind.UPDATE)
    assert update.revision_id == revision.pk and update.note == "申报截止日期延长至6月30日"
    complete(update)
    complete(update)
    assert recording.count() == 2 * first_round
    bodies = [r["body"] for r in recording.delivered().values() if "重要更新" in r["body"]]
    assert len(bodies) == 2 and all("6月30日" in b for b in bodies)
    assert recording.duplicates() == 0


def test_a_mark_on_the_first_publish_sends_only_the_initial_push(make_push_policy, companies,
                                                                 recording):
    page = make_push_policy(change_kind=PolicyPage.ChangeKind.SIGNIFICANT, change_note="首次发布")
    page.live_revision.publish()
    assert pipeline.recover()["created"] == 0
    assert list(Push.objects.filter(policy=page).values_list("kind", flat=True)) == ["initial"]


# --- at most once -------------------------------------------------------------------------------


def test_fan_out_twice_records_and_sends_once(make_push_policy, companies, recording):
    push = Push.objects.get(policy=make_push_policy())
    first = pipeline.record_deliveries(push)
    assert pipeline.record_deliveries(push) == 0  # the second INSERT … SELECT adds nothing
    assert rows(push).count() == first
    push_run(push.pk)
    push_run(push.pk)  # a duplicate queue message
    pipeline.queue_dispatch(push.pk)
    pipeline.queue_dispatch(push.pk)  # and duplicate batches
    assert rows(push).count() == first
    assert recording.count() == rows(push, channel__in=[C.SMS, C.EMAIL], status=S.SENT).count()
    assert recording.duplicates() == 0
    assert Push.objects.get(pk=push.pk).status == Push.Status.DONE


def test_a_claimed_batch_is_not_sent_by_a_second_worker(make_push_policy, companies, recording):
    push = Push.objects.get(policy=make_push_policy())
    pipeline.run(push.pk)
    (first, last), = pipeline.batches(push.pk)
    token = timezone.now()
    claimed = pipeline._claim(push.pk, first, last, token)  # worker A holds the rows
    assert claimed and pipeline._claim(push.pk, first, last, timezone.now()) == []
    assert pipeline.dispatch(push.pk, first, last).sent == 0  # worker B finds nothing to send
    assert recording.count() == 0


# --- preferences --------------------------------------------------------------------------------


def test_channels_follow_each_enterprises_preferences(make_push_policy, companies, recording):
    push = complete(Push.objects.get(policy=make_push_policy()))
    got = {(d.enterprise_id, d.channel): d.status for d in rows(push)}
    c = {name: e.pk for name, e in companies.items()}
    assert got == {
        (c["immediate"], C.INBOX): S.SENT, (c["immediate"], C.SMS): S.SENT,
        (c["immediate"], C.EMAIL): S.SENT,
        (c["digest"], C.INBOX): S.SENT, (c["digest"], C.SMS): S.DIGEST,
        (c["digest"], C.EMAIL): S.DIGEST,
        (c["sms_off"], C.INBOX): S.SENT,  # SMS switched off
        (c["no_phone"], C.INBOX): S.SENT,  # no phone, no SMS
    }  # "silent" chose 不接收推送; "outsider" does not match
    assert push.status == Push.Status.DONE  # digest rows wait without holding the push open


def test_digest_sends_one_message_per_enterprise_and_channel(make_push_policy, companies,
                                                             recording):
    complete(Push.objects.get(policy=make_push_policy(title="关于支持制造业数字化转型的若干措施")))
    complete(Push.objects.get(policy=make_push_policy(title="制造业企业技术改造补助办法")))
    digest = companies["digest"]
    immediate_messages = recording.count()
    today = timezone.localtime()
    # Before the next digest time nothing goes out: these rows wait for it.
    assert pipeline.send_digests(now=today.replace(hour=8)) == 0
    assert recording.count() == immediate_messages

    tomorrow = today.replace(hour=10) + timedelta(days=1)
    assert pipeline.send_digests(now=tomorrow) == 1  # one enterprise
    digests = [r for k, r in recording.delivered().items() if k.startswith("push-digest:")]
    assert sorted(r["channel"] for r in digests) == ["email", "sms"]
    assert all("2条政策消息" in r["body"] for r in digests)
    email = next(r for r in digests if r["channel"] == "email")
    assert "数字化转型" in email["body"] and "技术改造" in email["body"]
    assert not Delivery.objects.filter(enterprise=digest, status=S.DIGEST).exists()
    assert Delivery.objects.filter(enterprise=digest, channel=C.SMS, status=S.SENT).count() == 2
    assert pipeline.send_digests(now=tomorrow) == 0  # run twice: nothing more
    assert recording.count() == immediate_messages + 2
    assert recording.duplicates() == 0


# --- failures and retries -----------------------------------------------------------------------


class FlakyBackend(RecordingBackend):
    """Fails every SMS with a transient error; email goes through."""

    def send_batch(self, items):
        failures = {i.key: DeliveryError("短信网关超时") for i in items if i.channel == "sms"}
        super().send_batch([i for i in items if i.key not in failures])
        return failures


class RejectingBackend(RecordingBackend):
    def send_batch(self, items):
        return {i.key: DeliveryError("号码无效", permanent=True) for i in items}


def test_transient_failure_is_retried_with_backoff_then_failed(make_push_policy, companies,
                                                              recording, settings):
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS,
                                 "sms": "tests.enterprises.test_push.FlakyBackend"}
    settings.ENTERPRISE_PUSH_MAX_ATTEMPTS = 3
    push = complete(Push.objects.get(policy=make_push_policy()))
    sms = rows(push, channel=C.SMS, enterprise=companies["immediate"]).get()
    assert (sms.status, sms.attempts, sms.error) == (S.PENDING, 1, "短信网关超时")
    assert sms.retry_at - timezone.now() > timedelta(seconds=50)  # backoff, not at once
    assert push.status == Push.Status.DISPATCHING
    assert pipeline.dispatch(push.pk, sms.pk, sms.pk).sent == 0  # not due yet: left alone
    delays = []
    for _ in range(2):
        Delivery.objects.filter(pk=sms.pk).update(retry_at=timezone.now() - timedelta(seconds=1))
        pipeline.dispatch(push.pk, sms.pk, sms.pk)
        sms.refresh_from_db()
        if sms.retry_at:
            delays.append(sms.retry_at - timezone.now())
    assert (sms.status, sms.attempts, sms.error) == (S.FAILED, 3, "短信网关超时")
    assert delays[0] > timedelta(seconds=110)  # the second wait is twice the first
    assert Push.objects.get(pk=push.pk).status == Push.Status.DONE
    assert pipeline.figures(push).failed == 1


def test_permanent_failure_is_not_retried(make_push_policy, companies, recording, settings):
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS,
                                 "sms": "tests.enterprises.test_push.RejectingBackend"}
    push = complete(Push.objects.get(policy=make_push_policy()))
    failed = rows(push, channel=C.SMS, status=S.FAILED)
    assert failed.count() == 1 and failed.get().error == "号码无效" and failed.get().attempts == 1


def test_campaign_figures_follow_sending_retries_digests_and_reads(make_push_policy, companies,
                                                                   recording, settings):
    """The figures the campaign view shows are kept on the push as the rows change, and
    always equal a count of the rows themselves."""
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS,
                                 "sms": "tests.enterprises.test_push.FlakyBackend"}
    settings.ENTERPRISE_PUSH_MAX_ATTEMPTS = 2

    def shown(push):
        stored = pipeline.figures(Push.objects.get(pk=push.pk))
        pipeline.recount([push.pk])
        assert pipeline.figures(Push.objects.get(pk=push.pk)) == stored  # kept = counted
        return stored

    push = complete(Push.objects.get(policy=make_push_policy()))
    # 4 inbox messages and 1 email sent; 1 SMS waiting for its retry; 2 waiting for the digest.
    f = shown(push)
    assert (f.matched, f.total, f.sent, f.failed, f.pending, f.digest, f.read) == (
        5, 8, 5, 0, 1, 2, 0)
    sms = rows(push, channel=C.SMS, enterprise=companies["immediate"]).get()
    Delivery.objects.filter(pk=sms.pk).update(retry_at=timezone.now() - timedelta(seconds=1))
    pipeline.dispatch(push.pk, sms.pk, sms.pk)
    assert (shown(push).sent, shown(push).failed, shown(push).pending) == (5, 1, 0)

    tomorrow = timezone.localtime().replace(hour=10) + timedelta(days=1)
    pipeline.send_digests(now=tomorrow)  # the email digest goes; the SMS one is retried
    assert (shown(push).sent, shown(push).failed, shown(push).digest) == (6, 1, 1)
    pipeline.send_digests(now=tomorrow)  # the SMS digest fails for good
    assert (shown(push).sent, shown(push).failed, shown(push).digest) == (6, 2, 0)

    # Read: enterprises, not messages. Opening a second message of the same push, or the same
    # message again, adds no reader.
    immediate = rows(push, enterprise=companies["immediate"])
    assert pipeline.mark_read(immediate.get(channel=C.INBOX)) == 1
    assert pipeline.mark_read(immediate.get(channel=C.EMAIL)) == 1
    assert pipeline.mark_read(immediate.get(channel=C.EMAIL)) == 0
    assert shown(push).read == 1
    pipeline.mark_read(rows(push, enterprise=companies["sms_off"]).get())
    assert shown(push).read == 2
    assert immediate.filter(read_at__isnull=False).count() == 2  # each message keeps its open

    companies["immediate"].delete()  # its messages go with it, and out of the figures
    f = shown(push)
    assert (f.total, f.sent, f.failed, f.read) == (5, 4, 1, 1)


# --- recovery -----------------------------------------------------------------------------------


def test_broker_down_at_publish_loses_nothing(make_push_policy, companies, recording, sign_off,
                                              monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    page = make_push_policy(publish=False)
    with monkeypatch.context() as patched:
        patched.setattr(push_run, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            sign_off(page)  # the last reviewer sees no error
    push = Push.objects.get(policy=page)
    assert push.status == Push.Status.PENDING and not rows(push).exists()

    assert pipeline.recover()["runs"] == 0  # not stale yet: it may still be in a queue
    later = timezone.now() + timedelta(minutes=10)
    assert pipeline.recover(now=later)["runs"] == 1
    # Eager mode ran the queued run; its dispatch waits for the commit, so finish by hand.
    pipeline.queue_dispatch(push.pk)
    push.refresh_from_db()
    assert push.status == Push.Status.DONE and recording.count() == 2


def test_recovery_resends_stale_sending_rows_with_the_same_key(make_push_policy, companies,
                                                               recording):
    push = Push.objects.get(policy=make_push_policy())
    pipeline.run(push.pk)
    (first, last), = pipeline.batches(push.pk)
    claimed_at = timezone.now() - timedelta(minutes=30)
    claimed = pipeline._claim(push.pk, first, last, claimed_at)
    # The worker sent one message, then died before marking anything.
    pk = claimed[0][0]
    RecordingBackend().send_batch([pipeline.compose(push, C.SMS, pipeline.delivery_key(pk),
                                                    "13912345678", "企业", "http://x/")])
    assert rows(push, status=S.SENDING).count() == len(claimed)

    result = pipeline.recover()
    assert result["reset"] == len(claimed) and result["batches"] == 1
    assert not rows(push, status__in=[S.PENDING, S.SENDING]).exists()
    assert recording.count() == len(claimed)  # each key delivered once
    assert recording.duplicates() == 1  # the repeat was dropped by the backend
    assert Push.objects.get(pk=push.pk).status == Push.Status.DONE


def test_recovery_requeues_idle_pending_deliveries(make_push_policy, companies, recording):
    push = Push.objects.get(policy=make_push_policy())
    pipeline.run(push.pk)  # matched, but the batches were never queued (worker died)
    assert recording.count() == 0
    assert pipeline.recover()["batches"] == 0  # the push is not idle yet
    assert pipeline.recover(now=timezone.now() + timedelta(minutes=10))["batches"] == 1
    assert recording.count() == 2
    assert Push.objects.get(pk=push.pk).status == Push.Status.DONE


def test_recovery_creates_a_push_a_crash_lost(make_push_policy, companies, recording):
    page = make_push_policy()
    Push.objects.filter(policy=page).delete()  # committed page, lost push row
    assert pipeline.recover()["created"] == 1
    assert Push.objects.filter(policy=page, kind=Push.Kind.INITIAL).count() == 1
    assert pipeline.recover()["created"] == 0


# --- messages and read tracking -----------------------------------------------------------------


def test_messages_say_what_and_why_with_a_tracking_link(make_push_policy, companies, recording,
                                                       client):
    page = make_push_policy(title="临江市制造业企业研发费用补助办法")
    push = complete(Push.objects.get(policy=page))
    sms = rows(push, channel=C.SMS, enterprise=companies["immediate"]).get()
    message = recording.delivered()[pipeline.delivery_key(sms.pk)]
    assert "临江市制造业企业研发费用补助办法" in message["body"]
    assert "制造业" in message["body"]  # why: the criteria summary
    link = message["body"].rsplit("查看：", 1)[1]
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302 and response["Location"] == page.url
    sms.refresh_from_db()
    assert sms.read_at is not None
    assert pipeline.figures(push).read == 1
    first_read = sms.read_at
    client.get("/" + path)
    sms.refresh_from_db()
    assert sms.read_at == first_read  # the first open counts


def test_forged_tracking_token_is_404(make_push_policy, companies, recording, client):
    push = complete(Push.objects.get(policy=make_push_policy()))
    sms = rows(push, channel=C.SMS).first()
    token = pipeline.track_token(sms.pk)
    forged = f"{sms.pk + 1}.{token.split('.', 1)[1]}"
    assert client.get(f"/enterprise/r/{forged}/").status_code == 404
    assert client.get("/enterprise/r/garbage/").status_code == 404
    assert not Delivery.objects.filter(read_at__isnull=False).exists()
