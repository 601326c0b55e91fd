"""Shared fixtures: the demo city (built once per session, put back from a snapshot after tests
that commit), a small site, users per role, a real Celery worker and headless Chromium; and the
migrated test database kept between sessions."""

import hashlib
import importlib.util
import os
import re
import shutil
import sqlite3
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


# --- The migrated test database, kept between sessions ---------------------------------------
# Applying the 250 migrations renders Django's model state hundreds of times: ~40 s of CPU per
# session, the same every time. The migrated, still empty database is kept (SQLite: a file in
# var/test-cache/; PostgreSQL: a template database) under a digest of everything migrations
# run: the project's migration files, the modules and data files they import and the lock file
# (third-party migrations). A session whose digest matches starts from that copy; Django then
# finds nothing to apply and sends post_migrate as usual (content types, permissions, roles).
# Any change to a migration makes a new digest, and that session migrates from scratch.
# ZCT_TEST_DB_CACHE=0 always migrates from scratch.

DB_CACHE_DIR = ROOT / "var" / "test-cache"
PG_TEMPLATE_PREFIX = "zct_test_migrated_"
_RESTORED = []


def migrations_digest():
    from django.apps import apps

    files = {ROOT / "requirements" / "dev.lock"}
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if ROOT in folder.parents and ROOT / ".venv" not in folder.parents:
            files.update(folder.glob("*.py"))
    project = {Path(c.path).name for c in apps.get_app_configs() if ROOT in Path(c.path).parents}
    for migration in sorted(files):
        if migration.suffix != ".py":
            continue
        for name in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", migration.read_text(), re.M):
            if name.split(".")[0] in project and ".migrations" not in name:
                spec = importlib.util.find_spec(name)
                if spec and spec.origin:
                    files.add(Path(spec.origin))
                    files.update(p for p in (Path(spec.origin).parent / "data").glob("*")
                                 if p.is_file())
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class MigratedDatabaseCache:
    def __init__(self, creation):
        self.creation = creation
        self.connection = creation.connection
        self.vendor = self.connection.vendor
        self.digest = migrations_digest()
        self.file = DB_CACHE_DIR / f"sqlite-{self.digest}.sqlite3"
        self.template = PG_TEMPLATE_PREFIX + self.digest
        self.keep_alive = None  # SQLite in memory lives as long as one connection to it

    def restore(self, name):
        """Make the test database ``name`` from the kept copy; False when there is none."""
        if self.vendor == "sqlite" and self.file.exists():
            if self.creation.is_in_memory_db(name):
                self.keep_alive = sqlite3.connect(name, uri=True, check_same_thread=False)
                with sqlite3.connect(self.file) as kept:
                    kept.backup(self.keep_alive)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(name + suffix).unlink(missing_ok=True)
                shutil.copyfile(self.file, name)
            return True
        if self.vendor == "postgresql":
            quote = self.connection.ops.quote_name
            with self.connection._nodb_cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.template])
                if cursor.fetchone() is None:
                    return False
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
                try:
                    cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(self.template)}")
                except Exception:  # another session is copying it right now: migrate instead
                    return False
            return True
        return False

    def save(self, name):
        """Keep the freshly migrated test database ``name`` for the next sessions."""
        if self.vendor == "sqlite":
            DB_CACHE_DIR.mkdir(parents=True, exist_ok=True)
            partial = self.file.with_suffix(f".{os.getpid()}.partial")
            self.connection.ensure_connection()
            with sqlite3.connect(partial) as kept:
                self.connection.connection.backup(kept)
            kept.close()
            os.replace(partial, self.file)
            for old in DB_CACHE_DIR.glob("sqlite-*.sqlite3"):
                if old != self.file:
                    old.unlink(missing_ok=True)
        elif self.vendor == "postgresql":
            quote = self.connection.ops.quote_name
            self.connection.close()
            with self.connection._nodb_cursor() as cursor:
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                               [PG_TEMPLATE_PREFIX + "%"])
                for (old,) in cursor.fetchall():
                    if old != self.template:
                        try:
                            cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                        except Exception:  # being copied by another session: next time
                            pass
                try:
                    cursor.execute(f"CREATE DATABASE {quote(self.template)} TEMPLATE {quote(name)}")
                except Exception:  # made by another session meanwhile, or in use: keep theirs
                    pass


