"""The production web server for real: nginx with the project's own configuration
(``docker/nginx/zct.conf.template``) in front of gunicorn on production settings.

The test builds a small world in the test database (a live policy with a 图解 image and a video,
a 12345 ticket with an attachment), commits it, and starts gunicorn on the same data: on
PostgreSQL the test database itself, on SQLite (in memory or a file) a copy of it in a file. It
renders the nginx template for temporary folders and free ports, runs Debian's nginx as the
current user, and checks over HTTP what nginx must do: static files with long cache headers,
public uploads (with byte ranges for video), private attachments only through the app's check
(X-Accel-Redirect), nothing else under /uploads/, and bodies over the limit refused by nginx.

Skipped without /usr/sbin/nginx (``apt-get install nginx``; CI installs it).
"""

import gzip
import http.client
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from hotline.models import Status
from media.models import MediaItem
from tests.hotline.conftest import _fresh_cache, drive, hl, new_ticket  # noqa: F401 (fixtures)
from tests.interpretations.conftest import MATERIALS, make_policy, section  # noqa: F401

NGINX = Path("/usr/sbin/nginx")
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "docker" / "nginx" / "zct.conf.template"
PROXY_DOCKERFILE = ROOT / "docker" / "nginx" / "Dockerfile"
PASSWORD = "pass-1234"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 256  # 64 KiB and a bit
ATTACHMENT = b"\xff\xd8\xff\xe0" + b"JFIF-test-attachment" * 100

pytestmark = [
    pytest.mark.skipif(not NGINX.exists(), reason=(
        "未安装 nginx：生产 Web 服务器测试已跳过。启用方法：apt-get install nginx（Debian）。")),
    pytest.mark.django_db(transaction=True),
]


# --- The world ---------------------------------------------------------------------------------


def png_bytes():
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (320, 180), "#1f5fa8").save(buffer, "PNG")
    return buffer.getvalue()


def make_image():
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # a flushed database lost it
        Collection.add_root(name="Root")
    image = get_image_model()(title="图解：三步到账")
    image.file = ImageFile(ContentFile(png_bytes()), name="tujie.png")
    image.save()
    return image


def make_video(department):
    item = MediaItem(title="政策解读视频", kind=MediaItem.Kind.VIDEO, department=department,
                     transcript="主持人：今天我们来解读……")
    item.file.save("jiedu.mp4", ContentFile(VIDEO), save=False)
    item.captions.save("jiedu.vtt", ContentFile("WEBVTT\n\n00:00.000 --> 00:02.000\n你好\n".encode()),
                       save=False)
    item.save()
    return item


def production_password(user):
    """The test settings hash with MD5, which production does not accept."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


# --- Processes ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, log, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port} after {timeout} s:\n{log.read_text(errors='replace')}")


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def app_database_url(tmp):
    """A DATABASE_URL at which another process sees the committed test data."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(db["USER"] or "", safe="")
        password = quote(db["PASSWORD"] or "", safe="")
        return (f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                f"{db['NAME']}")
    # SQLite, in memory or in a file: a copy for the app alone.
    path = tmp / "app.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"


def shipped_defaults():
    """The ZCT_* values the proxy image ships with (docker/nginx/Dockerfile)."""
    return dict(re.findall(r"\b(ZCT_[A-Z_]+)=(\S+)", PROXY_DOCKERFILE.read_text()))


def size_in_bytes(value):
    units = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
    value = value.lower()
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def render(template, values):
    """What envsubst does with the template (only the ZCT_* names; nginx's own $variables
    stay)."""
    text = re.sub(r"\$\{(ZCT_[A-Z_]+)\}", lambda m: values[m.group(1)], template)
    assert "${" not in text
    return text


def nginx_main_conf(tmp, site_conf):
    user = ""
    if os.geteuid() == 0:  # as root nginx would drop its workers to nobody, who cannot read tmp
        import grp
        import pwd

        user = (f"user {pwd.getpwuid(os.geteuid()).pw_name} "
                f"{grp.getgrgid(os.getegid()).gr_name};")
    temp = {name: tmp / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    return f"""{user}
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp / "access.log"};
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site_conf};
}}
"""


# --- HTTP --------------------------------------------------------------------------------------


class Client:
    """Plain HTTP against nginx; keeps cookies itself (production marks them Secure, which a
    cookie jar would not send over http://)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def log_in(self, username):
        response, content = self.get("/accounts/login/")
        assert response.status == 200, content[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        form = f"csrfmiddlewaretoken={token.decode()}&username={quote(username)}&" \
               f"password={quote(PASSWORD)}"
        response, content = self.request(
            "POST", "/accounts/login/", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status == 302, content[:2000].decode(errors="replace")
        assert "sessionid" in self.cookies
        return self


def raw_request(port, head, body=b""):
    """Send ``head`` (and ``body``) as they are; the status line and the rest of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head.encode() + body)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer


