#!/usr/bin/env python3
"""Start the site or run the tests from a fresh clone with nothing but Python 3.11+.

    python3 run.py start   # install (first time), migrate, load demo data, serve on :8000
    python3 run.py test    # install (first time), run the whole test suite
    python3 run.py setup   # only make .venv/ (for benchmarks and tools)
    python3 run.py manage … # any manage.py command inside .venv/

The first run makes .venv/ and installs the pinned, hash-checked lock file; later runs reuse it
and reinstall only when the lock file changed. Extra arguments after ``test`` go to pytest.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.lock"
STAMP = VENV / ".lock-sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment():
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py may be started by an older python3)
        sys.exit("需要 Python 3.11 或更高版本 (Python 3.11+ is required).")
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    if not PYTHON.exists():
        print("» 创建虚拟环境 .venv/ …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("» 安装依赖（requirements/dev.lock）…", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
         "--require-hashes", "-r", str(LOCK)],
        check=True,
    )
    STAMP.write_text(digest)


def manage(*args):
    subprocess.run([str(PYTHON), str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def start(args):
    manage("migrate", "--noinput")
    manage("load_demo")
    address = args[0] if args else "127.0.0.1:8000"
    print(f"» 网站： http://{address}/    管理后台： http://{address}/admin/", flush=True)
    os.execv(str(PYTHON), [str(PYTHON), str(ROOT / "manage.py"), "runserver", address])


def test(args):
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *args])


def setup(args):
    print(f"» 环境就绪：{PYTHON}", flush=True)


def manage_command(args):
    os.execv(str(PYTHON), [str(PYTHON), str(ROOT / "manage.py"), *args])


COMMANDS = {"start": start, "test": test, "setup": setup, "manage": manage_command}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    ensure_environment()
    COMMANDS[sys.argv[1]](sys.argv[2:])
