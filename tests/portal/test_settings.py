"""Each environment reads its configuration from the environment, in one place."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'db': str(settings.DATABASES['default']['NAME']),"
    " 'cache': settings.CACHES['default']['BACKEND'],"
    " 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL,"
    " 'media': str(settings.MEDIA_ROOT), 'lang': settings.LANGUAGE_CODE,"
    " 'tz': settings.TIME_ZONE, 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS}))"
)


def probe(module, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MEDIA_ROOT", "ALLOWED_HOSTS"}}
    clean.update(env, DJANGO_SETTINGS_MODULE=module,
                 PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]))
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_embedded_default_needs_nothing_but_python():
    result = probe("portal.settings.dev")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["db"] == str(ROOT / "var" / "db.sqlite3")
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True
    assert config["media"] == str(ROOT / "var" / "media")
    assert (config["lang"], config["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_redis_url_switches_cache_and_broker():
    result = probe("portal.settings.dev", REDIS_URL="redis://127.0.0.1:6379/3")
    config = json.loads(result.stdout)
    assert config["cache"].endswith("RedisCache")
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/3"


def test_production_refuses_to_start_without_secret_key():
    result = probe("portal.settings.production",
                   DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_reads_database_hosts_and_media_from_environment():
    result = probe("portal.settings.production", SECRET_KEY="x" * 50,
                   DATABASE_URL="postgres://u:p@db.internal:5432/zct", MEDIA_ROOT="/srv/uploads",
                   ALLOWED_HOSTS="zct.example.gov.cn,www.example.gov.cn")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["db"] == "zct"
    assert config["media"] == "/srv/uploads"
    assert config["debug"] is False
    assert config["hosts"] == ["zct.example.gov.cn", "www.example.gov.cn"]