# --- The test ----------------------------------------------------------------------------------


def test_nginx_serves_static_uploads_and_private_files_in_front_of_gunicorn(
        settings, tmp_path, make_policy, new_ticket, drive, hl):  # noqa: F811 (fixtures)
    started = time.time()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    media_root, private_root = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    static_root = tmp_path / "static"

    # The world, committed.
    hrss = hl["orgs"]["hrss"]
    video = make_video(hrss)
    policy = make_policy(publish=True, materials=[
        *MATERIALS,
        ("graphic", {"title": "图解：三步到账", "image": make_image(),
                     "description": "第一步：比对；第二步：公示；第三步：拨付。"}),
        ("media", {"item": video, "note": ""}),
    ])
    assert policy.live
    ticket = drive(new_ticket(attachments=[SimpleUploadedFile("现场照片.jpg", ATTACHMENT)]),
                   Status.PENDING_SIGN)
    attachment = ticket.attachments.get()
    assert (private_root / attachment.file.name).read_bytes() == ATTACHMENT
    for user in (hl["users"]["handler"], hl["users"]["other_handler"]):
        production_password(user)
    # A ticket attachment from before the private storage, still under MEDIA_ROOT.
    leftover = media_root / "hotline" / "2025" / "01" / "old.jpg"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(ATTACHMENT)

    defaults = shipped_defaults()
    max_body = size_in_bytes(defaults["ZCT_MAX_BODY_SIZE"])
    admin_max_body = size_in_bytes(defaults["ZCT_ADMIN_MAX_BODY_SIZE"])
    # nginx lets through what the app accepts (and a multipart envelope), not much more.
    assert settings.MAX_UPLOAD_BYTES < max_body <= settings.MAX_UPLOAD_BYTES + 8 * 1024 ** 2
    staff_max = getattr(settings, "STAFF_MAX_UPLOAD_BYTES", 0)
    assert staff_max < admin_max_body <= max(staff_max * 2, max_body)

    app_port, web_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "TEST_CELERY_WORKER"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "site"), str(ROOT)]),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "DATABASE_URL": app_database_url(tmp_path),
        # In-process cache and tasks: nothing this test asks for needs the broker, and the
        # suite's Redis databases stay the suite's.
        "REDIS_URL": "", "CACHE_URL": "",
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(private_root),
        "PRIVATE_FILES_ACCEL_PREFIX": "/_private/",
        "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "REQUEST_ID_HEADER": "HTTP_X_REQUEST_ID",
        "STATIC_ROOT": str(static_root),
        "MESSAGE_OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    site_conf = tmp_path / "zct.conf"
    site_conf.write_text(render(TEMPLATE.read_text(), {
        **defaults,
        "ZCT_LISTEN": f"127.0.0.1:{web_port}",
        "ZCT_UPSTREAM": f"127.0.0.1:{app_port}",
        "ZCT_STATIC_ROOT": str(static_root),
        "ZCT_MEDIA_ROOT": str(media_root),
        "ZCT_PRIVATE_MEDIA_ROOT": str(private_root),
    }))
    main_conf = tmp_path / "nginx.conf"
    main_conf.write_text(nginx_main_conf(tmp_path, site_conf))
    gunicorn_log, nginx_log = tmp_path / "gunicorn.log", tmp_path / "nginx.log"
    access_log = tmp_path / "gunicorn-access.log"
    gunicorn = nginx = None
    try:
        with gunicorn_log.open("w") as out:
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                 "--bind", f"127.0.0.1:{app_port}", "--workers", "2", "--timeout", "30",
                 "--access-logfile", str(access_log)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        with nginx_log.open("w") as out:
            nginx = subprocess.Popen(
                [str(NGINX), "-e", "stderr", "-p", str(tmp_path), "-c", str(main_conf),
                 "-g", f"daemon off; pid {tmp_path / 'nginx.pid'}; error_log stderr;"],
                stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(web_port, nginx, nginx_log)
        wait_for_port(app_port, gunicorn, gunicorn_log)
        client = Client(web_port)
        try:
            check_site(client, policy, manifest, static_root)
            check_private_files(client, attachment, leftover, media_root, web_port)
            check_body_limits(web_port, max_body, access_log)
        except AssertionError as problem:
            logs = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}"
                             for log in (gunicorn_log, nginx_log) if log.exists())
            raise AssertionError(f"{problem}\n{logs}") from problem
    finally:
        stop(nginx)
        stop(gunicorn)
    assert time.time() - started < 60


