"""With real Celery workers on Redis: a worker killed in the middle of a batch loses nothing and
sends nothing twice. Its claimed rows stay ``sending``; recovery puts them back, a new worker
sends them again with the same idempotency keys, and the backend drops the repeats."""

import datetime
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.messaging import RecordingBackend
from enterprises import push as pipeline
from enterprises.models import Delivery, Enterprise, Push
from enterprises.validators import make_credit_code
from portal.celery import app as celery_app
from tests.conftest import ROOT, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACKEND = "tests.enterprises.support.SlowRecordingBackend"
COMPANIES = 300  # SMS + email each: 600 deliveries
BATCH = 100  # deliveries per dispatch task, in the test process and the workers
STALL_AT = 250  # the first worker hangs after this many: two batches settled, one half-way


def worker_env():
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.test", TEST_CELERY_WORKER="1",
               MESSAGE_BACKEND=BACKEND, TEST_PUSH_BATCH_SIZE=str(BATCH),
               PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]))
    if settings.IS_POSTGRES:
        env["DATABASE_URL"] = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@"
                               f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    return env


def start_worker(env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    while True:
        line = proc.stdout.readline()
        lines.append(line)
        if "ready." in line:
            return proc
        if not line and proc.poll() is not None:
            pytest.fail("Celery worker did not start:\n" + "".join(lines))


@pytest.fixture
def workers(city, settings):
    env = worker_env()
    subprocess.run([sys.executable, "-m", "celery", "-A", "portal", "purge", "-f"], env=env,
                   cwd=ROOT, capture_output=True, timeout=60)
    settings.MESSAGE_BACKENDS = {**settings.MESSAGE_BACKENDS, "sms": BACKEND, "email": BACKEND}
    settings.ENTERPRISE_PUSH_BATCH_SIZE = BATCH
    RecordingBackend.reset()
    celery_app.conf.task_always_eager = False
    started = []

    def start(**extra_env):
        started.append(start_worker({**env, **extra_env}))
        return started[-1]

    yield start
    celery_app.conf.task_always_eager = True
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    RecordingBackend.reset()


def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
        workers, make_policy, city):
    street = city["divisions"]["street"]
    Enterprise.objects.bulk_create([Enterprise(
        credit_code=make_credit_code(body=f"WK{n:06d}"), name=f"临江测试{n}制造有限公司",
        industry_code="C3911", size_class="small", division=street,
        registered_on=datetime.date(2018, 1, 1), contact_phone=f"139{n:08d}",
        contact_email=f"e{n}@example.com", notify_email=True) for n in range(COMPANIES)])
    first = workers(STALL_AFTER_DELIVERIES=str(STALL_AT))
    page = make_policy(publish=True, audience_industries=["C39"])  # → push_run on the worker
    push = Push.objects.get(policy=page)
    messages = Delivery.objects.filter(push=push, channel__in=["sms", "email"])

    # Kill the worker in the middle of its third batch: the first two sent and marked sent,
    # half of the third delivered but its rows still claimed.
    assert wait_for(lambda: RecordingBackend.count() >= STALL_AT, timeout=60)
    assert wait_for(lambda: messages.filter(status="sent").count() == 2 * BATCH, timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    in_flight = {pipeline.delivery_key(pk) for pk in messages.filter(
        status="sending").values_list("pk", flat=True)}
    claimed = len(in_flight)
    assert claimed > 0, "the worker was not killed in the middle of a batch"
    delivered_before = RecordingBackend.count()
    assert delivered_before < 2 * COMPANIES

    # Recovery (as the beat would run it a few minutes later) and a new worker.
    result = pipeline.recover(now=timezone.now() + timedelta(minutes=10))
    assert result["reset"] == claimed and result["batches"] >= 1
    workers()
    assert wait_for(lambda: Push.objects.get(pk=push.pk).status == Push.Status.DONE,
                    timeout=120)

    assert messages.count() == 2 * COMPANIES
    assert messages.filter(status="sent").count() == 2 * COMPANIES
    delivered = RecordingBackend.delivered()
    assert set(delivered) == {pipeline.delivery_key(pk) for pk in messages.values_list(
        "pk", flat=True)}  # every delivery reached the backend exactly once per key
    assert RecordingBackend.duplicates() >= 1  # re-sent after the crash, dropped as repeats
    phones = [r["to"] for r in delivered.values() if r["channel"] == "sms"]
    assert len(phones) == len(set(phones)) == COMPANIES  # one SMS key per enterprise
    # Raw attempts, before the backend's de-duplication: only what the dead worker had in
    # flight was sent again, once; nothing already marked sent was sent a second time.
    attempts = RecordingBackend.attempts()
    repeated = {key for key, n in attempts.items() if n > 1}
    assert repeated and repeated <= in_flight
    assert max(attempts.values()) == 2
    assert sum(attempts.values()) == 2 * COMPANIES + RecordingBackend.duplicates()
    figures = pipeline.figures(push)  # the campaign view counts each message once
    assert figures.sent == figures.total == Delivery.objects.filter(push=push).count()
    assert figures.failed == figures.pending == 0
