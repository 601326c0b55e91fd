"""Shared fixtures: the demo city, users per role, a real Celery worker and headless Chromium."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import roles
from core.models import Division, Organisation, User
from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    # Tests on the demo city run last, those that commit (and so empty the database) at the
    # very end: the demo is built once for all of them (``_demo_database``).
    items.sort(key=lambda item: (uses_demo(item), uses_demo(item) and commits(item)))
    skip_browser = pytest.mark.skip(
        reason="未安装 Chromium：浏览器测试已跳过。启用方法：apt-get install chromium "
        "（Debian）后重新运行 python3 run.py test。"
    )
    skip_worker = pytest.mark.skip(reason="未配置 REDIS_URL：需要真实 Celery worker 的测试已跳过。")
    skip_pg = pytest.mark.skip(reason="DATABASE_URL 不是 PostgreSQL：仅限 PostgreSQL 的测试已跳过。")
    has_chromium = Path(CHROMIUM).exists()
    for item in items:
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)
        if "worker" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_worker)
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis + real worker" if settings.REDIS_URL else "eager (no broker)"
    chromium = "yes" if Path(CHROMIUM).exists() else "no (browser tests skipped)"
    return f"database: {db}; celery: {broker}; chromium: {chromium}"


@pytest.fixture(autouse=True)
def _isolated_outbox(settings, tmp_path):
    settings.MESSAGE_OUTBOX_DIR = tmp_path / "outbox"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def city(db):
    """A small city: one district with two streets, one village each, and a few organisations."""
    L, K = Division.Level, Organisation.Kind
    city = Division.objects.create(code="439900000000", name="临江市", level=L.CITY)
    district = Division.objects.create(code="439902000000", name="江城区", level=L.COUNTY,
                                       parent=city)
    other = Division.objects.create(code="439903000000", name="临湖区", level=L.COUNTY,
                                    parent=city)
    street = Division.objects.create(code="439902001000", name="解放路街道", level=L.TOWNSHIP,
                                     parent=district)
    Division.objects.create(code="439902001001", name="解放路第一社区", level=L.VILLAGE,
                            parent=street)
    gov = Organisation.objects.create(name="临江市人民政府", kind=K.GOVERNMENT, division=city)
    orgs = {
        "gov": gov,
        "hrss": Organisation.objects.create(name="临江市人力资源和社会保障局", short_name="市人社局",
                                            kind=K.DEPARTMENT, division=city, parent=gov),
        "housing": Organisation.objects.create(name="临江市住房和城乡建设局", short_name="市住建局",
                                               kind=K.DEPARTMENT, division=city, parent=gov),
        "hotline": Organisation.objects.create(name="临江市12345热线中心", kind=K.HOTLINE,
                                               division=city, parent=gov),
        "district": Organisation.objects.create(name="江城区人民政府", kind=K.GOVERNMENT,
                                                division=district, parent=gov),
    }
    orgs["street"] = Organisation.objects.create(name="江城区解放路街道办事处",
                                                 kind=K.STREET_OFFICE, division=street,
                                                 parent=orgs["district"])
    return {"divisions": {"city": city, "district": district, "other": other, "street": street},
            "orgs": orgs}


def load_demo_city():
    from django.core.management import call_command

    call_command("load_demo", force=True, verbosity=0)


def demo_is_loaded():
    return User.objects.filter(username="editor").exists()


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, built once per test session and committed; its files live in a folder of
    their own. Tests that use it run last (``pytest_collection_modifyitems``) and each in a
    transaction that rolls back, so it stays as built."""
    from django.test.utils import override_settings

    folder = tmp_path_factory.mktemp("demo")
    paths = {"MEDIA_ROOT": folder / "media", "MESSAGE_OUTBOX_DIR": folder / "outbox"}
    with django_db_blocker.unblock(), override_settings(**paths):
        if not demo_is_loaded():
            load_demo_city()
    return paths