def check_site(client, policy, manifest, static_root):
    # The live policy, through nginx and gunicorn.
    response, content = client.get(policy.url)
    assert response.status == 200, content[:2000]
    assert response.getheader("Server") == "nginx"  # server_tokens off: no version
    # nginx's request id (32 hex digits; the app's own has 16) reached the app and came back.
    assert re.fullmatch(r"[0-9a-f]{32}", response.getheader("X-Request-ID") or "")
    html = content.decode()

    # Static files: from STATIC_ROOT, hashed names cached for a year, compressed.
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    response, body = client.get(stylesheet, **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (static_root / stylesheet.removeprefix("/static/")).read_bytes()
    response, _ = client.get("/static/" + manifest["css/site.css"])
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    response, _ = client.get("/static/css/site.css")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=3600"

    # The 图解 image the page shows (a rendition the app just made).
    image = re.search(r'<img[^>]+src="(/uploads/images/[^"]+)"', html).group(1)
    response, body = client.get(image)
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert body.startswith(b"\x89PNG")

    # The video, whole and in ranges (seeking), and its captions.
    source = re.search(r'<source src="(/uploads/media/[^"]+)"', html).group(1)
    response, body = client.get(source)
    assert (response.status, response.getheader("Content-Type")) == (200, "video/mp4")
    assert body == VIDEO
    assert response.getheader("Accept-Ranges") == "bytes"
    response, body = client.get(source, Range="bytes=1000-1999")
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 1000-1999/{len(VIDEO)}"
    assert body == VIDEO[1000:2000]
    captions = re.search(r'<track[^>]+src="(/uploads/media/captions/[^"]+)"', html).group(1)
    response, body = client.get(captions)
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/vtt")


def check_private_files(client, attachment, leftover, media_root, port):
    url = f"/hotline/attachments/{attachment.pk}/"
    # Anonymous: sent to log in.
    response, body = client.get(url)
    assert response.status == 302
    assert response.getheader("Location").startswith("/accounts/login/")
    assert ATTACHMENT not in body
    # Another department's handler: no such attachment.
    other = Client(port).log_in("housing_handler")
    response, body = other.get(url)
    assert response.status == 404
    assert ATTACHMENT not in body
    # The handling department: the file, sent by nginx from PRIVATE_MEDIA_ROOT.
    handler = Client(port).log_in("handler")
    response, body = handler.get(url)
    assert response.status == 200, body[:2000]
    assert body == ATTACHMENT
    assert response.getheader("X-Accel-Redirect") is None
    assert response.getheader("ETag")  # nginx's file handler answered, not the app
    assert response.getheader("Content-Disposition").startswith("attachment")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "no-store" in response.getheader("Cache-Control")
    assert response.getheader("Content-Type") == "image/jpeg"

    # The internal location cannot be asked for directly, nor the file by a public address.
    for path in (f"/_private/{quote(attachment.file.name)}", f"/uploads/{quote(attachment.file.name)}",
                 "/uploads/" + leftover.relative_to(media_root).as_posix(),
                 "/uploads/documents/anything.pdf", "/uploads/policy-files/anything.pdf"):
        response, body = client.get(path)
        assert response.status == 404, path
        assert ATTACHMENT not in body


def check_body_limits(port, max_body, access_log):
    # Over the limit: nginx answers 413 from the declared length, the app never sees it.
    head = (f"POST /hotline/submit/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {max_body + 1024 ** 2}\r\nConnection: close\r\n\r\n")
    status, answer = raw_request(port, head, b"--x\r\n" + b"a" * 4096)
    assert status == 413
    assert "提交内容过大" in answer.decode(errors="replace")
    # Staff upload audio/video in the admin: the same size goes through to the app (which
    # decides by who is signed in).
    size = max_body + 1024 ** 2
    head = (f"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n"
            f"Connection: close\r\n\r\n")
    raw_request(port, head, b"\0" * size)
    deadline = time.time() + 10
    while time.time() < deadline and "POST /admin/login/" not in access_log.read_text():
        time.sleep(0.1)
    log = access_log.read_text()
    assert "POST /admin/login/" in log
    assert "POST /hotline/submit/" not in log
