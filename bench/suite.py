"""Wall time of the test suites, with the same commands and environment as ``.ci/run``.

    .venv/bin/python bench/suite.py          # the SQLite suite, then the PostgreSQL one
    .venv/bin/python bench/suite.py --ci     # the whole .ci/run instead (suites side by side)

Without ``--ci`` each suite runs alone, one after the other, so each figure is that suite on
the whole machine:

* ``sqlite_suite`` — ``python3 run.py test`` on the embedded default (SQLite in memory, tasks
  run eagerly, browser tests in Chromium), from start to exit: start-up, collection, test
  database, every test.
* ``postgres_suite`` — ``python3 run.py test -m "not browser or postgres or worker"`` with
  ``DATABASE_URL`` (a database of its own on the local PostgreSQL) and ``REDIS_URL`` (Redis
  database 12, flushed first; CI uses 14): cache and broker on Redis, the worker tests start
  real Celery workers; browser tests only where they need PostgreSQL or a worker, as in CI.

With ``--ci`` it runs ``.ci/run`` once and prints ``ci_total`` (services, installs, both suites
side by side, the Debian-Python install check, the production check, the migrations check,
ruff) and the two suites' wall times as ``.ci/run`` measured them side by side
(``ci_sqlite_suite``, ``ci_postgres_suite``).

The suites start from the migrated test database kept in ``var/test-cache/`` (SQLite) or in a
template database (PostgreSQL) when the migrations have not changed since it was made
(``tests/conftest.py``); ``--cold`` sets ``ZCT_TEST_DB_CACHE=0``: every suite migrates from
scratch, as on a fresh clone.

Each figure is printed on its own line as ``name: value unit``. The PostgreSQL and Redis
servers must be running (see README.md in this folder). Exits non-zero when a suite failed.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/12"
PG_SELECTION = ["-m", "not browser or postgres or worker"]  # as .ci/run


def report(name, value, unit):
    print(f"{name}: {value} {unit}", flush=True)


def run(command, env, log):
    """Run ``command`` with its output in ``log``; (wall seconds, exit code)."""
    started = time.perf_counter()
    with open(log, "w") as out:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - started, code


def summary(log):
    """pytest's last line (``N passed, M failed in …``), for the reader of a failed run."""
    lines = [line for line in Path(log).read_text(errors="replace").splitlines()
             if re.search(r"\d+ (passed|failed|error)", line)]
    return lines[-1].strip("= ") if lines else "(no pytest summary; see the log)"


def suites(args):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base["PYTHONUNBUFFERED"] = "1"
    if args.cold:
        base["ZCT_TEST_DB_CACHE"] = "0"
    failed = False
    (ROOT / "var").mkdir(exist_ok=True)
    plan = []
    if args.only in (None, "sqlite"):
        plan.append(("sqlite_suite", [], dict(base)))
    if args.only in (None, "postgres"):
        subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True,
                       stdout=subprocess.DEVNULL)
        plan.append(("postgres_suite", PG_SELECTION,
                     dict(base, DATABASE_URL=f"{PG}/zct_bench_suite_{os.getpid()}",
                          REDIS_URL=REDIS)))
    for name, selection, env in plan:
        log = ROOT / "var" / f"bench-{name}.log"
        seconds, code = run([sys.executable, "run.py", "test", *selection], env, log)
        report(name, round(seconds), "s")
        if code:
            failed = True
            print(f"  {name} failed ({summary(log)}); log: {log}", file=sys.stderr)
    return failed


def ci(args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    if args.cold:
        env["ZCT_TEST_DB_CACHE"] = "0"
    log = ROOT / "var" / "bench-ci.log"
    (ROOT / "var").mkdir(exist_ok=True)
    seconds, code = run(["bash", ".ci/run"], env, log)
    report("ci_total", round(seconds), "s")
    for line in Path(log).read_text(errors="replace").splitlines():
        match = re.fullmatch(r"(sqlite_suite|postgres_suite): (\d+) s", line.strip())
        if match:
            report(f"ci_{match[1]}", match[2], "s")
    if code:
        print(f"  .ci/run failed; log: {log}", file=sys.stderr)
    return bool(code)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true",
                        help="run the whole .ci/run once instead and print ci_total")
    parser.add_argument("--only", choices=["sqlite", "postgres"],
                        help="run one suite only")
    parser.add_argument("--cold", action="store_true",
                        help="migrate every test database from scratch (ZCT_TEST_DB_CACHE=0)")
    args = parser.parse_args()
    failed = ci(args) if args.ci else suites(args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
