"""Settings shared by every environment. Everything a deployment changes comes from the
environment (see docs/configuration.md)."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parents[3]
PROJECT_DIR = Path(os.environ.get("GONGZHI_HOME", SRC_DIR.parent)).resolve()
VAR_DIR = Path(os.environ.get("GONGZHI_VAR", PROJECT_DIR / "var")).resolve()
PACKAGE_DIR = Path(__file__).resolve().parents[2]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "gongzhi-insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Only for its templates and static files: /api/docs served from here, not a CDN.
    "axes",
    "gongzhi.common",
    "gongzhi.org",
    "gongzhi.catalog",
    "gongzhi.notify",
    "gongzhi.cases",
    "gongzhi.meetings",
    "gongzhi.appraisal",
    "gongzhi.parties",
    "gongzhi.problems",
    "gongzhi.campaigns",
    "gongzhi.board",
    "gongzhi.stats",
    "gongzhi.open311",
    "gongzhi.webhooks",
    "gongzhi.site",
]

MIDDLEWARE = [
    # First: a body over GONGZHI_MAX_REQUEST_BYTES is refused before anything reads it.
    "gongzhi.common.uploads.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.common.security.SecurityHeadersMiddleware",
    # A view's database error while the database is unreachable answers 503.
    "gongzhi.common.unavailable.DatabaseUnavailableMiddleware",
    # Text with U+0000 is refused (PostgreSQL cannot store or compare it).
    "gongzhi.common.nul.NulInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.common.security.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.config.urls"
WSGI_APPLICATION = "gongzhi.config.wsgi.application"
ASGI_APPLICATION = "gongzhi.config.asgi.application"

# The API documentation's page and files (Swagger UI) come from the server, not a CDN;
# ninja is not an installed app, so that commands don't import it (config/api.py renders
# the page), and its package is found without importing it.
_ninja = importlib.util.find_spec("ninja")
NINJA_DIR = Path(_ninja.origin if _ninja and _ninja.origin else ".").parent

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.org.context_processors.roles",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Measured at 10 M cases (issue 12, docs/performance.md "Figures: the ledger at 10 M
    # cases"): with PostgreSQL's default 4 MB a unit's search for a common word made its
    # bitmaps lossy and rechecked millions of rows (16.8 s; 8 MB: 10.8 s, 16 MB: 1.0 s,
    # 32 MB: 0.12 s). JIT compiled the dashboards' larger queries for 1.3–2.0 s of their
    # 3 s; none runs long enough to win it back. A random page costs 1.1 sequential ones,
    # as on SSD or in memory (the server's default, 4, is a spinning disk's): at 4 the
    # planner read a street's cases of a common matter by scanning the table (280 ms at
    # 10 M) rather than by the matter's index (67 ms), the two costed within 0.5 %.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c work_mem={os.environ.get('GONGZHI_PG_WORK_MEM', '32MB')}"
        f" -c jit={os.environ.get('GONGZHI_PG_JIT', 'off')}"
        f" -c random_page_cost={os.environ.get('GONGZHI_PG_RANDOM_PAGE_COST', '1.1')}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org:home"
LOGOUT_REDIRECT_URL = "org:home"

# Failed logins (django-axes records them; gongzhi.org.login decides): after
# AXES_FAILURE_LIMIT failures of one account from one client address, each further attempt
# from that address waits GONGZHI_LOGIN_DELAY_SECONDS, doubling with every failure up to
# GONGZHI_LOGIN_DELAY_MAX_SECONDS; failures are forgotten GONGZHI_LOGIN_FORGET_HOURS after
# the last one. Other addresses are never slowed down, so nobody can lock a user out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
# Templates shown under a case page by apps above cases (each loads its own tags).
GONGZHI_CASE_PAGE_EXTRAS = ["problems/_case_extra.html"]
# Sweep steps of apps above cases, run by the cases sweep after its own (``gongzhi sweep``,
# the beat task, the demo): each ``step(now, batch) -> (label, count)``.
GONGZHI_SWEEP_STEPS = ["gongzhi.parties.services.sweep.sweep_outage_overdue"]
GONGZHI_LOGIN_DELAY_SECONDS = int(os.environ.get("GONGZHI_LOGIN_DELAY_SECONDS", "30"))
GONGZHI_LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("GONGZHI_LOGIN_DELAY_MAX_SECONDS", "900"))
GONGZHI_LOGIN_FORGET_HOURS = float(os.environ.get("GONGZHI_LOGIN_FORGET_HOURS", "24"))
AXES_COOLOFF_TIME = timedelta(hours=GONGZHI_LOGIN_FORGET_HOURS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "gongzhi.org.login.ProgressiveLoginHandler"
AXES_LOCKOUT_CALLABLE = "gongzhi.org.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "gongzhi.common.ratelimit.client_address"
# An attempt refused while waiting is not a failure: retrying early does not make it worse.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True

# Client addresses (gongzhi.common.ratelimit.client_address): behind a reverse proxy, list
# the proxies' addresses or networks; only when the direct peer is one of them is its
# header (X-Forwarded-For, or X-Real-IP) believed.
GONGZHI_TRUSTED_PROXIES = env_list("GONGZHI_TRUSTED_PROXIES")
for _proxy in GONGZHI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"GONGZHI_TRUSTED_PROXIES 中的“{_proxy}”不是有效的地址或网段（CIDR）"
        ) from _exc
GONGZHI_PROXY_HEADER = os.environ.get("GONGZHI_PROXY_HEADER", "X-Forwarded-For")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static", NINJA_DIR / "static"]
# Static files are served by WhiteNoise straight from the apps in development and tests
# (no collectstatic needed), and from STATIC_ROOT after collectstatic in production.
WHITENOISE_USE_FINDERS = True
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", os.environ.get("REDIS_URL", ""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Several deployments (or a benchmark's run) sharing one Redis keep their tasks apart.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE
# The deadline sweeps (celery -A gongzhi.config.celery beat): cases every minute,
# decisions of joint conferences (reminders, overdue flags) every hour.
CELERY_BEAT_SCHEDULE = {
    "cases-sweep": {"task": "gongzhi.cases.sweep", "schedule": 60.0},
    "meetings-sweep": {"task": "gongzhi.meetings.sweep", "schedule": 3600.0},
    "stats-catch-up": {"task": "gongzhi.stats.catch_up", "schedule": 60.0},
    "webhooks-retry": {"task": "gongzhi.webhooks.retry", "schedule": 60.0},
    "notify-sweep": {"task": "gongzhi.notify.sweep", "schedule": 60.0},
    # The classifier learns the desk's confirmed matters daily (docs/routing.md).
    "catalog-retrain": {"task": "gongzhi.catalog.retrain", "schedule": 86400.0},
    # Credit facts from the cases (appraisal), idempotent: every six hours.
    "appraisal-collect": {"task": "gongzhi.appraisal.collect", "schedule": 21600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Gongzhi's own settings.
# Messages (gongzhi.notify, docs/notify.md). SMS through an HTTP gateway: its URL, the
# shared secret requests are signed with, the signature name, and the approved template
# id of each event ("received=SMS_100,rate_case=SMS_101"). Without a gateway URL SMS go to
# the console backend (the demo). GONGZHI_NOTIFY_BACKENDS overrides a channel's backend
# ("sms=dotted.Path,email=…"). Quiet hours hold SMS and e-mail to people back (Beijing time;
# empty: none); a failed message is retried after 1, 2, 4 … × GONGZHI_NOTIFY_RETRY_SECONDS
# up to GONGZHI_NOTIFY_MAX_ATTEMPTS tries. GONGZHI_PUBLIC_URL starts the links in messages.
GONGZHI_SMS_URL = os.environ.get("GONGZHI_SMS_URL", "")
GONGZHI_SMS_SECRET = os.environ.get("GONGZHI_SMS_SECRET", "")
GONGZHI_SMS_SIGN_NAME = os.environ.get("GONGZHI_SMS_SIGN_NAME", "共治")
GONGZHI_SMS_TEMPLATES: dict[str, str] = dict(
    item.split("=", 1) for item in env_list("GONGZHI_SMS_TEMPLATES") if "=" in item
)
# The demo and development: without an SMS gateway every channel but the web inbox goes
# to the console backend (logged, nothing leaves the machine) unless GONGZHI_NOTIFY_CONSOLE=0.
GONGZHI_NOTIFY_CONSOLE = env_bool("GONGZHI_NOTIFY_CONSOLE", not GONGZHI_SMS_URL)
GONGZHI_NOTIFY_BACKENDS: dict[str, str] = {
    **(
        dict.fromkeys(
            ("sms", "email", "wecom", "dingtalk"), "gongzhi.notify.backends.console.ConsoleBackend"
        )
        if GONGZHI_NOTIFY_CONSOLE
        else {}
    ),
    **dict(item.split("=", 1) for item in env_list("GONGZHI_NOTIFY_BACKENDS") if "=" in item),
}
GONGZHI_NOTIFY_QUIET_HOURS = os.environ.get("GONGZHI_NOTIFY_QUIET_HOURS", "22:00-07:00")
GONGZHI_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("GONGZHI_NOTIFY_MAX_ATTEMPTS", "5"))
GONGZHI_NOTIFY_RETRY_SECONDS = float(os.environ.get("GONGZHI_NOTIFY_RETRY_SECONDS", "60"))
GONGZHI_NOTIFY_HTTP_TIMEOUT = float(os.environ.get("GONGZHI_NOTIFY_HTTP_TIMEOUT", "5"))
GONGZHI_PUBLIC_URL = os.environ.get("GONGZHI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# E-mail (Django's): the console unless EMAIL_BACKEND names SMTP and EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongzhi@localhost")
GONGZHI_WORKCAL_OVERRIDES = os.environ.get("GONGZHI_WORKCAL_OVERRIDES", "")
# Cases: a warning this many hours before a limit runs out; how often a dissatisfied
# reporter may send a case back before the office reviews it; days to rate a result.
GONGZHI_WARN_BEFORE_HOURS = float(os.environ.get("GONGZHI_WARN_BEFORE_HOURS", "4"))
GONGZHI_REOPEN_LIMIT = int(os.environ.get("GONGZHI_REOPEN_LIMIT", "1"))
# Ledger and metrics exports of more rows than this run as background jobs (stats app).
GONGZHI_EXPORT_JOB_ROWS = int(os.environ.get("GONGZHI_EXPORT_JOB_ROWS", "2000"))
GONGZHI_RATING_DAYS = int(os.environ.get("GONGZHI_RATING_DAYS", "7"))
# …and the reporter is reminded once (SMS with the private link) after this many days.
GONGZHI_RATING_REMIND_DAYS = float(os.environ.get("GONGZHI_RATING_REMIND_DAYS", "3"))
GONGZHI_WHISTLE_CHECKIN_LIMIT = os.environ.get("GONGZHI_WHISTLE_CHECKIN_LIMIT", "24h")
GONGZHI_ASSIST_CHECKIN_LIMIT = os.environ.get("GONGZHI_ASSIST_CHECKIN_LIMIT", "1wd")
# Free-text routing (docs/routing.md): below this confidence that the unit is right, or
# with the best two units closer than the margin, the classifier abstains to the dispatch
# desk. 0.3 was chosen on the development sets (docs/performance.md, issue 13).
GONGZHI_CLASSIFY_MIN_CONFIDENCE = float(os.environ.get("GONGZHI_CLASSIFY_MIN_CONFIDENCE", "0.3"))
GONGZHI_CLASSIFY_MIN_MARGIN = float(os.environ.get("GONGZHI_CLASSIFY_MIN_MARGIN", "0.05"))
GONGZHI_CLASSIFIER = os.environ.get("GONGZHI_CLASSIFIER", "")
# A process believes the catalog version it read from the shared cache this long, so an
# import in another process reaches its routing answers and models within this bound.
GONGZHI_CATALOG_VERSION_SECONDS = float(os.environ.get("GONGZHI_CATALOG_VERSION_SECONDS", "1"))
# Anonymous reports accepted per client address and hour (the public report form).
GONGZHI_ANON_REPORTS_PER_HOUR = int(os.environ.get("GONGZHI_ANON_REPORTS_PER_HOUR", "10"))
# Tracking a case by number and 查询码: lookups per client address, and per case, per hour.
GONGZHI_TRACK_PER_CLIENT_HOUR = int(os.environ.get("GONGZHI_TRACK_PER_CLIENT_HOUR", "30"))
# The satisfaction survey (appraisal): code and vote requests per client address per hour.
GONGZHI_SURVEY_PER_CLIENT_HOUR = int(os.environ.get("GONGZHI_SURVEY_PER_CLIENT_HOUR", "30"))
GONGZHI_TRACK_PER_CASE_HOUR = int(os.environ.get("GONGZHI_TRACK_PER_CASE_HOUR", "10"))
# How long an office has to settle an escalated case before it climbs again, by level,
# when the matter names no limit: "street=5wd,county=10wd" overrides those levels only
# (the defaults are in cases/services/dispatch.py; the cases app checks the values).
GONGZHI_ESCALATION_LIMITS: dict[str, str] = dict(
    item.split("=", 1) for item in env_list("GONGZHI_ESCALATION_LIMITS") if "=" in item
)

# Uploads (gongzhi.common.uploads). A request body over GONGZHI_MAX_REQUEST_BYTES is refused
# with 413 before it is read; files over FILE_UPLOAD_MAX_MEMORY_SIZE stream to temporary
# files on disk; each file may be GONGZHI_MAX_UPLOAD_BYTES and an image
# GONGZHI_MAX_IMAGE_PIXELS (checked from its header, before decoding).
GONGZHI_MAX_REQUEST_BYTES = int(os.environ.get("GONGZHI_MAX_REQUEST_BYTES", str(100 * 1024 * 1024)))
GONGZHI_MAX_UPLOAD_BYTES = int(os.environ.get("GONGZHI_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
GONGZHI_MAX_IMAGE_PIXELS = int(os.environ.get("GONGZHI_MAX_IMAGE_PIXELS", "40000000"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 30

# Headers (gongzhi.common.security). No page has an inline script, style or handler; htmx
# is configured for it in base.html. The names and shape are those of Django 6.0's own CSP
# settings, so that Django's middleware can take over on upgrade.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env_bool("GONGZHI_CSP_REPORT_ONLY", False):
    # Trying a stricter policy out: the browser reports violations and blocks nothing.
    SECURE_CSP_REPORT_ONLY, SECURE_CSP = SECURE_CSP, {}
SECURE_REFERRER_POLICY = "same-origin"
GONGZHI_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Sessions: a login ends after GONGZHI_SESSION_IDLE_MINUTES without a request (each request
# extends it) and GONGZHI_SESSION_MAX_HOURS after it began.
GONGZHI_SESSION_IDLE_MINUTES = float(os.environ.get("GONGZHI_SESSION_IDLE_MINUTES", "30"))
GONGZHI_SESSION_MAX_HOURS = float(os.environ.get("GONGZHI_SESSION_MAX_HOURS", "12"))
# The store forgets an idle session 5 minutes after the middleware would log it out, so that
# the middleware sees it first and can tell the user why.
SESSION_COOKIE_AGE = int(GONGZHI_SESSION_IDLE_MINUTES * 60) + 300
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
