"""What the PostgreSQL benchmarks share. Import it first, before anything from Django:

    import common  # bench/ is the script's directory, so this is bench/common.py

    common.prepare("zct_bench_things")   # sys.path + settings env; DATABASE_URL default
    common.ensure_database()             # CREATE DATABASE from DATABASE_URL unless it exists
    common.setup_django()                # django.setup(); exits unless the DB is PostgreSQL
    call_command("migrate", verbosity=0)
    ...
    timings = common.timed(lambda: work(), runs=20)   # sorted milliseconds
    common.report("thing_p95", common.percentile(timings, 95), "ms")   # "thing_p95: 1.23 ms"

API:

* ``ROOT`` — the repository root (a ``Path``).
* ``prepare(default_database)`` — puts ``site/`` and the repository root on ``sys.path`` and
  sets (unless already set) ``DJANGO_SETTINGS_MODULE=portal.settings.production`` (DEBUG off,
  tasks to Redis when ``REDIS_URL`` is set, as in production), a bench-only ``SECRET_KEY`` and
  ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<default_database>``.
* ``ensure_database(url=None)`` — creates the database named in ``url`` (default:
  ``DATABASE_URL``) when it does not exist; an existing one is reused as it is.
* ``setup_django()`` — ``django.setup()``; exits with a message when the database is not
  PostgreSQL. Safe to call again (e.g. in a forked worker process).
* ``timed(fn, runs)`` — calls ``fn`` ``runs`` times; returns the sorted durations in ms.
* ``percentile(sorted_values, q)`` — the q-th percentile (0 < q ≤ 100) of sorted values, nearest
  rank from below: ``values[max(int(n * q / 100) - 1, 0)]``; ``median(values)``.
* ``report(name, value, unit, digits=2)`` — prints ``name: value unit`` (floats with
  ``digits`` decimals; anything else, or ``digits=None``, as ``str(value)``) and flushes.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-not-for-any-real-site-0123456789"


def prepare(default_database):
    for path in (str(ROOT), str(ROOT / "site")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("DATABASE_URL",
                          f"postgres://postgres@127.0.0.1:5432/{default_database}")


def ensure_database(url=None):
    import psycopg

    url = url or os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings

    if not settings.IS_POSTGRES:
        sys.exit(f"{Path(sys.argv[0]).name} needs PostgreSQL: set DATABASE_URL=postgres://…")


def timed(fn, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings


def percentile(sorted_values, q):
    return sorted_values[max(int(len(sorted_values) * q / 100) - 1, 0)]


def median(values):
    return statistics.median(values)


def report(name, value, unit, digits=2):
    if isinstance(value, float) and digits is not None:
        value = f"{value:.{digits}f}"
    print(f"{name}: {value} {unit}", flush=True)
