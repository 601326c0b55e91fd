#!/usr/bin/env python3
"""Start the platform or run the tests from a fresh clone with nothing but Python 3.11+.

    python3 run.py start [ADDRESS] [--reload]
                                    # install (first time), migrate, load the demo (first time),
                                    # then serve on ADDRESS (default 127.0.0.1:8000) with a
                                    # Celery worker and beat beside the web server
    python3 run.py test             # install (first time), run the whole test suite
    python3 run.py setup            # only make .venv/ (for benchmarks and tools)
    python3 run.py manage …         # any manage.py command inside .venv/

The first run makes .venv/ and installs the pinned, hash-checked lock file (``start`` needs
only requirements/base.lock, ``test`` and ``setup`` requirements/dev.lock); later runs reuse it
and reinstall only when the lock file changed. Extra arguments after ``test`` go to pytest.

``start`` runs three child processes, as production does with its own servers: the web server
(``run.py _serve``: migrate and the demo, then Django's runserver; ``--reload`` restarts it when
the code changes), then a Celery worker and Celery beat (django-celery-beat's schedule in the
database) over a broker kept in files under var/broker/ (kombu's filesystem transport: no
server to install). Each has its own process group; Ctrl-C (or SIGTERM) stops all of them, and
one that crashes is reported and started again after a growing pause. The address given
becomes SITE_URL, so the links in the outbox (var/outbox/) point where the site is.

This file uses the standard library only: it runs before .venv/ exists. Tests import it
(``import run``) to start the worker and beat exactly as ``start`` does (``launch``).
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCKS = {"base": ROOT / "requirements" / "base.lock", "dev": ROOT / "requirements" / "dev.lock"}
# What each installed lock file's digest is kept in (dev keeps the name it always had).
STAMPS = {"base": VENV / ".base-lock-sha256", "dev": VENV / ".lock-sha256"}
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
VAR = ROOT / "var"
LOGS = VAR / "log"
INSTALL_LOG = LOGS / "install.log"
DEFAULT_ADDRESS = "127.0.0.1:8000"
SETTINGS = "portal.settings.dev"

# name → what the person reading the terminal calls it
LABELS = {"web": "网站（runserver）", "worker": "后台任务（Celery worker）",
          "beat": "定时任务（Celery beat）"}
STOP_SECONDS = 15  # a child that has not stopped this long after SIGTERM is killed
BACKOFF_MAX_SECONDS = 60  # pause before a restart: 1 s, doubled per crash in a row, at most this
HEALTHY_SECONDS = 60  # a child that ran this long before crashing starts the pauses afresh


def say(text):
    print(f"» {text}", flush=True)


def seconds(since):
    return f"{time.monotonic() - since:.1f} 秒"


def relative(path):
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


# --- The environment (.venv/ from the lock file) ----------------------------------------------


def digest(kind):
    return hashlib.sha256(LOCKS[kind].read_bytes()).hexdigest()


def installed(kind):
    """Whether .venv/ holds ``kind``'s lock as it is now (dev.lock covers base.lock)."""
    if not PYTHON.exists():
        return False
    kinds = ("base", "dev") if kind == "base" else ("dev",)
    return any(STAMPS[k].exists() and STAMPS[k].read_text().strip() == digest(k) for k in kinds)


def install(kind):
    """Install ``kind``'s lock file into .venv/; pip writes to var/log/install.log, and a failure
    says in Chinese what failed, where the log is and what to do."""
    LOGS.mkdir(parents=True, exist_ok=True)
    if not PYTHON.exists():
        say("创建虚拟环境 .venv/ …")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(VENV, ignore_errors=True)  # a half-made one would be taken as made
            sys.exit(f"» 创建虚拟环境失败：{exc}\n"
                     "  Debian/Ubuntu 请先安装 venv 模块（apt-get install python3-venv），"
                     "删除 .venv/ 后重新运行本命令。")
    lock = LOCKS[kind]
    say(f"安装依赖（{relative(lock)}；安装输出写入 {relative(INSTALL_LOG)}）…")
    with open(INSTALL_LOG, "w", encoding="utf-8") as log:
        code = subprocess.run(
            # --no-compile: Python compiles what it imports when it first does (half of pip's
            # time went to compiling every file of every package).
            [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
             "--no-compile", "--require-hashes", "-r", str(lock)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
        ).returncode
    if code:
        tail = INSTALL_LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-12:]
        print(f"» 安装依赖失败（pip 退出码 {code}）。完整输出：{relative(INSTALL_LOG)}，最后几行：",
              *(f"    {line}" for line in tail),
              "  请检查网络和 pip 的软件源设置（pip config list），以及 Python 版本是否为 3.11 或更高；"
              f"修正后重新运行 python3 {' '.join(sys.argv)}。"
              "若仍失败，删除 .venv/ 后再试。", sep="\n", file=sys.stderr, flush=True)
        sys.exit(1)
    STAMPS[kind].write_text(digest(kind))


