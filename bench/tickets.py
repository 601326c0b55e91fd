"""12345 tickets at scale: load N tickets into PostgreSQL with one set-based INSERT … SELECT
per batch, then measure

* repeat-candidate lookup for a new ticket (``hotline.services.repeat_candidates``, the same
  call the workbench makes): p50 / p99 over random existing callers and addresses;
* intake throughput through the path the public form uses (``PublicTicketForm`` validation,
  then ``PublicTicketForm.file`` → ``hotline.services.intake``: number, ticket, suggested
  department, timeline, SMS receipt queued to the broker after commit), in ``--processes``
  parallel processes (2: one per core), each filing one ticket after the other; plus the
  Python CPU time per ticket and the database round-trips of one filing.

An existing database is reused: only the tickets missing up to ``--tickets`` are loaded, so a
second run starts measuring at once. Run it with ``REDIS_URL`` set, as in production (the
receipt goes to the broker; with no broker Celery runs the delivery inline).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zct_bench_hotline \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python bench/tickets.py               # 1,000,000 tickets (full scale)
    .venv/bin/python bench/tickets.py --tickets 200000  # reduced scale

Prints each figure as ``name: value unit``. Targets: repeat lookup p99 ≤ 50 ms; intake ≥ 200
tickets per second on a two-core machine.
"""

import argparse
import os
import random
import sys
import time
from multiprocessing import Process, Queue

import common

common.prepare("zct_bench_hotline")  # the production settings; tasks to Redis with REDIS_URL


PLACES = ["幸福小区", "阳光花园", "滨江名苑", "湖心公寓", "锦绣家园", "翠竹苑", "建设新村", "东风小区",
          "望月湖小区", "金桥商业街", "铁路新村", "荷花园小区", "新港花园", "枫林小区"]
PROBLEMS = ["门口垃圾堆放多日无人清理", "物业乱收停车费", "夜间施工噪声扰民", "公司拖欠工资不发",
            "电梯经常停运", "路面坑洼积水", "楼下餐馆油烟扰民", "公交站台损坏", "燃气管道有异味",
            "小区绿化被侵占", "健身房闭店不退费", "超市出售过期食品"]
ASKS = ["，请尽快处理。", "，要求相关部门整改。", "，多次反映未解决。", "，希望给个说法。"]


def load(count, batch=100_000):
    from django.db import connection

    from core import demo as core_demo
    from hotline import demo as hotline_demo
    from hotline.models import Category, Ticket

    core_demo.build()
    hotline_demo.build_reference()
    existing = Ticket.objects.filter(number__startswith="B").count()
    cats = list(Category.objects.filter(children__isnull=True).values_list("pk", flat=True))
    from core.models import Division

    divs = list(Division.objects.filter(level=Division.Level.VILLAGE).values_list("pk",
                                                                                   flat=True))
    started = time.perf_counter()
    with connection.cursor() as cur:
        for first in range(existing + 1, count + 1, batch):
            last = min(first + batch - 1, count)
            cur.execute(
                """
                INSERT INTO hotline_ticket (
                    number, channel, status, alert, urgency, category_id, division_id, address,
                    caller_name, caller_phone, content, enterprise_credit_code, enterprise_name,
                    received_at, reply, satisfaction, reopen_count, extension_count,
                    pending_extension_reason)
                SELECT 'B' || lpad(i::text, 9, '0'), 'phone',
                       CASE WHEN i %% 10 < 8 THEN 'closed' ELSE 'handling' END, '', 'normal',
                       (%(cats)s::bigint[])[(1 + i %% %(ncat)s)::int],
                       (%(divs)s::bigint[])[(1 + (i / 3) %% %(ndiv)s)::int],
                       '临江市' || (%(places)s::text[])[(1 + (i * 7) %% %(nplace)s)::int]
                           || ((i * 7919) %% 3000) || '栋',
                       '居民' || (i %% 997),
                       '13' || lpad(((i * 104729) %% 300000)::text, 9, '0'),
                       (%(places)s::text[])[(1 + (i * 7) %% %(nplace)s)::int]
                           || (%(problems)s::text[])[(1 + (i * 13) %% %(nproblem)s)::int]
                           || (%(asks)s::text[])[(1 + i %% %(nask)s)::int],
                       '', '',
                       now() - make_interval(mins => ((i * 7877) %% 525600)::int),
                       '', '', 0, 0, ''
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
                """,
                {"cats": cats, "ncat": len(cats), "divs": divs, "ndiv": len(divs),
                 "places": PLACES, "nplace": len(PLACES), "problems": PROBLEMS,
                 "nproblem": len(PROBLEMS), "asks": ASKS, "nask": len(ASKS),
                 "first": first, "last": last})
            print(f"  loaded {last:,} tickets", file=sys.stderr, flush=True)
        cur.execute("ANALYZE hotline_ticket")
    total = Ticket.objects.count()
    return total, time.perf_counter() - started, count - existing


