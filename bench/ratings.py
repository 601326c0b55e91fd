"""好差评 figures at scale: load N ratings (each with its window service, and a 差评整改 case for
every 差评) into PostgreSQL with one set-based INSERT … SELECT per batch, spread over the last
365 days, then time the dashboard's figures (``ratings.metrics``, the same calls the admin
dashboard makes) for one month and for the whole year, across all departments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zct_bench_ratings \\
        .venv/bin/python bench/ratings.py                  # 1,000,000 ratings (full scale)
    .venv/bin/python bench/ratings.py --ratings 200000     # reduced scale

Prints each figure as ``name: value unit``. Target: the year's figures across all departments
(summary + by department + by month) p95 ≤ 300 ms.
"""

import argparse
import time
from datetime import timedelta

import common

common.prepare("zct_bench_ratings")


def reference():
    """One window and three service items per department of the demo city."""
    from core import demo as core_demo
    from core.models import Organisation
    from ratings.models import ServiceItem, ServiceWindow

    core_demo.build()
    departments = list(Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT))
    for n, org in enumerate(departments, start=1):
        ServiceWindow.objects.get_or_create(hall="基准测试大厅", number=str(n),
                                            defaults={"organisation": org})
        for k in range(3):
            ServiceItem.objects.get_or_create(organisation=org, name=f"{org.short_name}事项{k + 1}")
    return len(departments)


LOAD_SQL = """
WITH w AS (
    SELECT array_agg(sw.id ORDER BY sw.id) AS windows,
           array_agg(sw.organisation_id ORDER BY sw.id) AS orgs
    FROM ratings_servicewindow sw WHERE sw.hall = '基准测试大厅'
), g AS (
    SELECT s, 1 + (hashint %% cardinality(w.windows)) AS wi, w.windows, w.orgs,
           random() AS r, random() AS r2, random() AS r3,
           %(now)s::timestamptz - (random() * interval '365 days') AS served
    FROM generate_series(%(first)s, %(last)s) s, w,
         LATERAL (SELECT (s * 2654435761) %% 2147483647 AS hashint) h
), ev AS (
    INSERT INTO ratings_serviceevent (window_id, organisation_id, item_id, staff_name, phone,
                                      served_at, source)
    SELECT g.windows[g.wi], g.orgs[g.wi],
           (SELECT i.id FROM ratings_serviceitem i WHERE i.organisation_id = g.orgs[g.wi]
            ORDER BY i.id OFFSET (g.s %% 3) LIMIT 1),
           '', '139' || lpad((g.s %% 100000000)::text, 8, '0'), g.served, 'import'
    FROM g
    RETURNING id, organisation_id, item_id, served_at
)
INSERT INTO ratings_rating (event_id, organisation_id, item, channel, level, is_default, reason,
                            comment, phone, served_at, rated_at, ip_hash, device_hash, status,
                            status_note)
SELECT x.id, x.organisation_id, it.name,
       CASE WHEN x.r < 0.2 THEN 'default' WHEN x.r < 0.5 THEN 'qr'
            WHEN x.r < 0.8 THEN 'sms_link' ELSE 'sms_reply' END,
       CASE WHEN x.r < 0.2 THEN 3 ELSE
            CASE WHEN x.r2 < 0.6 THEN 5 WHEN x.r2 < 0.84 THEN 4 WHEN x.r2 < 0.93 THEN 3
                 WHEN x.r2 < 0.98 THEN 2 ELSE 1 END END,
       x.r < 0.2,
       CASE WHEN x.r >= 0.2 AND x.r2 >= 0.93 THEN 'slow' ELSE '' END,
       '', '', x.served_at, x.served_at + interval '3 hours', '', '',
       CASE WHEN x.r3 < 0.001 THEN 'flagged' WHEN x.r3 < 0.002 THEN 'excluded' ELSE 'counted' END,
       ''
FROM (SELECT ev.*, random() AS r, random() AS r2, random() AS r3 FROM ev) x
     JOIN ratings_serviceitem it ON it.id = x.item_id
"""

CASES_SQL = """
INSERT INTO ratings_badratingcase (rating_id, organisation_id, stage, created_at, callback_due,
    rectify_due, callback_at, callback_note, rectified_at, rectify_note, followup_level,
    followup_at, closed_at, overdue, ticket_reopened)
SELECT r.id, r.organisation_id,
       CASE WHEN x.p < 0.05 THEN 'callback' WHEN x.p < 0.15 THEN 'rectifying'
            WHEN x.p < 0.25 THEN 'feedback' ELSE 'closed' END,
       r.rated_at, r.rated_at + interval '1 day', r.rated_at + interval '21 days',
       CASE WHEN x.p >= 0.05 THEN r.rated_at + interval '5 hours' END, '',
       CASE WHEN x.p >= 0.15 THEN r.rated_at + interval '6 days' END, '',
       CASE WHEN x.p >= 0.25 THEN 1 + floor(random() * 5)::int END,
       CASE WHEN x.p >= 0.25 THEN r.rated_at + interval '8 days' END,
       CASE WHEN x.p >= 0.25 THEN r.rated_at + interval '8 days' END,
       false, false
FROM (SELECT r.*, random() AS p FROM ratings_rating r
      WHERE r.id BETWEEN %(lo)s AND %(hi)s AND r.is_default = false AND r.level <= 2) r,
     LATERAL (SELECT r.p) x
"""


