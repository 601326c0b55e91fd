"""The embedded default runs the whole platform: ``run.py start`` starts a Celery worker and beat
beside the web server over a broker in files (no Redis), so scheduled work happens as in
production — a closed 12345 ticket gets its 好差评 invitation, a signed policy goes live at its
scheduled time — and the links in the outbox point at the address the site was started on.

The worker and beat are started with run.py's own ``launch``/``command`` and environment, on
the embedded settings, with beat periods shortened through BEAT_PERIOD_SECONDS. They share the
test database with this process: a SQLite test database in memory is copied to a file and the
test runs on the copy (PostgreSQL's test database is used as it is)."""

import datetime
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing

import pytest
from django.db import connection
from django.utils import timezone

import run
from core.models import Message
from interpretations.models import PolicyPage
from ratings.models import RatingInvitation
from tests.conftest import wait_for
from tests.interpretations.conftest import approver, make_policy, section  # noqa: F401
from tests.ratings.conftest import finished_ticket, rt  # noqa: F401

BEAT_SECONDS = 4
ADDRESS = "127.0.0.1:8203"


# --- The test database, shared with the worker and beat ------------------------------------------


def database_url():
    """DATABASE_URL of the database this process uses now."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}")
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database as one the worker and beat can open too: an in-memory SQLite test
    database is copied to a file, which this process uses until the test ends."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield database_url()
        return
    connection.ensure_connection()
    path = tmp_path / "platform.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # kept open: closing it would drop the in-memory database
    connection.settings_dict["NAME"] = str(path)
    try:
        yield database_url()
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def log_text(path):
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@pytest.fixture
def platform(shared_database, tmp_path, settings):
    """A Celery worker and beat as ``run.py start`` runs them, on the embedded settings (no
    REDIS_URL: the filesystem broker), sharing this test's database and outbox."""
    base = {name: value for name, value in os.environ.items()
            if name not in ("REDIS_URL", "CACHE_URL", "TEST_CELERY_WORKER")}
    env = run.embedded_environment(run.site_url_for(ADDRESS), base=base,
                                   settings_module="portal.settings.dev")
    env.update({
        "DATABASE_URL": shared_database,
        "BROKER_DIR": str(tmp_path / "broker"),
        "CACHE_DIR": str(tmp_path / "cache"),
        "MESSAGE_OUTBOX_DIR": str(settings.MESSAGE_OUTBOX_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "SECRET_KEY": settings.SECRET_KEY,  # rating links are derived under it
        "BEAT_PERIOD_SECONDS": str(BEAT_SECONDS),
    })
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat")}
    processes = [run.launch(run.command(name, python=sys.executable), env, logs[name])
                 for name in logs]
    try:
        # Ready: the worker consumes, and beat has sent its first due tasks.
        started = wait_for(lambda: " ready." in log_text(logs["worker"])
                           and "Sending due task" in log_text(logs["beat"])
                           or any(p.poll() is not None for p in processes), timeout=120)
        if not started or any(p.poll() is not None for p in processes):
            pytest.fail("worker/beat did not start:\n" + "\n".join(
                f"--- {name}\n{log_text(path)}" for name, path in logs.items()))
        yield logs
    finally:
        run.stop(processes)


def outbox_lines(settings, channel="sms"):
    path = settings.MESSAGE_OUTBOX_DIR / f"{channel}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_worker_and_beat_invite_a_closed_ticket_and_publish_a_policy_on_time(
        platform, finished_ticket, make_policy, sign_off, settings, client):  # noqa: F811
    period = datetime.timedelta(seconds=BEAT_SECONDS)
    # A signed-off policy scheduled to go live a little later (the last approval schedules it).
    page = make_policy(title="关于定时上线政策的通知")
    draft = page.get_latest_revision_as_object()
    go_live = timezone.now() + datetime.timedelta(seconds=8)
    draft.go_live_at = go_live
    draft.save_revision()
    page = sign_off(page)  # (whether it went live early is checked below: last_published_at)

    # A 12345 ticket closed by the hotline (回访 → 已办结) through the same service the admin uses.
    ticket = finished_ticket(phone="13900008203")
    closed_at = timezone.now()

    def rating_sms():
        return [line for line in outbox_lines(settings)
                if line["to"] == "13900008203" and "/rate/" in (line["link"] or "")]

    sms = wait_for(rating_sms, timeout=90)
    assert sms, "no rating SMS in the outbox:\n" + log_text(platform["worker"])
    # The link points at the address the platform was started on.
    assert sms[0]["link"].startswith(f"http://{ADDRESS}/rate/")
    message = Message.objects.get(recipient="13900008203", kind="ratings.service")
    assert message.status == Message.Status.SENT
    assert RatingInvitation.objects.filter(ticket=ticket).count() == 1
    # Within two beat periods of the ticket's closing.
    assert message.sent_at - closed_at <= 2 * period

    assert wait_for(lambda: PolicyPage.objects.get(pk=page.pk).live, timeout=90), (
        "the scheduled policy did not go live:\n" + log_text(platform["worker"]))
    published = PolicyPage.objects.get(pk=page.pk)
    # On time: not before its go-live time, and within two beat periods after it.
    assert go_live <= published.last_published_at <= go_live + 2 * period
    response = client.get(published.url)
    assert response.status_code == 200
    assert "关于定时上线政策的通知" in response.content.decode()