def lookups(samples):
    from django.db import connection

    from hotline import services
    from hotline.models import Ticket

    rng = random.Random(7)
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM hotline_ticket")
        top = cur.fetchone()[0]
    probes = []
    while len(probes) < samples:
        row = Ticket.objects.filter(pk=rng.randint(1, top)).values(
            "caller_phone", "address", "category_id", "content").first()
        if row:
            probes.append(row)
    timings, found = [], 0
    for probe in probes[:20]:  # warm the cache the way a running server is warm
        services.repeat_candidates(phone=probe["caller_phone"], address=probe["address"],
                                   category_id=probe["category_id"],
                                   content=probe["content"] + "，再次反映")
    for probe in probes:
        started = time.perf_counter()
        result = services.repeat_candidates(
            phone=probe["caller_phone"], address=probe["address"],
            category_id=probe["category_id"], content=probe["content"] + "，再次反映")
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(result)
    timings.sort()
    return timings, found


def form_submissions(seed):
    """What residents type into the public form, endlessly."""
    from hotline.forms import PublicTicketForm

    rng = random.Random(seed)
    form = PublicTicketForm()
    divisions = list(form.fields["division"].queryset.values_list("pk", flat=True))
    categories = list(form.fields["category"].queryset.values_list("pk", flat=True))
    while True:
        yield {"caller_name": "测试居民", "caller_phone": f"139{rng.randint(0, 99_999_999):08d}",
               "division": rng.choice(divisions), "category": rng.choice(categories),
               "address": f"临江市{rng.choice(PLACES)}{rng.randint(1, 3000)}栋",
               "content": rng.choice(PLACES) + rng.choice(PROBLEMS) + rng.choice(ASKS),
               "agree": "on"}


def queries_per_intake(samples=20):
    """Round-trips to the database for one filing through the form, after warming up
    (BEGIN and COMMIT included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline.forms import PublicTicketForm

    submissions = form_submissions(99)
    counts = []
    for _ in range(samples):
        form = PublicTicketForm(next(submissions))
        with CaptureQueriesContext(connection) as captured:
            form.is_valid()
            form.file()
        counts.append(len(captured))
    return counts[-1]


def intake_worker(count, seed, out):
    common.setup_django()
    from django.db import connection

    from hotline.forms import PublicTicketForm

    submissions = form_submissions(seed)
    started, latencies, cpu = time.time(), [], time.process_time()
    for _ in range(count):
        began = time.perf_counter()
        form = PublicTicketForm(next(submissions))
        if not form.is_valid():
            raise SystemExit(form.errors.as_text())
        form.file()
        latencies.append((time.perf_counter() - began) * 1000)
    out.put((count, started, time.time(), latencies, time.process_time() - cpu))
    connection.close()


def intake(total, processes):
    out = Queue()
    per = total // processes
    workers = [Process(target=intake_worker, args=(per, i, out)) for i in range(processes)]
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    # From the first worker starting to file until the last one finished (process start-up
    # and Django set-up are not part of intake).
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    latencies = sorted(ms for r in results for ms in r[3])
    app_cpu_ms = 1000 * sum(r[4] for r in results) / sum(r[0] for r in results)
    return sum(r[0] for r in results), wall, latencies, app_cpu_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="tickets in the table (default: full scale, 1,000,000)")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--intake", type=int, default=2000, help="tickets to file")
    parser.add_argument("--processes", type=int, default=2, help="parallel intake processes")
    args = parser.parse_args()

    common.ensure_database()
    common.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    total, seconds, added = load(args.tickets)
    common.report("tickets_in_table", total, "tickets")
    if added:
        common.report("load_rate", round(added / seconds), "tickets/s")
    timings, found = lookups(args.lookups)
    common.report("repeat_lookup_p50", common.median(timings), "ms")
    common.report("repeat_lookup_p99", common.percentile(timings, 99), "ms")
    common.report("repeat_lookup_with_candidates", round(100 * found / len(timings)), "%")
    from django.db import connection

    connection.close()
    filed, wall, latencies, app_cpu_ms = intake(args.intake, args.processes)
    common.report("intake_throughput", round(filed / wall), "tickets/s")
    common.report("intake_latency_p50", common.median(latencies), "ms")
    common.report("intake_latency_p99", common.percentile(latencies, 99), "ms")
    common.report("intake_app_cpu_per_ticket", app_cpu_ms, "ms")
    common.report("intake_queries_per_ticket", queries_per_intake(), "queries")
    common.report("intake_processes", args.processes, "processes")
    from django.conf import settings

    common.report("celery_eager", int(settings.CELERY_TASK_ALWAYS_EAGER), "flag")
    common.report("load_average_1min", os.getloadavg()[0], "runnable")


if __name__ == "__main__":
    main()