def keep_migrated_database(creation):
    """Wrap ``creation.create_test_db`` to start from, or fill, the migrated database cache."""
    create_test_db = creation.create_test_db

    def create_from_cache(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if keepdb:  # --reuse-db: pytest-django's own way
            return create_test_db(verbosity, autoclobber, serialize, keepdb)
        cache = MigratedDatabaseCache(creation)
        if cache.restore(creation._get_test_db_name()):
            name = create_test_db(verbosity, autoclobber, serialize, keepdb=True)
            _RESTORED.append(cache)  # an in-memory copy lives while a connection to it does
            return name
        name = create_test_db(verbosity, autoclobber, serialize, keepdb)
        cache.save(name)
        creation.connection.ensure_connection()
        return name

    creation.create_test_db = create_from_cache


def pytest_configure(config):
    from django.db import connections

    if os.environ.get("ZCT_TEST_DB_CACHE", "1") != "0":
        for alias in connections:
            keep_migrated_database(connections[alias].creation)


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


@pytest.fixture
def site_pages(db):
    """The site without the city: the home page and its five sections, each of its own app's
    page type, as the demo builds them, and the home page's entries (sections and site
    functions). For pages about the public shell; ``demo_site`` is the whole demo."""
    from core import demo
    from hotline import demo as hotline_demo
    from interpretations.models import InterpretationIndexPage, PolicyIndexPage
    from ratings import demo as ratings_demo

    policies = demo.ensure_section("policies", "政策文件", PolicyIndexPage,
                                   intro=demo.SECTION_INTRO["policies"])
    demo.ensure_section("interpretations", "政策解读", InterpretationIndexPage,
                        intro=demo.SECTION_INTRO["interpretations"])
    hotline_demo.build_page()
    ratings_demo.build_page()  # both end with demo.build_site(): the home page's entries
    return {"home": demo.get_home(), "policies": policies}


def load_demo_city():
    from django.core.management import call_command

    call_command("load_demo", force=True, verbosity=0)


def demo_is_loaded():
    return User.objects.filter(username="editor").exists()


class DemoSnapshot:
    """The test database as it stood right after the demo was built, to put back when a test
    that commits (a browser test) has emptied it: a copy in a second or two instead of building
    the whole city again. SQLite copies the database with its backup API; PostgreSQL keeps a
    copy of every table in a schema of its own (outside the search path, so Django never sees
    it) and copies the rows back in one transaction, the project's triggers off."""

    SCHEMA = "zct_demo_snapshot"

    def __init__(self):
        connection.ensure_connection()
        self.copy = self.tables = None
        if connection.vendor == "sqlite":
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
        elif connection.vendor == "postgresql":
            self.tables = sorted(connection.introspection.django_table_names(
                only_existing=True, include_views=False))
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {self.SCHEMA}")
                for table in self.tables:
                    cursor.execute(
                        f"CREATE TABLE {self.SCHEMA}.{quote(table)} AS TABLE {quote(table)}")

    def restore(self):
        """Put the demo back; False when this database cannot (the caller builds it)."""
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import cache

        if self.copy is not None and not connection.in_atomic_block:
            connection.ensure_connection()
            self.copy.backup(connection.connection)
        elif self.tables is not None:
            self._restore_postgres()
        else:
            return False
        # Content types were made again (with other ids) after the flush; pages and sites
        # cached under the emptied database's ids are stale too.
        ContentType.objects.clear_cache()
        cache.clear()
        return True

    def _restore_postgres(self):
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        quote = connection.ops.quote_name
        models = [model for model in apps.get_models(include_auto_created=True)
                  if model._meta.db_table in self.tables and not model._meta.proxy]
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), self.tables, allow_cascade=True):
                cursor.execute(sql)
            # The copied rows are final: the project's own triggers (ratings' dirty days) must
            # not add to them. Disabled inside this transaction only.
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace")
            triggered = [name for (name,) in cursor.fetchall() if name in self.tables]
            for table in triggered:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
            for table in self.tables:
                cursor.execute(
                    f"INSERT INTO {quote(table)} SELECT * FROM {self.SCHEMA}.{quote(table)}")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign keys now
            for table in triggered:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, built once per test session and committed; its files live in a folder of
    their own. Tests that use it run last (``pytest_collection_modifyitems``), each in a
    transaction that rolls back, so it stays as built; those that commit (browser tests) run at
    the very end, and the database is put back from a snapshot after each of them."""
    from django.test.utils import override_settings

    folder = tmp_path_factory.mktemp("demo")
    paths = {"MEDIA_ROOT": folder / "media", "MESSAGE_OUTBOX_DIR": folder / "outbox"}
    with django_db_blocker.unblock(), override_settings(**paths):
        if not demo_is_loaded():
            load_demo_city()
        snapshot = DemoSnapshot()
    return paths, snapshot


@pytest.fixture
def demo_site(_demo_database, settings, request):
    """The whole demo (``load_demo``), for pages that show what a real site holds. A test that
    commits (a browser test) leaves an empty database behind it; the next one puts the demo
    back from the session's snapshot."""
    paths, snapshot = _demo_database
    for name, value in paths.items():
        setattr(settings, name, value)
    if request.node.get_closest_marker("django_db") is None:
        request.getfixturevalue("db")
    if not demo_is_loaded() and not snapshot.restore():
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
    celery_app.control.purge()  # what an earlier test left on the broker (in-process: no
    # second interpreter to start)
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


