"""Tandem's one settings module: every knob is a TANDEM_* environment variable with a sane default."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Read a string setting from TANDEM_<name>."""
    return os.environ.get(f"TANDEM_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean setting (1/true/yes/on) from TANDEM_<name>."""
    raw = os.environ.get(f"TANDEM_{name}")
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer setting from TANDEM_<name>."""
    raw = os.environ.get(f"TANDEM_{name}")
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list setting from TANDEM_<name>."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    # A stable per-installation key kept in the data directory, so sessions survive restarts
    # without anyone having to invent a secret for a local install.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs page then uses django-ninja's own Swagger UI files, not a CDN
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tandem.core",
    "tandem.accounts",
    "tandem.projects",
    "tandem.planning",
    "tandem.requirements",
    "tandem.changes",
    "tandem.risks",
    "tandem.resources",
    "tandem.costs",
    "tandem.quality",
    "tandem.communication",
    "tandem.meetings",
    "tandem.reports",
    "tandem.pulses",
    "tandem.onboarding",
    "tandem.api",
    "tandem.web",
    "tandem.demo",
]

MIDDLEWARE = [
    # First, so its counts include the session and authentication queries; off unless asked for.
    "tandem.web.middleware.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.web.middleware.UserLanguageMiddleware",
    "tandem.web.middleware.RememberMembershipsMiddleware",
    "tandem.web.middleware.DatabaseBusyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("TANDEM_DATABASE_URL") or os.environ.get("DATABASE_URL")
if _database_url:
    # A server thread keeps its connection between requests (and with it the statements prepared on
    # it, see below): a new PostgreSQL connection is a new backend process that must read its
    # catalogue caches and prepare every statement again.
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 600))
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tandem.sqlite3"),
            # Each server thread keeps its connection between requests: opening one (and running the
            # PRAGMAs below) cost about 3 ms of CPU, a sixth of a typical request. An idle connection
            # holds no lock and no snapshot in WAL mode.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 600),
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades
                # that fail with "database is locked" under concurrent writes.
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }

# How long a statement waits for a lock held by another transaction before it gives up; the
# request is then answered 503 with Retry-After (seconds), never 500. SQLite: its busy timeout;
# PostgreSQL: lock_timeout, set for every connection.
DB_LOCK_TIMEOUT = env_int("DB_LOCK_TIMEOUT", 10)
DB_LOCK_RETRY_AFTER = env_int("DB_LOCK_RETRY_AFTER", 5)
_database = DATABASES["default"]
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database.setdefault("OPTIONS", {})["timeout"] = DB_LOCK_TIMEOUT
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c lock_timeout={DB_LOCK_TIMEOUT * 1000}".strip()
    # Statements are bound and prepared on the server from their second run on a connection: a page
    # runs the same few dozen statements for everyone, and PostgreSQL then skips parsing them again
    # (its CPU per request fell from 6.4 to 3.4 ms in benchmarks/request_cpu.py). A connection keeps
    # up to DB_PREPARED_MAX of them (``tandem.core.apps``). Behind a pooler that cannot carry
    # prepared statements (PgBouncer in transaction mode before 1.21), set TANDEM_DB_PREPARED=0.
    if env_bool("DB_PREPARED", True):
        _options.setdefault("server_side_binding", True)
        _options.setdefault("prepare_threshold", 1)
DB_PREPARED_MAX = env_int("DB_PREPARED_MAX", 500)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A budget line for the whole project (no phase) and an alert for the whole budget (no line) are
# unique with their empty column counted as a value (``nulls_distinct=False``): PostgreSQL enforces
# it; SQLite cannot, and the services check before they write (one writer at a time on SQLite).
SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:project_list"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling: after this many failures for one user name from one address, that pair is
# locked out for the cool-off period.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "tandem" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tandem <tandem@localhost>")

# Background jobs (Django's tasks API through the django-tasks backport). The database backend is
# the embedded default: `tandem serve` starts a worker beside the web server. Larger installs point
# TANDEM_TASKS_BACKEND at another backend (see docs/architecture.md).
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKEND,
        "QUEUES": ["default"],
    }
}
if TASKS_BACKEND.startswith("django_tasks_rq."):
    # Redis-backed queue for larger installs (the `redis` extra); workers: `tandem rqworker`.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}

# Webhooks post to public addresses only, unless the chat server is on the intranet.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
# An API token's "last used" time is written at most this often (seconds): reads do not write.
API_TOKEN_USE_INTERVAL = env_int("API_TOKEN_USE_INTERVAL", 300)

# Background jobs with progress (docs/jobs.md): how long a result file is kept, and the sizes over
# which the pages build a file in the background instead of inside the request.
JOBS_KEEP_HOURS = env_int("JOBS_KEEP_HOURS", 24)
JOBS_SPEC_PDF_OVER = env_int("JOBS_SPEC_PDF_OVER", 100)  # requirements in the specification
JOBS_REPORT_PDF_OVER = env_int("JOBS_REPORT_PDF_OVER", 500)  # tasks in the report's project
JOBS_PLAN_EXPORT_OVER = env_int("JOBS_PLAN_EXPORT_OVER", 1000)  # tasks in the plan
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
# Acceptance certificates (docs/quality.md): a PKCS#12 file whose key signs each certificate PDF
# (PAdES, pyHanko), and its password. Without a key a certificate says it is not digitally signed.
SIGNING_KEY = env_str("SIGNING_KEY")
SIGNING_KEY_PASSWORD = env_str("SIGNING_KEY_PASSWORD")
# Benchmarks: answer every request with X-Query-Count and Server-Timing headers (see benchmarks/).
QUERY_COUNT_HEADER = env_bool("QUERY_COUNT_HEADER", False)

SESSION_COOKIE_HTTPONLY = True
# A session is written when it changes (sign-in, language, messages), never on every request.
SESSION_SAVE_EVERY_REQUEST = False
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from Tandem's own static files, so an injected
# <script> or on*= attribute never runs. Inline style attributes stay allowed: pages size bars and
# place timeline marks with computed widths, and frappe-gantt and Swagger UI write styles inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Behind TLS (the default outside debug) cookies are Secure and HSTS is sent; a plain-HTTP local
# install (the demo) sets TANDEM_HTTPS=0.
if not DEBUG and env_bool("HTTPS", True):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
