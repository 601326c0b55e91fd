"""Policy pages at scale, served by gunicorn on PostgreSQL + Redis.

Builds N published policies (each with a complete interpretation package), then measures
requests per second and p95 latency of: a bare Django view and a bare Wagtail page with the
same body size as a policy page, a policy page uncached and cached (anonymous page cache), the
policy library, and two Chinese searches (one word in one policy of twenty, one word in every
title). The database is vacuumed and analysed after the build, as autovacuum would do. Two server
runs: one with the page cache off (the uncached figures and their baselines), one with it on
(cached figures and the bare Django view of the same run). Ratios compare figures of the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zct_bench_policies \\
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/policies.py          # 2,000
    ... .venv/bin/python bench/policies.py --full                                    # 10,000

Prints each figure as ``name: value unit``. Targets (two-core machine): uncached policy page
≥ 1.0× the bare Wagtail page; cached policy page ≥ 0.8× the bare Django view.
"""

import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from multiprocessing import Process, Queue
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-policies"
sys.path[:0] = [str(WORK), str(ROOT / "site"), str(ROOT)]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zct_bench_policies")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-site-0123456789")
os.environ["STATIC_ROOT"] = str(WORK / "static")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"

SETTINGS = '''
import os
from portal.settings.production import *  # noqa
ROOT_URLCONF = "bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False  # plain HTTP on the loopback interface
PLATFORM = {**PLATFORM, "PAGE_CACHE_SECONDS": int(os.environ.get("BENCH_PAGE_CACHE", "600"))}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "ERROR"}}
'''
URLS = '''
from pathlib import Path
from django.http import HttpResponse
from django.urls import path
from portal.urls import urlpatterns as portal_urls

BODY = (Path(__file__).parent / "body.html").read_bytes() if (
    Path(__file__).parent / "body.html").exists() else b"<p>bench</p>"

def bare(request):
    return HttpResponse(BODY)

urlpatterns = [path("bench/bare-django/", bare), *portal_urls]
'''

TOPICS = ["就业创业", "住房保障", "医疗卫生", "教育", "养老服务", "生态环境", "交通出行", "惠企政策",
          "财税金融", "乡村振兴"]
SUBJECTS = ["个人所得税征管", "稳岗返还", "住房公积金贷款", "城乡居民医保缴费", "高龄津贴发放",
            "义务教育招生", "创业担保贷款", "扬尘污染防治", "农村危房改造", "消费券发放",
            "道路停车收费", "人才引进落户", "科技型中小企业认定", "老旧小区改造", "职业技能培训补贴",
            "残疾人两项补贴", "企业上市奖励", "新能源汽车推广", "公共租赁住房", "农业保险保费补贴"]
VERBS = ["进一步加强", "做好", "调整", "规范", "优化", "完善", "落实", "实施"]


def write_modules():
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "bench_settings.py").write_text(SETTINGS)
    (WORK / "bench_urls.py").write_text(URLS)


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def analyze(url):
    """VACUUM (ANALYZE), as autovacuum would after a bulk load (this machine's cluster runs
    without it): with no statistics the planner takes the new tables for empty ones."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def manage(*args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:3])},
                   stdout=subprocess.DEVNULL)


def build(count):
    """Demo city + policy section, then policies up to ``count``; returns a sample policy."""
    import django

    django.setup()
    from django.conf import settings

    if not settings.IS_POSTGRES:
        sys.exit("bench/policies.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    from core import demo as core_demo
    from core.models import Organisation, StandardPage
    from interpretations import demo as policy_demo
    from interpretations.models import PolicyIndexPage, PolicyPage

    if not PolicyIndexPage.objects.exists():
        core_demo.build()
        policy_demo.build()
    index = PolicyIndexPage.objects.get()
    organs = list(Organisation.objects.filter(kind="department"))
    existing = PolicyPage.objects.count()
    rng = random.Random(existing)
    started = time.perf_counter()
    template = PolicyPage.objects.get(slug="wengang-fanhuan-2026")
    for n in range(existing, count):
        organ = organs[n % len(organs)]
        subject = rng.choice(SUBJECTS)
        page = PolicyPage(
            title=f"临江市关于{rng.choice(VERBS)}{subject}工作的通知（第{n}号）",
            slug=f"bench-{n}", doc_number=f"临bench发〔{2016 + n % 10}〕{n}号",
            issuing_organ=organ, drafting_department=organ, first_interpreter=organ.principal,
            written_on=template.written_on.replace(year=2016 + n % 10),
            published_on=template.published_on.replace(year=2016 + n % 10),
            summary=f"关于{subject}的政策文件摘要。", body=template.body,
            materials=template.materials.raw_data,
            **{f: getattr(template, f) for f in ("plan_interpreters", "plan_forms",
                                                  "plan_schedule", "plan_expected_concerns",
                                                  "plan_media", "assessment_plan",
                                                  "concerns_enterprises")},
        )
        index.add_child(instance=page)
        page.tags.add(TOPICS[n % len(TOPICS)])
        if n % 500 == 499:
            print(f"# built {n + 1} policies ({time.perf_counter() - started:.0f} s)", flush=True)
    # A new policy row is a draft (it goes live through its sign-off); the bench measures
    # reading, so its generated policies are put live directly, in one statement.
    from django.utils import timezone

    PolicyPage.objects.filter(slug__startswith="bench-", live=False).update(
        live=True, has_unpublished_changes=False, first_published_at=timezone.now(),
        last_published_at=timezone.now())
    sample = PolicyPage.objects.live().get(slug="wengang-fanhuan-2026")
    bare = StandardPage.objects.filter(slug="bench-bare-wagtail").first()
    if bare is None:
        from core.models import HomePage

        bare = StandardPage(title="基准页面", slug="bench-bare-wagtail", body=[])
        HomePage.objects.get().add_child(instance=bare)
    return sample.url, bare


def pad_bare_page(bare, target_bytes, fetch):
    """Give the bare Wagtail page the policy page's body size."""
    from core.models import StandardPage

    bare = StandardPage.objects.get(pk=bare.pk)
    bare.body = [("paragraph", "")]
    bare.save()
    size = len(fetch(bare.url))
    pad = max(0, target_bytes - size) // 3
    bare.body = [("paragraph", "<p>" + "政" * pad + "</p>")]
    bare.save()
    return len(fetch(bare.url))


