"""Settings shared by every environment.

Every value that comes from the environment is read in the "Environment" section below and
nowhere else; dev, production and test only choose defaults and switches.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent  # site/portal
SITE_DIR = PROJECT_DIR.parent  # site/
BASE_DIR = SITE_DIR.parent  # the repository root
VAR_DIR = BASE_DIR / "var"


# --- Environment -------------------------------------------------------------------------------


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache's own Redis database; unset = REDIS_URL with the next database number (see
# ``cache_url`` below), so evicting cache entries never touches the broker's queues.
CACHE_URL = os.environ.get("CACHE_URL", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads with personal data (ticket attachments), outside MEDIA_ROOT: see core.storage.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# Behind nginx, e.g. "/_private/": private files are handed over with X-Accel-Redirect to this
# internal location (which maps to PRIVATE_MEDIA_ROOT); empty = the app streams them itself.
PRIVATE_FILES_ACCEL_PREFIX = os.environ.get("PRIVATE_FILES_ACCEL_PREFIX", "")
# Request bodies larger than this are answered 413 before they are read (core.uploads);
# staff signed in to the admin may send up to STAFF_MAX_UPLOAD_BYTES (audio/video items).
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", "") or 25 * 1024 * 1024)
STAFF_MAX_UPLOAD_BYTES = int(os.environ.get("STAFF_MAX_UPLOAD_BYTES", "") or 1024 ** 3)
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# The public base URL of links in pages, SMS and email; ``run.py start ADDRESS`` sets it to the
# address it serves on.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or "http://127.0.0.1:8000"
WAGTAILADMIN_BASE_URL = SITE_URL
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# Outgoing mail (password reset, Django's error mails); production sends through this server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")  # implicit TLS, usually port 465
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "") or "webmaster@localhost"
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "") or DEFAULT_FROM_EMAIL
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")  # e.g. HTTP_X_REAL_IP behind nginx
# Behind a proxy that gives each request an id (nginx: X-Request-ID $request_id), the header
# that carries it, e.g. HTTP_X_REQUEST_ID; empty = the app makes its own (core.errors).
REQUEST_ID_HEADER = os.environ.get("REQUEST_ID_HEADER", "")
# With DEBUG on, show Django's debug pages (tracebacks, in English) instead of the Chinese error
# pages users see: a developer's choice, never for a demo (core.errors).
DEBUG_PAGES = env_bool("DJANGO_DEBUG_PAGES")
# With CLIENT_IP_HEADER = HTTP_X_FORWARDED_FOR: how many proxies of ours append to it (the
# client address is the entry this many places from the right).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1") or 1)
MESSAGE_OUTBOX_DIR = Path(os.environ.get("MESSAGE_OUTBOX_DIR", VAR_DIR / "outbox"))
# The embedded platform (``run.py start``): EMBEDDED_BROKER=1 without REDIS_URL queues tasks in
# files under BROKER_DIR (kombu's filesystem transport) for the Celery worker and beat that
# run.py starts beside the web server; the processes share a cache in files under CACHE_DIR.
EMBEDDED_BROKER = env_bool("EMBEDDED_BROKER") and not REDIS_URL
BROKER_DIR = Path(os.environ.get("BROKER_DIR", VAR_DIR / "broker"))
CACHE_DIR = Path(os.environ.get("CACHE_DIR", VAR_DIR / "cache"))
# Beat: every periodic task with a fixed interval runs at least this often (seconds), for tests
# and for watching the schedules at work; 0 = the intervals in CELERY_BEAT_SCHEDULE.
BEAT_PERIOD_SECONDS = float(os.environ.get("BEAT_PERIOD_SECONDS", "") or 0)
# One backend (dotted path) for SMS and email instead of the defaults below, e.g.
# core.messaging.RecordingBackend for a benchmark or a worker test; empty = the defaults.
MESSAGE_BACKEND = os.environ.get("MESSAGE_BACKEND", "")


# --- Applications ------------------------------------------------------------------------------

INSTALLED_APPS = [
    "core",
    "axes",
    "csp",
    "interpretations",
    "hotline",
    "ratings",
    "enterprises",
    "media",
    "wagtail.contrib.forms",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "core.apps.PlatformUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.humanize",  # its Chinese catalogue: the admin's relative times
    "django_filters",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: answers anonymous readers from the page cache before sessions and page lookup.
    "interpretations.cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An id beyond 64 bits in any route finds nothing (404), not SQLite's OverflowError.
    "core.params.DatabaseOverflowMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "/accounts/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.site_nav",
            ],
        },
    },
]


# --- Data --------------------------------------------------------------------------------------

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The web server, the worker and beat share the file: WAL lets readers go on while one
    # writes, writers take the lock when their transaction begins (IMMEDIATE) and wait up to
    # ``timeout`` seconds for it (SQLite's busy timeout) instead of failing with "database is
    # locked".
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;",
                                       "transaction_mode": "IMMEDIATE", "timeout": 30}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_url(redis_url, explicit=""):
    """The cache's Redis URL: ``explicit`` (CACHE_URL) when set, else ``redis_url`` with the
    database number after its own (redis://host:6379/0 → /1), or "" without Redis."""
    if explicit or not redis_url:
        return explicit
    parts = urlsplit(redis_url)
    db = parts.path.strip("/")
    number = int(db) + 1 if db.isdigit() else 1
    return urlunsplit(parts._replace(path=f"/{number}"))


def redis_caches(url):
    """CACHES for a Redis cache at ``url`` that fails safe (``core.cache``): a down Redis answers
    misses after at most half a second, and the site serves uncached."""
    return {
        "default": {
            "BACKEND": "core.cache.FailSafeRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "zct",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


if cache_url(REDIS_URL, CACHE_URL):
    CACHES = redis_caches(cache_url(REDIS_URL, CACHE_URL))
elif EMBEDDED_BROKER:
    # Several processes: a purge by the worker (a scheduled go-live) must reach the web server.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(CACHE_DIR), "OPTIONS": {"MAX_ENTRIES": 10_000}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# --- Celery ------------------------------------------------------------------------------------
# With REDIS_URL tasks go to Redis and a worker runs them; with EMBEDDED_BROKER (run.py start)
# they go to files under BROKER_DIR and the worker run.py starts runs them; with neither (manage.py
# commands, the tests) every task runs in-process. Tasks are acknowledged after they finish, so
# a worker that dies mid-task leaves a Redis message for another worker instead of losing it.
# Results are not kept (no task's caller waits for one).


def filesystem_broker(folder):
    """Transport options of kombu's filesystem broker in ``folder``: one folder of queued
    messages that producers write and the worker reads, and one for exchange bindings."""
    queue, control = Path(folder) / "queue", Path(folder) / "control"
    for path in (queue, control):
        path.mkdir(parents=True, exist_ok=True)
    return {"data_folder_in": str(queue), "data_folder_out": str(queue),
            "control_folder": str(control), "store_processed": False, "polling_interval": 0.5}


# (kombu warns about a URL without a host; the filesystem transport has no use for one)
CELERY_BROKER_URL = REDIS_URL or ("filesystem://localhost/" if EMBEDDED_BROKER else "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or EMBEDDED_BROKER)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
if EMBEDDED_BROKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker(BROKER_DIR)
    # No other worker to answer remote-control broadcasts.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# A request that enqueues after its commit gives a down broker two quick retries, then leaves
# the work to the recovery tasks (``core.tasks.enqueue``) instead of waiting.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.2}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "core.requeue_unsent_messages": {
        "task": "core.tasks.requeue_unsent_messages",
        "schedule": 300.0,
    },
    "core.purge_submission_tokens": {
        "task": "core.tasks.purge_submission_tokens",
        "schedule": crontab(minute=40, hour=3),
    },
    "hotline.mark_deadlines": {
        "task": "hotline.tasks.mark_deadlines",
        "schedule": 600.0,
    },
    "ratings.invite_finished_tickets": {
        "task": "ratings.tasks.invite_finished_tickets",
        "schedule": 300.0,
    },
    "ratings.apply_defaults": {
        "task": "ratings.tasks.apply_defaults",
        "schedule": 3600.0,
    },
    "ratings.mark_overdue_cases": {
        "task": "ratings.tasks.mark_overdue_cases",
        "schedule": 900.0,
    },
    "ratings.refresh_rollup": {
        "task": "ratings.tasks.refresh_rollup",
        "schedule": 60.0,
    },
    "interpretations.publish_scheduled": {
        "task": "interpretations.tasks.publish_scheduled",
        "schedule": 60.0,
    },
    # 惠企政策配套材料: reminders when a policy's 申报指南/工作手册 is due soon or overdue (once each).
    "interpretations.remind_support_materials_due": {
        "task": "interpretations.tasks.remind_support_materials_due",
        "schedule": crontab(minute=15, hour=8),
    },
    # 紧急发布: an overdue 事后审签 reminds the department and the supervisors once a day.
    "interpretations.remind_overdue_countersign": {
        "task": "interpretations.tasks.remind_overdue_countersign_task",
        "schedule": crontab(minute=20, hour=8),
    },
    "enterprises.push_recover": {
        "task": "enterprises.tasks.push_recover",
        "schedule": 120.0,
    },
    # Hourly: sends the daily digest once its hour has come (a missed run catches up).
    "enterprises.push_send_digests": {
        "task": "enterprises.tasks.push_send_digests",
        "schedule": crontab(minute=5),
    },
    # 线下帮办: helpers hear of follow-ups due today (once a day each; later runs catch up).
    "enterprises.remind_follow_ups": {
        "task": "enterprises.tasks.remind_follow_ups",
        "schedule": crontab(minute=30, hour="8-17"),
    },
    # 免申即享: the department hears once when the payout deadline nears, once when it passed.
    "enterprises.remind_payouts": {
        "task": "enterprises.tasks.remind_payouts",
        "schedule": crontab(minute=15, hour=9),
    },
}
if BEAT_PERIOD_SECONDS:
    for _entry in CELERY_BEAT_SCHEDULE.values():
        if isinstance(_entry["schedule"], float):
            _entry["schedule"] = min(_entry["schedule"], BEAT_PERIOD_SECONDS)


# --- Messages to people (SMS, email, in-app) ---------------------------------------------------
# Backends are dotted paths; the default writes each message to a file in MESSAGE_OUTBOX_DIR and
# keeps it in the database outbox, which the demo and the tests read.

MESSAGE_BACKENDS = {
    "sms": MESSAGE_BACKEND or "core.messaging.FileBackend",
    "email": MESSAGE_BACKEND or "core.messaging.FileBackend",
    "inbox": "core.messaging.InboxBackend",
}


# --- 企业服务: targeted policy push (enterprises/push.py) ---------------------------------------

ENTERPRISE_PUSH_BATCH_SIZE = 500  # deliveries per dispatch task
ENTERPRISE_PUSH_MAX_ATTEMPTS = 5  # a delivery that failed this often is marked failed
ENTERPRISE_PUSH_RETRY_SECONDS = 60  # backoff: this, doubled after every further attempt
ENTERPRISE_PUSH_STALE_SECONDS = 300  # work untouched this long is re-queued by recovery
ENTERPRISE_PUSH_DIGEST_HOUR = 9  # local hour of the daily digest (每日汇总)
ENTERPRISE_REQUEST_LIMIT = 10  # 企业诉求 one enterprise may file per window
ENTERPRISE_REQUEST_WINDOW_SECONDS = 3600
ENTERPRISE_CALCULATOR_LIMIT = 30  # public 政策计算器 answers per client address per window
ENTERPRISE_CALCULATOR_WINDOW_SECONDS = 600
# 免申即享 兑现台账 (enterprises/payouts.py). Provincial rule (domain rules §4, 惠企政策 practice):
# payouts within 60 working days of the policy's first go-live.
ENTERPRISE_PAYOUT_WORKING_DAYS = 60
ENTERPRISE_PAYOUT_REMIND_WORKING_DAYS = 10  # remind the department this close to the deadline


# --- Accounts: passwords, login lockout, sessions (core.accounts) -----------------------------

PASSWORD_MIN_LENGTH = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.accounts.LettersAndDigitsValidator"},
]

# django-axes, ahead of the password check: a username is locked after AXES_FAILURE_LIMIT
# failures, a client address (an office shares one behind NAT) after LOGIN_ADDRESS_FAILURE_LIMIT,
# each for AXES_COOLOFF_TIME; an administrator can lift it early under 设置 → 登录锁定.
AUTHENTICATION_BACKENDS = [
    "core.accounts.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 30
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "core.accounts.LockoutHandler"
# Attempts during a lockout do not prolong it: it ends AXES_COOLOFF_TIME after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # failures are counted until the next successful login
AXES_USERNAME_CALLABLE = "core.accounts.login_username"
AXES_CLIENT_IP_CALLABLE = "core.accounts.login_address"  # the project's one address rule
AXES_LOCKOUT_CALLABLE = "core.accounts.lockout_response"  # the login page, in Chinese, 429
AXES_ENABLE_ADMIN = False  # the Wagtail admin has its own screen (core.lockouts)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Staff (admin users) are logged out after this many idle minutes; residents and enterprises
# keep Django's normal session lifetime.
STAFF_SESSION_IDLE_MINUTES = 30
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "core.accounts.StaffSessionIdleMiddleware")


# --- Content-Security-Policy (django-csp; core.content_policy) --------------------------------
# The public site runs no inline script at all; the admin (Wagtail) gets the policy below with
# what its own pages need. Outermost, so pages answered from the page cache carry it too.

CSP_PUBLIC_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_PUBLIC_DIRECTIVES}
CSP_ADMIN_PREFIX = "/admin/"
# Wagtail 8's form widgets (date, page and document choosers) write inline <script> elements,
# and its vendor bundle runs the scripts of inline-panel templates: the admin cannot do without
# 'unsafe-inline' scripts. Everything else stays as strict as the public site.
CSP_ADMIN_DIRECTIVES = {
    **CSP_PUBLIC_DIRECTIVES,
    "script-src": ["'self'", "'unsafe-inline'"],
}
MIDDLEWARE.insert(0, "core.content_policy.ContentPolicyMiddleware")