def ensure_environment(kind="dev"):
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py may be started by an older python3)
        sys.exit("需要 Python 3.11 或更高版本 (Python 3.11+ is required).")
    if not installed(kind):
        install(kind)


# --- Processes ---------------------------------------------------------------------------------


def site_url_for(address):
    """The base URL people reach ``address`` at (a wildcard host is reached on this machine)."""
    host, port = split_address(address)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def split_address(address):
    """(host, port) of a runserver address: ``8000``, ``host:8000`` or ``[::1]:8000``."""
    if address.isdigit():
        return "127.0.0.1", int(address)
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ValueError(address)
    return host.strip("[]"), int(port)


def embedded_environment(site_url, base=None, settings_module=None):
    """The environment of the platform's processes: settings, import path, SITE_URL and the
    embedded broker (EMBEDDED_BROKER=1: no eager tasks; a worker and beat run them)."""
    env = dict(os.environ if base is None else base)
    env["DJANGO_SETTINGS_MODULE"] = (settings_module or env.get("DJANGO_SETTINGS_MODULE")
                                     or SETTINGS)
    path = [str(ROOT / "site"), str(ROOT)]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["PYTHONUNBUFFERED"] = "1"
    env["SITE_URL"] = site_url
    env["EMBEDDED_BROKER"] = "1"
    return env


PREPARED_FD = "RUN_PY_PREPARED_FD"  # where the web process says the database is ready


def command(name, address=DEFAULT_ADDRESS, python=PYTHON, reload=False):
    """The command line of process ``name`` (web, worker, beat)."""
    python = str(python)
    if name == "web":
        # run.py _serve: migrate and the demo, then Django's runserver in the same process.
        return [python, str(ROOT / "run.py"), "_serve", address, *(["--reload"] if reload else [])]
    if name == "worker":
        # One task at a time: SQLite takes one writer, and the solo pool needs no child
        # processes. Gossip, mingle and heartbeats talk to other workers; there are none.
        return [python, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
                "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--hostname=embedded@%h"]
    if name == "beat":
        # The scheduler (django-celery-beat, in the database) comes from the settings.
        return [python, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"]
    raise ValueError(name)


def _child_setup(niceness):
    """In the child before exec: a process group of its own (the terminal's Ctrl-C reaches
    run.py, which stops each group), ended with its parent if run.py is killed, and a lower
    priority for background work so that the web server answers first."""
    def setup():
        os.setpgid(0, 0)
        if niceness:
            os.nice(niceness)
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            except (OSError, AttributeError):
                pass
    return setup


def launch(argv, env, log=None, niceness=0, pass_fds=()):
    """Start one of the platform's processes in a process group of its own, its output going
    to ``log`` (a path, appended to) or to this terminal. Returns the ``Popen``."""
    out = None
    if log is not None:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        out = open(log, "ab")  # noqa: SIM115  (the child keeps its own copy; closed below)
    try:
        return subprocess.Popen(
            [str(arg) for arg in argv], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT if out else None, pass_fds=pass_fds,
            preexec_fn=_child_setup(niceness) if os.name == "posix" else None,
        )
    finally:
        if out is not None:
            out.close()


def stop(processes, timeout=STOP_SECONDS):
    """SIGTERM to each process group, SIGKILL to whatever still runs after ``timeout``."""
    processes = [p for p in processes if p is not None]
    for proc in processes:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in processes:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in processes:
        _signal_group(proc, signal.SIGKILL)  # any grandchild left in the group, too
        if proc.poll() is None:
            proc.wait()


def _signal_group(proc, signum):
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signum)
        elif proc.poll() is None:
            proc.terminate()
    except (ProcessLookupError, PermissionError):
        pass