def worker(port, path, deadline, out):
    latencies, errors = [], 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        finally:
            conn.close()
        latencies.append(time.perf_counter() - started)
    out.put((latencies, errors))


def measure(port, path, seconds, concurrency):
    for _ in range(3):  # warm up (fills the page cache when it is on)
        worker(port, path, time.perf_counter() + 0.3, Queue())
    out, deadline = Queue(), time.perf_counter() + seconds
    procs = [Process(target=worker, args=(port, path, deadline, out)) for _ in range(concurrency)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    if errors:
        print(f"# {path}: {errors} errors", flush=True)
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    return len(latencies) / elapsed, p95


class Server:
    def __init__(self, port, cache_seconds, workers):
        self.port = port
        env = {**os.environ, "BENCH_PAGE_CACHE": str(cache_seconds),
               "PYTHONPATH": os.pathsep.join(sys.path[:3])}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "wsgi_entry:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
             "--log-level", "warning", "--chdir", str(WORK), "--preload"],
            env=env, cwd=WORK, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit("gunicorn did not start")

    def fetch(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, (path, response.status)
        return body

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--full", action="store_true", help="10,000 policies, 20 s per figure")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--reuse", action="store_true",
                        help="skip migrate/collectstatic (database and static files are ready)")
    args = parser.parse_args()
    if args.full:
        args.policies, args.seconds = 10_000, 20.0
    write_modules()
    # Workers fork from a master that has loaded Django and jieba's dictionary (--preload), as a
    # production deployment should, so no request pays for loading the dictionary.
    (WORK / "wsgi_entry.py").write_text(
        "import jieba\nfrom django.core.wsgi import get_wsgi_application\n"
        "application = get_wsgi_application()\njieba.initialize()\n")
    ensure_database(os.environ["DATABASE_URL"])
    if not args.reuse:
        manage("migrate", "--noinput")
        shutil.rmtree(WORK / "static", ignore_errors=True)
        manage("collectstatic", "--noinput")
    started = time.perf_counter()
    policy_url, bare = build(args.policies)
    from interpretations.models import PolicyPage

    print(f"policies: {PolicyPage.objects.live().count()} count")
    print(f"build_time: {time.perf_counter() - started:.1f} s")
    analyze(os.environ["DATABASE_URL"])
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    search = "/policies/?q=" + quote("个人所得税")  # one policy in twenty
    search_broad = "/policies/?q=" + quote("通知")  # in every title: the most to rank
    library = "/policies/"

    # Run A: page cache off — uncached pages and their baselines.
    server = Server(args.port, 0, args.workers)
    try:
        policy_body = server.fetch(policy_url)
        (WORK / "body.html").write_bytes(policy_body)
        bare_size = pad_bare_page(bare, len(policy_body), server.fetch)
        server.stop()
        server = Server(args.port, 0, args.workers)  # reload the bare view's body
        print(f"policy_page_size: {len(policy_body)} bytes")
        print(f"bare_wagtail_page_size: {bare_size} bytes")
        figures = {}
        for name, path in (("bare_django", "/bench/bare-django/"), ("bare_wagtail", bare.url),
                           ("policy_uncached", policy_url), ("library_uncached", library),
                           ("search_uncached", search), ("search_broad_uncached", search_broad)):
            figures[name] = measure(args.port, path, args.seconds, args.concurrency)
    finally:
        server.stop()
    # Run B: page cache on.
    server = Server(args.port, 600, args.workers)
    try:
        for name, path in (("bare_django_run_b", "/bench/bare-django/"),
                           ("policy_cached", policy_url), ("library_cached", library),
                           ("search_cached", search)):
            figures[name] = measure(args.port, path, args.seconds, args.concurrency)
    finally:
        server.stop()
    for name, (rps, p95) in figures.items():
        print(f"{name}_rps: {rps:.1f} req/s")
        print(f"{name}_p95: {p95:.1f} ms")
    ratio_a = figures["policy_uncached"][0] / figures["bare_wagtail"][0]
    ratio_b = figures["policy_cached"][0] / figures["bare_django_run_b"][0]
    print(f"policy_uncached_vs_bare_wagtail: {ratio_a:.2f} x (target >= 1.0)")
    print(f"policy_cached_vs_bare_django: {ratio_b:.2f} x (target >= 0.8)")


if __name__ == "__main__":
    main()