# --- Errors: request ids, error pages, logs (core.errors) ------------------------------------
# Every request gets an id (response header X-Request-ID, every log line, the error pages), so
# a user can quote it to support. The error pages are the Chinese 400/403/404/500 templates in
# every mode, DEBUG included (unless DJANGO_DEBUG_PAGES=1). The id first of all, so that every
# response carries it (the page cache's and WhiteNoise's included); the pages inside the
# Content-Security-Policy.

MIDDLEWARE.insert(0, "core.errors.RequestIdMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("core.content_policy.ContentPolicyMiddleware") + 1,
                  "core.errors.DebugErrorPagesMiddleware")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
LOG_LEVEL = "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.errors.RequestIdFilter"}},
    "formatters": {"request": {
        "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "request", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own messages (500s, refused requests) go to the console above, with the id.
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}


def logging_at(level):
    """LOGGING with the console at ``level`` (production logs INFO)."""
    return {**LOGGING, "handlers": {"console": {**LOGGING["handlers"]["console"],
                                                "level": level}},
            "root": {**LOGGING["root"], "level": level}}


# --- Language and time -------------------------------------------------------------------------
# User-facing strings are written in Simplified Chinese and wrapped in gettext, so the source
# language is zh-hans and other languages can be added as catalogues under locale/.

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True


# --- Files -------------------------------------------------------------------------------------

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_URL = "/static/"
MEDIA_URL = "/uploads/"
# "private": PRIVATE_MEDIA_ROOT, no public URL (core.storage); production and test keep it.
PRIVATE_STORAGE = {"BACKEND": "core.storage.PrivateFileStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": PRIVATE_STORAGE,
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields (files excluded) held in memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # larger uploads are spooled to a temporary file
FILE_UPLOAD_PERMISSIONS = 0o640
# Too large a body is refused before anything reads it: right after the user is known (staff
# may send more), ahead of the CSRF check that would parse the form.
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "core.uploads.RequestSizeLimitMiddleware")


# --- Wagtail -----------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "政策通"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "doc", "docx", "odt", "ofd", "pdf", "pptx", "rtf", "txt", "xls",
                          "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_USER_LOGIN_FORM = "core.forms.AdminLoginForm"
# The network is closed to most outside hosts; avatars must not call out to Gravatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# 三同步: the last approval publishes only a complete package approved on its exact revision,
# and an edit during sign-off sends the document back through every step.
WAGTAIL_FINISH_WORKFLOW_ACTION = "interpretations.publishing.finish_workflow"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# Sign-off notices go to the people in a step's scope (interpretations.signals), not to every
# superuser.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False


# --- Platform rules (local practice: settings with the defaults from domain-rules.md) ----------

PLATFORM = {
    "MESSAGE_RETRY_AFTER_SECONDS": 300,
    # 政策解读 (interpretations/): a registered public concern is answered within these hours.
    "CONCERN_RESPONSE_HOURS": 48,
    # 三同步 sign-off: no person approves two steps of the same revision.
    "SIGNOFF_SEPARATE_DUTIES": True,
    # 紧急发布: the 事后审签 is due within these working days of the emergency go-live.
    "EMERGENCY_COUNTERSIGN_WORKING_DAYS": 3,
    # 专家预览: an expert's read-only link to a draft lives at most this many days.
    "EXPERT_PREVIEW_MAX_DAYS": 30,
    # Provincial practice (domain rules §4): a new enterprise-support policy's work manual
    # (工作手册) and application guide (申报指南) within this many working days of its first go-live.
    "SUPPORT_MATERIALS_WORKING_DAYS": 7,
    # Anonymous page cache lifetime (purged on publish/unpublish anyway); 0 turns it off.
    "PAGE_CACHE_SECONDS": 600,
    # 12345 hotline (hotline/)
    "HOTLINE_WORKDAY_START": 9,  # working hours for 签收 deadlines, local time
    "HOTLINE_WORKDAY_END": 18,
    "HOTLINE_DUE_SOON_HOURS": 9,  # 临期: less than one working day (in working hours) left
    # From this (month, day) on, staff home pages ask for next year's 放假/调休 days until they are
    # entered (chinese-calendar only carries the years already published).
    "CALENDAR_WARNING_FROM": (11, 1),
    "HOTLINE_REPEAT_WINDOW_DAYS": 30,  # 重复诉求: same phone or address+category within
    "HOTLINE_REPEAT_THRESHOLD": 3,  # a matter reaching this many requests escalates to 会办
    "HOTLINE_JOINT_DAYS": 10,  # 会办 deadline in working days
    "HOTLINE_SUBMIT_LIMIT": 5,  # public submissions per client address per window
    "HOTLINE_TRACK_LIMIT": 30,  # tracking look-ups per client address per window
    "HOTLINE_RATE_WINDOW_SECONDS": 3600,
    # Behind a reverse proxy, the request header that carries the client address (e.g.
    # "HTTP_X_REAL_IP" set by nginx); empty = REMOTE_ADDR.
    "CLIENT_IP_HEADER": CLIENT_IP_HEADER,
    # With X-Forwarded-For: the number of our proxies that append to it (the client is the
    # entry this many places from the right; the entries left of it are client-supplied).
    "TRUSTED_PROXY_COUNT": TRUSTED_PROXY_COUNT,
    # 好差评 (ratings/)
    "RATINGS_DEFAULT_AFTER_DAYS": 7,  # unrated after these natural days → 基本满意 (default)
    "RATINGS_LINK_DAYS": 7,  # a rating link expires after these natural days
    "RATINGS_CALLBACK_WORKING_DAYS": 1,  # 差评回访核实
    "RATINGS_RECTIFY_WORKING_DAYS": 15,  # 差评整改
    "RATINGS_QR_MINUTES": 30,  # the window QR code rates a service given this recently
    "RATINGS_SUBMIT_LIMIT": 20,  # rating submissions per client address per window
    "RATINGS_RATE_WINDOW_SECONDS": 3600,
    "RATINGS_STUFFING_THRESHOLD": 5,  # ratings from one device/address within the window
    "RATINGS_STUFFING_WINDOW_HOURS": 24,  # → flagged for review, not counted until reviewed
    "RATINGS_SMS_WEBHOOK_SECRET": os.environ.get("RATINGS_SMS_WEBHOOK_SECRET", ""),
}


def require(value, name):
    """Refuse to start when a value production cannot do without is missing."""
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment. "
                                   f"生产环境必须在环境变量中设置 {name}。")
    return value