def answers(url, timeout=2):
    """The HTTP status ``url`` answers with, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


class PrepareFailed(Exception):
    pass


class Platform:
    """Run the processes: ``first`` alone until it says it is prepared (when it has a
    ``prepares`` pipe), then the others; report when ``url`` answers; restart a crashed
    process after a pause that doubles with each crash in a row; stop them all on SIGINT or
    SIGTERM (a second one kills at once)."""

    def __init__(self, commands, env, logs=None, url=None, started=None, first=None,
                 niceness=None, poll=0.5):
        self.commands = commands  # name → argv, started in this order
        self.env = env
        self.logs = logs or {}  # name → log path; none: this terminal
        self.url = url
        self.started = time.monotonic() if started is None else started
        self.first = first  # the process that prepares (writes to the pipe in PREPARED_FD)
        self.niceness = niceness or {}
        self.poll = poll
        self.processes = {}
        self.launched_at = {}
        self.crashes = dict.fromkeys(commands, 0)
        self.restart_at = {}
        self.prepared = first is None
        self.pipe = None
        self.stopping = False

    def _stop_signal(self, signum, frame):
        if self.stopping:  # a second Ctrl-C: no more waiting
            for proc in self.processes.values():
                _signal_group(proc, signal.SIGKILL)
        self.stopping = True

    def start(self, name):
        env, fds = self.env, ()
        if name == self.first and not self.prepared:
            self.pipe, write = os.pipe()
            env, fds = {**env, PREPARED_FD: str(write)}, (write,)
        try:
            self.processes[name] = launch(self.commands[name], env, self.logs.get(name),
                                          self.niceness.get(name, 0), fds)
        finally:
            for fd in fds:
                os.close(fd)
        self.launched_at[name] = time.monotonic()

    def run(self):
        """Supervise until stopped; raises PrepareFailed when ``first`` ends before it said
        it is prepared."""
        previous = {s: signal.signal(s, self._stop_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name in self.commands:
                if self.prepared or name == self.first:
                    self.start(name)
            ready = self.url is None
            while not self.stopping:
                if not self.prepared:
                    self.wait_prepared()
                else:
                    time.sleep(self.poll)
                if not ready and self.prepared and not self.stopping:
                    ready = self.check_ready()
                self.watch()
        finally:
            if self.processes:
                say("正在停止网站、后台任务和定时任务 …")
                stop(list(self.processes.values()))
                say("已全部停止。")
            if self.pipe is not None:
                os.close(self.pipe)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def wait_prepared(self):
        import select

        try:
            readable, _, _ = select.select([self.pipe], [], [], self.poll)
        except InterruptedError:
            return
        if not readable:
            return
        if not os.read(self.pipe, 16):  # closed unsaid: it ended before it was prepared
            self.processes[self.first].wait()
            code = self.processes.pop(self.first).returncode
            self.stopping = True
            raise PrepareFailed(code)
        os.close(self.pipe)
        self.pipe = None
        self.prepared = True
        for name in self.commands:
            if name not in self.processes:
                self.start(name)

    def check_ready(self):
        status = answers(self.url)
        if status is None:
            return False
        if status == 200:
            say(f"[4/4] 网站、后台任务和定时任务已启动（共用时 {seconds(self.started)}）")
        else:
            say(f"[4/4] 网站已启动，但首页返回 HTTP {status}（共用时 {seconds(self.started)}），"
                "请查看上面的输出")
        return True

    def watch(self):
        now = time.monotonic()
        for name, proc in list(self.processes.items()):
            if self.stopping:
                return
            if name in self.restart_at:
                if now >= self.restart_at[name]:
                    del self.restart_at[name]
                    self.start(name)
                    say(f"已重新启动{LABELS.get(name, name)}。")
                continue
            code = proc.poll()
            if code is None or (name == self.first and not self.prepared):
                continue
            _signal_group(proc, signal.SIGKILL)  # what it left behind in its group
            if now - self.launched_at[name] >= HEALTHY_SECONDS:
                self.crashes[name] = 0
            self.crashes[name] += 1
            pause = min(BACKOFF_MAX_SECONDS, 2 ** (self.crashes[name] - 1))
            log = self.logs.get(name)
            where = f"；日志：{relative(log)}" if log else "；原因见上面的输出"
            say(f"{LABELS.get(name, name)}意外退出（退出码 {code}），{pause} 秒后重新启动"
                f"（连续第 {self.crashes[name]} 次）{where}")
            self.restart_at[name] = now + pause


# --- Commands ----------------------------------------------------------------------------------


def port_is_free(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def start(args, started=None):
    started = time.monotonic() if started is None else started
    reload = "--reload" in args
    args = [arg for arg in args if arg != "--reload"]
    address = args[0] if args else DEFAULT_ADDRESS
    try:
        host, port = split_address(address)
    except ValueError:
        sys.exit(f"» 地址「{address}」无法识别：请写成 端口、主机:端口 或 [IPv6]:端口，"
                 "例如 python3 run.py start 127.0.0.1:8203")
    if not port_is_free(host or "0.0.0.0", port):
        sys.exit(f"» 端口 {port} 已被占用（也许平台已在运行）：请先停止占用它的程序，"
                 f"或换一个地址，例如 python3 run.py start {host or '127.0.0.1'}:{port + 1}")
    site_url = site_url_for(address)
    if not args and os.environ.get("SITE_URL"):
        site_url = os.environ["SITE_URL"].rstrip("/")
    say(f"[1/4] 运行环境就绪（{seconds(started)}）")
    say(f"网站：{site_url}/    管理后台：{site_url}/admin/    （短信和邮件写入 var/outbox/）")
    say(f"后台任务和定时任务的日志：{relative(LOGS / 'worker.log')}、{relative(LOGS / 'beat.log')}；"
        "按 Ctrl-C 全部停止。")
    commands = {name: command(name, address, reload=reload) for name in ("web", "worker", "beat")}
    logs = {"worker": LOGS / "worker.log", "beat": LOGS / "beat.log"}
    local = "::1" if ":" in host and host != "::" else "127.0.0.1"
    platform = Platform(commands, embedded_environment(site_url), logs,
                        url=site_url_for(f"[{local}]:{port}") + "/", started=started,
                        first="web", niceness={"worker": 5, "beat": 5})
    try:
        platform.run()
    except PrepareFailed as failed:
        sys.exit(f"» 准备数据库失败（退出码 {failed.args[0]}），原因见上面的输出；修正后重新运行 "
                 "python3 run.py start。")


def serve(args):
    """The web process (``run.py _serve ADDRESS [--reload]``, inside .venv/): migrate, load the
    demo unless it is there, tell run.py (the pipe in RUN_PY_PREPARED_FD), then Django's
    runserver in this same process."""
    started = time.monotonic()
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("RUN_MAIN") != "true":  # not the auto-reloader's restart of this process
        prepare(started)
        fd = os.environ.pop(PREPARED_FD, None)
        if fd:
            os.write(int(fd), b"1")
            os.close(int(fd))
    call_command("runserver", args[0], use_reloader="--reload" in args, skip_checks=True)


def prepare(started):
    """Migrate, then load the demo unless a finished load is there; tasks run in-process
    meanwhile (no worker runs yet). ``started``: when this process began (its Django setup
    counts as part of the database step)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from portal.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            fresh = "，新建数据库约需半分钟到一分钟" if len(plan) > 50 else ""
            say(f"更新数据库结构：{len(plan)} 个迁移{fresh} …")
        # With Django's system checks (runserver below skips them).
        call_command("migrate", interactive=False, verbosity=0, skip_checks=False)
        say(f"[2/4] 数据库结构已是最新（{seconds(started)}）")

        started = time.monotonic()
        marker = demo_marker(connection)
        if marker.exists() and demo_present():
            from core.demo import DEMO_PASSWORD, USERS

            say(f"[3/4] 演示数据已存在，跳过（{seconds(started)}）")
            accounts = ["admin（超级管理员）"] + [f"{user[0]}（{user[3]}）" for user in USERS]
            say(f"演示账号：{'、'.join(accounts)}；密码均为 {DEMO_PASSWORD}")
        else:
            say("载入演示数据（第一次约需半分钟）…")
            marker.unlink(missing_ok=True)
            call_command("load_demo")
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("演示数据已完整载入（load_demo 成功结束）。"
                              "删除本文件，下次启动时会重新载入（已有的数据不变）。\n",
                              encoding="utf-8")
            say(f"[3/4] 演示数据已载入（{seconds(started)}）")
    finally:
        app.conf.task_always_eager = eager


def demo_marker(connection):
    """A file that says load_demo finished for this database (a load cut short leaves none,
    and the next start loads again: load_demo changes nothing that is already there)."""
    settings_dict = connection.settings_dict
    key = f"{connection.vendor}:{settings_dict.get('HOST')}:{settings_dict.get('NAME')}"
    return VAR / f"demo-loaded-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def demo_present():
    from core.models import User

    return User.objects.filter(username="editor").exists()


def test(args):
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *args])


def setup(args):
    say(f"环境就绪：{PYTHON}")


def manage_command(args):
    os.execv(str(PYTHON), [str(PYTHON), str(ROOT / "manage.py"), *args])


COMMANDS = {"start": start, "test": test, "setup": setup, "manage": manage_command}
NEEDS = {"start": "base", "manage": "base"}  # the lock each command needs; others: dev

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "_serve":
        serve(sys.argv[2:])
        sys.exit(0)
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    began = time.monotonic()
    try:
        ensure_environment(NEEDS.get(sys.argv[1], "dev"))
        if sys.argv[1] == "start":
            start(sys.argv[2:], began)
        else:
            COMMANDS[sys.argv[1]](sys.argv[2:])
    except KeyboardInterrupt:
        sys.exit("» 已中断。")