@pytest.fixture
def demo_site(_demo_database, settings, request):
    """The whole demo (``load_demo``), for pages that show what a real site holds. A test that
    commits (a browser test) leaves an empty database behind it; the next one builds again."""
    for name, value in _demo_database.items():
        setattr(settings, name, value)
    if request.node.get_closest_marker("django_db") is None:
        request.getfixturevalue("db")
    if not demo_is_loaded():
        load_demo_city()


def uses_demo(item):
    return "demo_site" in getattr(item, "fixturenames", ())


def commits(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (
        marker.args and marker.args[0])))


@pytest.fixture
def make_user(db):
    """make_user(role, organisation=None, username=...) → a user in that role's group."""
    groups = None
    counter = iter(range(1, 10_000))

    def factory(role=None, organisation=None, username=None, **fields):
        nonlocal groups
        groups = groups or roles.ensure_roles()
        user = User.objects.create_user(
            username=username or f"user{next(counter)}", password="pass-1234",
            organisation=organisation, **fields,
        )
        if role:
            user.groups.add(groups[role])
        return user

    return factory


@pytest.fixture
def reviewers_for(make_user):
    """reviewers_for(page) → one reviewer per step of the page's workflow, each in the step's
    group and scope (the drafting department, or the step's reviewing organisation), three
    different people; made once per test."""
    made = {}

    def factory(page):
        from interpretations.publishing import workflow_steps

        people = []
        for step in workflow_steps(page.get_workflow()):
            group = step.groups.first()
            organisation = step.reviewing_organisation or (
                page.drafting_department if step.drafting_department_only else None)
            key = (step.pk, getattr(organisation, "pk", None))
            if key not in made:
                made[key] = make_user(group.name if group else None, organisation,
                                      username=f"reviewer{step.pk}-{key[1] or 0}",
                                      last_name="审", first_name=f"签{step.pk}")
            people.append(made[key])
        return people

    return factory


@pytest.fixture
def sign_off(reviewers_for):
    """sign_off(page) → the page read again after its latest revision went through every step
    of its workflow, approved by a different reviewer at each (the real workflow actions; the
    last approval publishes)."""
    from interpretations.workflows import sign_off as run_workflow

    def run(page, reviewers=None, submitter=None):
        return run_workflow(page, reviewers or reviewers_for(page), submitter=submitter)

    return run


# --- A real Celery worker ------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """Start a real ``celery worker`` process on REDIS_URL, pointed at the test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    env["TEST_CELERY_WORKER"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "site"), str(ROOT)])
    if settings.IS_POSTGRES:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    subprocess.run([sys.executable, "-m", "celery", "-A", "portal", "purge", "-f"], env=env,
                   cwd=ROOT, capture_output=True, timeout=60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.time() + 60
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "ready." in line:
            break
        if proc.poll() is not None:
            break
    else:
        proc.kill()
        pytest.fail("Celery worker did not start:\n" + "".join(lines))
    if proc.poll() is not None:
        pytest.fail("Celery worker exited:\n" + "".join(lines) + proc.stdout.read())
    celery_app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        celery_app.conf.task_always_eager = True
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for(predicate, timeout=30, interval=0.2):
    """Poll ``predicate`` until it returns something truthy or the time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


# --- Headless Chromium ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests in ``page.problems``."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    yield tab
    context.close()


def log_in(tab, username, password="pass-1234", *, at=None, then=None):
    """Fill in the login form (opening ``at`` first when given), submit, and wait for the
    address ``then`` when given."""
    if at:
        tab.goto(at)
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    if then:
        tab.wait_for_url(then)


def admin_tab(browser, base, username):
    """A browser context of its own, logged in to the admin as ``username``: (context, tab)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log_in(tab, username, at=base + "/admin/login/", then=base + "/admin/")
    return context, tab


def screenshot(tab, name):
    out = ROOT / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(out / f"{name}.png"), full_page=True)


