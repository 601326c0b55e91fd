"""How long ``python3 run.py start`` takes from a fresh clone to the first HTTP 200 on ``/``, and
a restart of the same clone (targets: 60 s and 10 s).

    python3 bench/start.py            # clone of HEAD plus the work tree's uncommitted changes
    python3 bench/start.py --head     # HEAD alone
    python3 bench/start.py --keep     # leave the clone (and its .venv/) in /tmp for a look

The clone gets a fresh .venv/ (pip's download cache and wheel cache are the machine's own, so
they are warm once the project was installed here). Each start is stopped as Ctrl-C stops it
(SIGINT to run.py's process group), timed, and checked for processes left behind. Prints each
figure as ``name: value unit``, then the start's own lines with the time each arrived.
Standard library only; run it once, on a machine that is otherwise idle if the figures matter.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 900  # seconds a start may take before the benchmark gives up


def report(name, value, unit):
    shown = f"{value:.1f}" if isinstance(value, float) else value
    print(f"{name}: {shown} {unit}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clone(target, head_only):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    if head_only:
        return
    # The work tree's changes to tracked files, and its new files (not the ignored ones).
    diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--binary"], check=True,
                          capture_output=True).stdout
    if diff.strip():
        subprocess.run(["git", "-C", str(target), "apply", "--binary", "-"], input=diff,
                       check=True)
    others = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard",
                             "-z"], check=True, capture_output=True).stdout.decode()
    for name in filter(None, others.split("\0")):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def left_behind(folder):
    """Processes whose command line names ``folder`` (a stopped start should leave none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(folder) in cmdline and str(os.getpid()) != entry.name:
                found.append(f"{entry.name} {cmdline.strip()}")
    return found


class Start:
    """One ``python3 run.py start ADDRESS`` in ``folder``, its output lines timed."""

    def __init__(self, python, folder, port):
        self.url = f"http://127.0.0.1:{port}/"
        self.began = time.monotonic()
        self.lines = []
        env = {name: value for name, value in os.environ.items()
               if name not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH")}
        self.process = subprocess.Popen(
            [python, "run.py", "start", f"127.0.0.1:{port}"], cwd=folder, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.process.stdout:
            self.lines.append((time.monotonic() - self.began, line.rstrip("\n")))

    def first_200(self):
        """Seconds from the start to the first 200 on /, or None."""
        deadline = self.began + TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            if status(self.url) == 200:
                return time.monotonic() - self.began
            time.sleep(0.2)
        return None

    def arrived(self, text):
        """When the first line holding ``text`` arrived (seconds), or None."""
        return next((at for at, line in self.lines if text in line), None)

    def stop(self):
        """Ctrl-C (SIGINT to the foreground process group); seconds until run.py exited."""
        began = time.monotonic()
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.reader.join(5)
        return time.monotonic() - began


def breakdown(prefix, start, first):
    """The steps run.py prints, as figures: each from the previous step's line to its own."""
    steps = [
        ("venv", "创建虚拟环境", "安装依赖"),
        ("install", "安装依赖", "[1/4]"),
        ("environment", None, "[1/4]"),
        ("migrate", "[1/4]", "[2/4]"),
        ("demo", "[2/4]", "[3/4]"),
    ]
    for name, after, until in steps:
        end = start.arrived(until)
        begin = 0.0 if after is None else start.arrived(after)
        if end is not None and begin is not None:
            report(f"{prefix}_{name}", end - begin, "s")
    ready = start.arrived("[3/4]")
    if ready is not None and first is not None:
        report(f"{prefix}_processes_to_first_200", first - ready, "s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--head", action="store_true", help="clone HEAD without the work tree")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable,
                        help="the interpreter that runs run.py (default: python3)")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="zct-start-")) / "zhengcetong"
    transcript = []
    try:
        # Other work on the machine slows every figure below; say how busy it was.
        report("load_average_before", os.getloadavg()[0], "runnable processes (1 min)")
        began = time.monotonic()
        clone(folder, options.head)
        report("clone", time.monotonic() - began, "s")

        results = {}
        for name in ("first_start", "restart"):
            start = Start(options.python, folder, free_port())
            first = start.first_200()
            results[name] = first
            stopped = start.stop()
            transcript.append((name, start.lines))
            if first is None:
                report(f"{name}_to_first_200", "none", "(no 200 on /)")
                break
            report(f"{name}_to_first_200", first, "s")
            breakdown(name, start, first)
            report(f"{name}_stop", stopped, "s")
            time.sleep(1)  # PDEATHSIG and the last exits
            leftovers = left_behind(folder)
            report(f"{name}_processes_left_after_stop", len(leftovers), "processes")
            for line in leftovers:
                print(f"#   left: {line}")
        report("load_average_after", os.getloadavg()[0], "runnable processes (1 min)")
        if results.get("first_start") is not None:
            print(f"# targets: first start ≤ 60 s ({results['first_start']:.1f}), "
                  f"restart ≤ 10 s ({(results.get('restart') or float('nan')):.1f})")
        for name, lines in transcript:
            print(f"# --- {name}: run.py's output, each line with the second it arrived")
            for at, line in lines:
                print(f"# {at:6.1f} s | {line}")
    finally:
        for line in left_behind(folder):
            os.kill(int(line.split()[0]), signal.SIGKILL)
        if options.keep:
            print(f"# clone kept in {folder}")
        else:
            shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
