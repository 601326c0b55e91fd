"""Targeted policy push at scale: load N enterprise profiles into PostgreSQL with one set-based
INSERT … SELECT per batch (industries, sizes, districts, ages, qualifications and notification
preferences with realistic skew), then measure for a typical policy (制造业中小微企业, 成立满一年,
不含失信被执行人):

* ``match_1m_seconds`` — counting the matching enterprises (``criteria.matching_enterprises``,
  the query the push records from), median of 5 warm runs;
* ``record_deliveries_per_second`` — recording one delivery per matched enterprise and channel
  (``enterprises.push.record_deliveries``: one INSERT … SELECT … ON CONFLICT DO NOTHING);
* ``campaign_figures_ms`` — the figures the campaign view polls while the push runs
  (``enterprises.push.figures``), right after recording, when the most rows are waiting;
* ``payout_figures_ms`` — the 兑现台账 figures of the same policy marked 免申即享 with
  ``--payouts`` (100,000) payouts recorded (``enterprises.payouts.figures``: eligible, paid,
  unpaid, overdue; what the 免申即享 page shows), median of 5 warm runs;
* ``dispatch_deliveries_per_second`` — sending every pending SMS/email delivery through one real
  Celery worker on Redis (prefork pool, one process per core: ``--concurrency 2``; ``1`` runs the
  solo pool) with the recording backend (``core.messaging.RecordingBackend``), from queueing the
  batches until the push is done. The backend's count is checked against the rows marked sent.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zct_bench_enterprises \\
    REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/enterprises.py
    .venv/bin/python bench/enterprises.py --enterprises 200000    # reduced scale

Prints each figure as ``name: value unit``. Targets on a two-core machine: matching 1,000,000
profiles ≤ 2 s; recording ≥ 100,000 deliveries/s; dispatch ≥ 5,000 deliveries/s.
The 兑现台账 figures scan the eligible enterprises once: about the matching time plus the join
of the payouts (proposed target ≤ 500 ms).
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import common

common.prepare("zct_bench_enterprises")

CODE_PREFIX = "91439900B"  # bench enterprises: 9 + 1 + a made-up division + B + serial
# Share of enterprises per GB/T 4754 section (门类); the rest spread over the others.
SECTION_WEIGHTS = {"C": 28, "F": 24, "I": 8, "L": 8, "M": 6, "E": 5, "G": 5, "H": 5, "K": 2,
                   "O": 3, "R": 2, "A": 2, "P": 1, "Q": 1}
QUALIFICATIONS = [("高新技术企业", 0.05), ("专精特新中小企业", 0.015), ("科技型中小企业", 0.07),
                  ("失信被执行人", 0.01)]

LOAD_SQL = """
INSERT INTO enterprises_enterprise (
    credit_code, name, industry_code, size_class, division_id, headcount, revenue, registered_on,
    status, contact_name, contact_phone, contact_email, notify_inbox, notify_sms, notify_email,
    notify_frequency, created_at, updated_at)
SELECT %(prefix)s || lpad(g.i::text, 9, '0'),
       '临江' || g.i || '号' || (%(trades)s::text[])[1 + g.i %% 6] || '有限公司',
       (%(industries)s::text[])[1 + floor(g.r1 * %(nind)s)::int],
       CASE WHEN g.r2 < 0.70 THEN 'micro' WHEN g.r2 < 0.90 THEN 'small'
            WHEN g.r2 < 0.98 THEN 'medium' ELSE 'large' END,
       (%(divisions)s::bigint[])[1 + floor(g.r3 * %(ndiv)s)::int],
       CASE WHEN g.r2 < 0.70 THEN 1 + floor(g.r4 * 19) WHEN g.r2 < 0.90 THEN 20 + floor(g.r4 * 280)
            WHEN g.r2 < 0.98 THEN 300 + floor(g.r4 * 700) ELSE 1000 + floor(g.r4 * 9000) END,
       round((CASE WHEN g.r2 < 0.70 THEN g.r4 * 300 WHEN g.r2 < 0.90 THEN 300 + g.r4 * 2000
                   WHEN g.r2 < 0.98 THEN 2000 + g.r4 * 38000 ELSE 40000 + g.r4 * 200000
              END)::numeric, 2),
       date '2025-12-31' - floor(power(g.r5, 1.8) * 11000)::int,
       CASE WHEN g.r6 < 0.92 THEN 'operating' WHEN g.r6 < 0.95 THEN 'suspended'
            WHEN g.r6 < 0.97 THEN 'revoked' WHEN g.r6 < 0.99 THEN 'cancelled' ELSE 'moved' END,
       CASE WHEN g.r7 < 0.85 THEN '联系人' || (g.i %% 997) ELSE '' END,
       CASE WHEN g.r7 < 0.85 THEN '13' || lpad(((g.i * 7919) %% 1000000000)::text, 9, '0')
            ELSE '' END,
       CASE WHEN g.r8 < 0.45 THEN 'e' || g.i || '@example.com' ELSE '' END,
       g.r9 < 0.97, g.r10 < 0.90, g.r11 < 0.35,
       CASE WHEN g.r12 < 0.80 THEN 'immediate' WHEN g.r12 < 0.95 THEN 'digest' ELSE 'none' END,
       now(), now()
FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
             random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10,
             random() AS r11, random() AS r12
      FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i) AS g
"""


def industry_pool(size=10_000):
    """Class-level (小类) codes drawn with the section weights, as an array to index into."""
    from enterprises.models import Industry

    by_section = {}
    for code in Industry.objects.filter(level=Industry.Level.CLASS).values_list("code", flat=True):
        by_section.setdefault(code[0], []).append(code)
    rng = random.Random(4754)
    sections = sorted(by_section)
    weights = [SECTION_WEIGHTS.get(s, 0.5) for s in sections]
    return [rng.choice(by_section[rng.choices(sections, weights)[0]]) for _ in range(size)]


def load(count, batch=250_000):
    from django.db import connection

    from core import demo as core_demo
    from core.models import Division
    from enterprises.models import Enterprise, Qualification

    core_demo.build()
    bench = Enterprise.objects.filter(credit_code__startswith=CODE_PREFIX)
    existing = bench.count()
    if existing >= count:
        return existing, 0, 0
    industries = industry_pool()
    divisions = list(Division.objects.filter(level__gte=Division.Level.TOWNSHIP)
                     .values_list("pk", flat=True))
    quals = {name: Qualification.objects.get_or_create(name=name)[0].pk
             for name, _share in QUALIFICATIONS}
    through = Enterprise.qualifications.through._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cur:
        for first in range(existing + 1, count + 1, batch):
            last = min(first + batch - 1, count)
            cur.execute(LOAD_SQL, {
                "prefix": CODE_PREFIX, "trades": ["科技", "制造", "贸易", "服务", "建设", "信息"],
                "industries": industries, "nind": len(industries), "divisions": divisions,
                "ndiv": len(divisions), "first": first, "last": last})
            print(f"  loaded {last:,} enterprises", file=sys.stderr, flush=True)
        for name, share in QUALIFICATIONS:
            cur.execute(f"""
                INSERT INTO {through} (enterprise_id, qualification_id)
                SELECT id, %s FROM enterprises_enterprise
                WHERE credit_code LIKE %s AND credit_code > %s AND random() < %s
                ON CONFLICT DO NOTHING""",
                        [quals[name], CODE_PREFIX + "%", CODE_PREFIX + str(existing).zfill(9),
                         share])
        cur.execute(f"ANALYZE enterprises_enterprise; ANALYZE {through}")
    return bench.count(), time.perf_counter() - started, count - existing


def typical_policy():
    """制造业中小微企业, 成立满一年, 不含失信被执行人 — a page in the policy section, not
    published (the benchmark drives the push itself)."""
    from core.demo import ensure_section
    from enterprises.models import Qualification
    from interpretations.models import PolicyIndexPage, PolicyPage

    index = ensure_section("policies", "政策文件", PolicyIndexPage, intro="")
    policy = PolicyPage.objects.filter(slug="bench-typical-policy").first()
    if policy is None:
        policy = PolicyPage(title="临江市支持制造业中小微企业高质量发展的若干措施",
                            slug="bench-typical-policy", live=False, body="<p>基准测试。</p>",
                            audience_industries=["C"],
                            audience_sizes=["medium", "small", "micro"], audience_age_min=1)
        policy.audience_exclude_qualifications = [
            Qualification.objects.get(name="失信被执行人")]
        index.add_child(instance=policy)
    return policy


def fresh_push(policy):
    from django.db import connection

    from enterprises.models import Push

    with connection.cursor() as cur:  # a clean slate: earlier runs' deliveries are dropped
        cur.execute("TRUNCATE enterprises_delivery, enterprises_push")
    return Push.objects.create(policy=policy, title=policy.title, status=Push.Status.MATCHING)


def record_payouts(policy, count):
    """The policy marked 免申即享, live for 30 days, with ``count`` payouts to its first eligible
    enterprises, inserted with one INSERT … SELECT (earlier runs' payouts are dropped)."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Page

    from enterprises import criteria
    from interpretations.models import PolicyPage

    PolicyPage.objects.filter(pk=policy.pk).update(exempt_application=True)
    Page.objects.filter(pk=policy.pk).update(
        first_published_at=timezone.now() - timedelta(days=30))
    policy.refresh_from_db()
    eligible, params = criteria.matching_ids(policy).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE enterprises_payout")
        cur.execute(f"""
            INSERT INTO enterprises_payout (policy_id, enterprise_id, amount, paid_on, voucher,
                                            created_at)
            SELECT %s, e.id, 1000 + e.id %% 9000, current_date - (e.id %% 25)::int,
                   'BENCH-' || e.id, now()
            FROM ({eligible}) AS e (id) ORDER BY e.id LIMIT %s""", [policy.pk, *params, count])
        recorded = cur.rowcount
        cur.execute("ANALYZE enterprises_payout")
    return policy, recorded


def start_worker(log_path, concurrency):
    env = dict(os.environ, MESSAGE_BACKEND="core.messaging.RecordingBackend",
               PYTHONPATH=os.pathsep.join([str(common.ROOT / "site"), str(common.ROOT)]))
    subprocess.run([sys.executable, "-m", "celery", "-A", "portal", "purge", "-f"], env=env,
                   cwd=common.ROOT, capture_output=True, timeout=60)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker",
         *(["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]),
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=common.ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if "ready." in Path(log_path).read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    sys.exit("The Celery worker did not start:\n" + Path(log_path).read_text(errors="replace"))


def dispatch(push, log_path, concurrency):
    from core.messaging import RecordingBackend
    from enterprises import push as pipeline
    from enterprises.models import Delivery, Push

    pending = Delivery.objects.filter(push=push, status=Delivery.Status.PENDING).count()
    RecordingBackend.reset()
    Push.objects.filter(pk=push.pk).update(status=Push.Status.DISPATCHING)
    worker = start_worker(log_path, concurrency)
    try:
        started = time.perf_counter()
        batches = pipeline.queue_dispatch(push.pk)
        while Push.objects.filter(pk=push.pk).values_list("status", flat=True).get() != "done":
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    delivered, duplicates = RecordingBackend.count(), RecordingBackend.duplicates()
    RecordingBackend.reset()
    return pending, batches, seconds, delivered, duplicates


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_000_000,
                        help="enterprises in the table (default: full scale, 1,000,000)")
    parser.add_argument("--no-dispatch", action="store_true", help="skip the worker part")
    parser.add_argument("--payouts", type=int, default=100_000,
                        help="payouts recorded for the 免申即享 figures (default: 100,000)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="deliveries per dispatch task (default: ENTERPRISE_PUSH_BATCH_SIZE)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="processes of the one worker: 2 (prefork, one per core) by "
                             "default; 1 runs it with the solo pool")
    args = parser.parse_args()

    common.ensure_database()
    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.batch_size:
        settings.ENTERPRISE_PUSH_BATCH_SIZE = args.batch_size  # batches are planned here
    total, seconds, added = load(args.enterprises)
    common.report("enterprises_in_table", total, "enterprises")
    if added:
        common.report("load_rate", round(added / seconds), "enterprises/s")

    from enterprises import criteria
    from enterprises import push as pipeline
    from enterprises.models import Delivery

    policy = typical_policy()
    matching = criteria.matching_enterprises(policy)
    matched = matching.count()  # warm-up
    timings = common.timed(matching.count, runs=5)
    common.report("matched_enterprises", matched, "enterprises")
    common.report("match_1m_seconds", common.median(timings) / 1000, "s", digits=3)

    push = fresh_push(policy)
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        recorded = pipeline.record_deliveries(push)
    seconds = time.perf_counter() - started
    common.report("deliveries_recorded", recorded, "deliveries")
    common.report("record_seconds", seconds, "s", digits=3)
    common.report("record_deliveries_per_second", round(recorded / seconds), "deliveries/s")
    assert pipeline.record_deliveries(push) == 0, "recording twice must add nothing"
    pipeline.recount([push.pk])  # as ``run`` does after recording
    timings = common.timed(lambda: pipeline.figures(push), runs=5)
    common.report("campaign_figures_ms", common.median(timings), "ms", digits=1)

    from enterprises import payouts

    policy, paid = record_payouts(policy, args.payouts)
    ledger = payouts.figures(policy)  # warm-up
    assert ledger.paid == ledger.paid_eligible == paid, "payouts go to eligible enterprises"
    timings = common.timed(lambda: payouts.figures(policy), runs=5)
    common.report("payouts_recorded", paid, "payouts")
    common.report("payout_unpaid", ledger.unpaid, "enterprises")
    common.report("payout_figures_ms", common.median(timings), "ms", digits=1)

    if args.no_dispatch:
        return
    if not settings.REDIS_URL:
        sys.exit("dispatch needs a broker: set REDIS_URL=redis://127.0.0.1:6379/<n>")
    log_path = common.ROOT / "var" / "bench-enterprises-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    pending, batches, seconds, delivered, duplicates = dispatch(push, log_path,
                                                                  args.concurrency)
    sent = Delivery.objects.filter(push=push, status="sent").exclude(channel="inbox").count()
    common.report("dispatch_batches", batches, "batches")
    common.report("dispatch_seconds", seconds, "s", digits=1)
    common.report("dispatch_deliveries_per_second", round(pending / seconds), "deliveries/s")
    common.report("dispatch_delivered_at_backend", delivered, "deliveries")
    common.report("dispatch_marked_sent", sent, "deliveries")
    common.report("dispatch_duplicates_dropped", duplicates, "deliveries")
    if not delivered == sent == pending:
        sys.exit(f"dispatch lost or repeated messages: {pending} pending, {sent} marked sent, "
                 f"{delivered} at the backend")


if __name__ == "__main__":
    main()