# --- run.py's process supervision ---------------------------------------------------------------


SUPERVISOR = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import run

    folder = sys.argv[1]
    child = ("import os, subprocess, sys, time; "
             "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
             "open(sys.argv[1] + '/' + sys.argv[2] + '.pids', 'a').write(f'{{os.getpid()}} {{g.pid}}\\\\n'); "
             "flag = sys.argv[1] + '/crashed'; "
             "crash = sys.argv[2] == 'worker' and not os.path.exists(flag); "
             "crash and open(flag, 'w').close(); "
             "time.sleep(0.3 if crash else 600); sys.exit(3)")
    commands = {{name: [sys.executable, "-c", child, folder, name] for name in ("web", "worker")}}
    run.Platform(commands, dict(__import__("os").environ), poll=0.1).run()
""")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its parent is gone too
        return stat.read().split(") ")[1][0] != "Z"


def started_pids(folder):
    """[(child, grandchild)] of every process the supervisor started so far."""
    pairs = []
    for name in ("web", "worker"):
        path = folder / f"{name}.pids"
        if path.exists():
            pairs += [tuple(map(int, line.split())) for line in path.read_text().splitlines()]
    return pairs


def supervise(folder, **options):
    script = folder / "supervisor.py"
    script.write_text(SUPERVISOR.format(root=str(run.ROOT)))
    return subprocess.Popen([sys.executable, str(script), str(folder)], text=True, **options)


def clean_up(folder):
    for child, _ in started_pids(folder):
        try:
            os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_crashed_process_is_restarted_and_ctrl_c_stops_every_process(tmp_path):
    supervisor = supervise(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # The worker crashed once and was started again: three children, each with a child.
        assert wait_for(lambda: len(started_pids(tmp_path)) == 3, timeout=30)
        supervisor.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = supervisor.communicate(timeout=30)
        assert "后台任务（Celery worker）意外退出（退出码 3），1 秒后重新启动（连续第 1 次）" in output
        assert "已重新启动后台任务（Celery worker）。" in output
        assert "已全部停止。" in output
        assert supervisor.returncode == 0
        pids = [pid for pair in started_pids(tmp_path) for pid in pair]
        assert wait_for(lambda: not any(alive(pid) for pid in pids), timeout=10), [
            pid for pid in pids if alive(pid)]
    finally:
        supervisor.kill()
        clean_up(tmp_path)


def test_a_killed_run_py_takes_its_processes_with_it(tmp_path):
    (tmp_path / "crashed").touch()  # no crash this time
    supervisor = supervise(tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(started_pids(tmp_path)) == 2, timeout=30)
        supervisor.kill()  # no chance to stop anything itself
        supervisor.wait(10)
        children = [child for child, _ in started_pids(tmp_path)]
        assert wait_for(lambda: not any(alive(pid) for pid in children), timeout=10)
    finally:
        supervisor.kill()
        clean_up(tmp_path)


# --- The start's messages ---------------------------------------------------------------------------


def test_a_failed_install_says_what_failed_and_what_to_do(tmp_path, monkeypatch, capsys):
    pip = tmp_path / "python"
    pip.write_text("#!/bin/sh\necho 'Collecting wagtail==8.0.1'\n"
                   "echo 'ERROR: No matching distribution found for wagtail==8.0.1'\nexit 1\n")
    pip.chmod(0o755)
    monkeypatch.setattr(run, "PYTHON", pip)
    monkeypatch.setattr(run, "LOGS", tmp_path / "log")
    monkeypatch.setattr(run, "INSTALL_LOG", tmp_path / "log" / "install.log")
    monkeypatch.setattr(run, "STAMPS", {"base": tmp_path / "base", "dev": tmp_path / "dev"})
    with pytest.raises(SystemExit) as exited:
        run.install("base")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "安装依赖失败（pip 退出码 1）" in err
    assert str(tmp_path / "log" / "install.log") in err
    assert "No matching distribution found for wagtail==8.0.1" in err
    assert "重新运行" in err
    assert not (tmp_path / "base").exists()  # nothing counts as installed


@pytest.mark.parametrize(("address", "url"), [
    ("127.0.0.1:8203", "http://127.0.0.1:8203"),
    ("8204", "http://127.0.0.1:8204"),
    ("0.0.0.0:8205", "http://127.0.0.1:8205"),
    ("[::1]:8206", "http://[::1]:8206"),
])
def test_the_start_address_is_the_site_url(address, url):
    assert run.site_url_for(address) == url
    assert run.embedded_environment(url, base={})["SITE_URL"] == url


def test_chinese_search_logs_no_dictionary_loading(caplog):
    """jieba announced loading its dictionary in English among the start's Chinese lines."""
    import jieba

    from interpretations.services import segment

    caplog.set_level(logging.DEBUG)
    jieba.Tokenizer().initialize()  # what the first search of a process does
    assert segment("政策解读")
    assert not [r for r in caplog.records if r.name.startswith("jieba")]