def load(count, batch=100_000):
    from django.db import connection
    from django.utils import timezone

    from ratings.models import Rating

    existing = Rating.objects.count()
    started = time.perf_counter()
    now = timezone.now()
    with connection.cursor() as cur:
        for first in range(existing + 1, count + 1, batch):
            last = min(first + batch - 1, count)
            cur.execute("SELECT coalesce(max(id), 0) FROM ratings_rating")
            lo = cur.fetchone()[0] + 1
            cur.execute(LOAD_SQL, {"first": first, "last": last, "now": now})
            cur.execute("SELECT coalesce(max(id), 0) FROM ratings_rating")
            hi = cur.fetchone()[0]
            cur.execute(CASES_SQL, {"lo": lo, "hi": hi})
        cur.execute("VACUUM (ANALYZE) ratings_rating")
        cur.execute("VACUUM (ANALYZE) ratings_badratingcase")
    loaded = time.perf_counter() - started
    from ratings import rollup

    started = time.perf_counter()
    rollup.refresh()  # the triggers marked every loaded day dirty
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) ratings_ratingday")
    return (Rating.objects.count(), loaded, max(count - existing, 0),
            time.perf_counter() - started)


def dashboard_figures(start, end):
    """What the dashboard's figure cards, department table and trend compute."""
    from ratings import metrics

    summary = metrics.summary(start, end)
    departments = metrics.table(start, end, ("department",))
    monthly = metrics.table(start, end, ("month",))
    return summary, departments, monthly


def p95(timings):
    return common.percentile(timings, 95)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ratings", type=int, default=1_000_000,
                        help="ratings in the table (default: full scale, 1,000,000)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    common.ensure_database()
    common.setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from ratings import metrics

    call_command("migrate", verbosity=0)
    departments = reference()
    total, seconds, added, rollup_seconds = load(args.ratings)
    common.report("ratings_in_table", total, "ratings")
    common.report("rollup_refresh_after_load", round(rollup_seconds * 1000), "ms")
    common.report("departments", departments, "departments")
    if added:
        common.report("load_rate", round(added / seconds), "ratings/s")
    now = timezone.now()
    year = (now - timedelta(days=365), now)  # the last 365 days, up to and including today
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    previous = metrics.month_range(last_month.year, last_month.month)  # a full month
    summary, _deps, _months = dashboard_figures(*year)
    common.report("year_ratings_counted", summary["total"], "ratings")
    for figure in metrics.FIGURES:
        common.report(f"year_{figure.key}", summary[figure.key], "%", digits=None)
    dashboard_figures(*previous)  # warm the cache like a dashboard in use
    month = common.timed(lambda: dashboard_figures(*previous), args.runs)
    common.report("month_dashboard_figures_p50", common.median(month), "ms", 1)
    common.report("month_dashboard_figures_p95", p95(month), "ms", 1)
    whole = common.timed(lambda: dashboard_figures(*year), args.runs)
    common.report("year_dashboard_figures_p50", common.median(whole), "ms", 1)
    common.report("year_dashboard_figures_p95", p95(whole), "ms", 1)
    summary_only = common.timed(lambda: metrics.summary(*year), args.runs)
    common.report("year_summary_p95", p95(summary_only), "ms", 1)
    by_dep = common.timed(lambda: metrics.table(*year, by=("department",)), args.runs)
    common.report("year_by_department_p95", p95(by_dep), "ms", 1)
    by_item = common.timed(lambda: metrics.table(*year, by=("item",)), args.runs)
    common.report("year_by_item_p95", p95(by_item), "ms", 1)
    from ratings.models import DirtyDay

    def after_a_change():  # a rating was just given today: its day is recomputed first
        DirtyDay.objects.get_or_create(day=timezone.localdate())
        dashboard_figures(*year)

    fresh = common.timed(after_a_change, max(args.runs // 2, 5))
    common.report("year_dashboard_figures_after_a_change_p95", p95(fresh), "ms", 1)
    common.report("target_year_p95", 300, "ms")


if __name__ == "__main__":
    main()
