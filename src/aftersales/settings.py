"""Aftersales settings, read from the environment with safe local defaults.

Variables (see README "Configuration"):
  AFTERSALES_ENV      local (default) | production | test
  DEBUG               0/1; defaults to 0 (the local server runs like production)
  SECRET_KEY          required in production; locally a key is generated into ./var/
  ALLOWED_HOSTS       comma separated
  CSRF_TRUSTED_ORIGINS comma separated origins (https://example.com)
  DATABASE_URL        default sqlite:///<repo>/var/aftersales.sqlite3
  REDIS_URL           when set: cache, and (with TASKS_BACKEND=rq) the task queue
  TASKS_BACKEND       database (default) | rq | immediate
  EMAIL_URL-like:     EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
                      EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
  MEDIA_ROOT          where uploaded files are stored (default ./var/media)
  STORAGE_BACKEND     unset: files under MEDIA_ROOT; s3: S3-compatible object storage (S3_BUCKET,
                      S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_PREFIX,
                      S3_ADDRESSING_STYLE, S3_ACL; docs/operations.md); or a storage class
  TICKET_NUMBER_PREFIX default SH
  AFTERSALES_SITE_URL the site's address for links in SMS and e-mail (scheme, host, optional
                      path), default http://127.0.0.1:$PORT (8000) locally; required (https) in
                      production: `manage.py check --deploy` fails without it
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url

from aftersales.core.storage import default_storage_from_env

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("AFTERSALES_ENV", "local")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when AFTERSALES_ENV=production")
    # Local default: a random key kept under ./var so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "aftersales.core.axes_app.SignInAttemptsConfig",  # django-axes (sign-in lockout; docs/security.md), its name translated
    "csp",  # Content-Security-Policy (django-csp; docs/security.md)
    "django_tasks",
    "django_otp",  # two-step sign-in (TOTP): accounts/two_factor.py
    "django_otp.plugins.otp_totp",
    "aftersales.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, its name translated
    "aftersales.core",
    "aftersales.audit",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.parties",  # the register of responsible parties (departments, suppliers, logistics, outlets)
    "aftersales.tickets",
    "aftersales.notifications",
    "aftersales.sla",
    "aftersales.feedback",
    "aftersales.portal",
    "aftersales.fieldservice",
    "aftersales.casefile",
    "aftersales.appraisal",
    "aftersales.remedies",
    "aftersales.returns",
    "aftersales.compensation",
    "aftersales.outlets",
    "aftersales.travel",
    "aftersales.billing",
    "aftersales.crisis",
    "aftersales.knowledge",
    "aftersales.revisits",
    "aftersales.quality",
    "aftersales.imports",
    "aftersales.privacy",
    "aftersales.parts",
    "ninja",  # django-ninja's bundled Swagger UI assets: the API docs load no CDN
    "aftersales.api",
    "aftersales.webhooks",
    "aftersales.mailin",
    "aftersales.analytics",
    "aftersales.exports",
    "aftersales.reports",
    "aftersales.triage",
    "aftersales.desk",
    "aftersales.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aftersales.core.headers.SecurityHeadersMiddleware",  # no-store, Permissions-Policy (static files excluded)
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "aftersales.accounts.login_language.SignInLanguageMiddleware",  # the language at sign-in: the one chosen on the way in, else the person's own
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "aftersales.accounts.two_factor.TwoFactorGateMiddleware",  # a session still owing its code waits
    "django.contrib.messages.middleware.MessageMiddleware",
    "aftersales.core.hygiene.InputHygieneMiddleware",  # NUL, too many files/fields → 400 (before CSRF reads the form)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aftersales.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into accounts.views.locked_out
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "NAME": "django",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "aftersales.notifications.context_processors.inbox",
            ],
        },
    },
    # Second, never the default: the ticket list's rows and the ticket page's timeline items
    # rendered by Jinja2 from each app's jinja2/ folder, when ROW_RENDERING is "jinja2".
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "aftersales.core.jinja2_env.environment"},
    },
]
# How the list's rows and the timeline's items are rendered: "python" (list_rows.py,
# view_helpers.render_timeline_items; decision 0006) or "jinja2" (tickets/jinja2/, to compare).
ROW_RENDERING = os.environ.get("AFTERSALES_ROW_RENDERING", "python")

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing half-way (see docs/decisions/0003).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),  # seconds a writer waits for the lock
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
if ENVIRONMENT == "test" and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The test suite's commits (the transactional tests, the rows a module writes once) do not
    # wait for the write-ahead log to reach the disk: a crash loses a test database, nothing else.
    # Never outside the tests (decision 0011).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so tests that use several connections (threads) share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_aftersales.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "aftersales.core.cache_outage.OutageTolerantRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]},
    "dummy": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "notifications"]},
}
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for name in ("default", "notifications")}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's database sessions and ModelBackend, reading their row with a statement compiled once
# per process (aftersales/accounts/auth.py).
AUTHENTICATION_BACKENDS = ["aftersales.accounts.auth.LockoutBackend", "aftersales.accounts.auth.UserBackend"]
SESSION_ENGINE = "aftersales.accounts.auth"
# The compiled-once reads (core/precompiled.py) earn their place by measurement (decision 0008);
# these two switches put Django's standard path back for re-measuring: AFTERSALES_PRECOMPILED=0
# reads through the ORM, AFTERSALES_SESSIONS=cached_db uses Django's cached database sessions
# and ModelBackend (with a shared cache only: REDIS_URL).
PRECOMPILED_READS = os.environ.get("AFTERSALES_PRECOMPILED", "1") != "0"
if os.environ.get("AFTERSALES_SESSIONS") == "cached_db" and REDIS_URL:
    AUTHENTICATION_BACKENDS = ["aftersales.accounts.auth.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # core.views.home: staff → their role's home page (desk:home), customers → portal
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, docs/security.md): after AXES_FAILURE_LIMIT failed sign-ins
# for one user name the account is locked for AXES_COOLOFF_MINUTES (or until an administrator
# unlocks it: admin → Axes → access attempts, or `manage.py axes_reset_username NAME`); the
# failures are counted per user name (an office behind one address is not locked out together).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the client address too: deliberately not, a service point or call centre
# signs in from one address and one person's typos must not lock everybody out there.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "aftersales.audit.lockout.locked_out"
AXES_VERBOSE = False
# Password reset by e-mail (accounts/views.py): requests per address (and 4x per client) an hour.
PASSWORD_RESET_PER_HOUR = int(os.environ.get("PASSWORD_RESET_PER_HOUR", "5"))
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_BROWSER_LANGUAGE = env_bool("USE_BROWSER_LANGUAGE")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "CN")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [SRC_DIR / "static"]  # site-wide assets (src/aftersales/static/aftersales/)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: attachments go through an access-checked view
STORAGES = {
    "default": default_storage_from_env(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if ENVIRONMENT == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Upload limits per request (core/hygiene.py answers 400 beyond them, never 500).
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", "20"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))
# Where input is not inspected by core.hygiene.InputHygieneMiddleware (it reads its body itself).
INPUT_HYGIENE_EXEMPT_PATHS = ("/mailin/raw/",)
# Malware scan of every upload (core/upload_checks.py, docs/security.md): the EICAR test signature
# always; ClamAV when CLAMD_SOCKET (a Unix socket) or CLAMD_HOST (+ CLAMD_PORT) is set.
UPLOAD_SCANNERS = ("aftersales.core.upload_checks.eicar_scanner", "aftersales.core.upload_checks.clamd_scanner")
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
# With a scanner configured but not answering: refuse the upload (1) or let it through (0).
UPLOAD_SCAN_FAIL_CLOSED = env_bool("UPLOAD_SCAN_FAIL_CLOSED", default=bool(CLAMD_SOCKET or CLAMD_HOST))

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "售后服务 <aftersales@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Webhooks out (docs/webhooks.md) --------------------------------------------------------
# Hosts, addresses or networks (CIDR) that webhooks may reach although they are loopback,
# private or link-local; empty: public addresses only.
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env_list("WEBHOOKS_ALLOW_PRIVATE_HOSTS")
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))

# --- Email intake (docs/email-intake.md) ----------------------------------------------------
MAILIN_ADDRESS = os.environ.get("MAILIN_ADDRESS", "support@localhost")  # replies go to local+token@domain
MAILIN_IMAP_HOST = os.environ.get("MAILIN_IMAP_HOST", "")  # empty: no mailbox is polled
MAILIN_IMAP_PORT = int(os.environ.get("MAILIN_IMAP_PORT", "993"))
MAILIN_IMAP_SSL = env_bool("MAILIN_IMAP_SSL", default=True)
MAILIN_IMAP_STARTTLS = env_bool("MAILIN_IMAP_STARTTLS")
MAILIN_IMAP_USER = os.environ.get("MAILIN_IMAP_USER", "")
MAILIN_IMAP_PASSWORD = os.environ.get("MAILIN_IMAP_PASSWORD", "")
MAILIN_IMAP_FOLDER = os.environ.get("MAILIN_IMAP_FOLDER", "INBOX")
MAILIN_HTTP_SECRET = os.environ.get("MAILIN_HTTP_SECRET", "")  # empty: POST /mailin/raw/ is closed
MAILIN_MAX_BYTES = int(os.environ.get("MAILIN_MAX_BYTES", str(30 * 1024 * 1024)))
# Outgoing ticket emails carry a Message-ID and Reply-To that replies are matched by.
NOTIFICATION_EMAIL_HEADERS = "aftersales.mailin.threading.outgoing_headers"

# --- Messages to customers: SMS and WeChat providers, short links, portal codes -----------------
from aftersales.settings_messaging import *  # noqa: E402, F403 - docs/notifications.md, docs/portal.md

# --- Product settings -----------------------------------------------------------------------
# Where customers and staff reach the site: every link in a message (plan, quote, survey, ticket)
# is built under it by core/links.py absolute_url(). No default in production (check --deploy).
# Locally the server `make run` starts (its PORT, 8000 by default).
_LOCAL_SITE_URL = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
AFTERSALES_SITE_URL = os.environ.get("AFTERSALES_SITE_URL", "" if PRODUCTION else _LOCAL_SITE_URL).strip()
TICKET_NUMBER_PREFIX = os.environ.get("TICKET_NUMBER_PREFIX", "SH")
TICKET_LIST_PAGE_SIZE = 25
# Resolved tickets close by themselves after this many days without the customer's answer.
TICKET_AUTO_CLOSE_DAYS = int(os.environ.get("TICKET_AUTO_CLOSE_DAYS", "7"))
# Default (first response, resolution) targets in hours per priority, from seed 001: reply within
# 24 h, a solution within 48 h, urgent and important faster. Used until SLA policies apply.
TICKET_DEFAULT_TARGET_HOURS = {1: (2, 24), 2: (8, 36), 3: (24, 48)}

# API v1 (aftersales.api): requests per minute per API key (or per signed-in user), unless the
# key sets its own; 0 switches limiting off.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
# Days the first response to an Idempotency-Key is kept for replays (purged hourly).
API_IDEMPOTENCY_KEEP_DAYS = int(os.environ.get("API_IDEMPOTENCY_KEEP_DAYS", "7"))
# Days a customer's sign-in token from the app lasts (docs/api-app.md, "Sign the customer in").
API_SIGNIN_TOKEN_DAYS = int(os.environ.get("API_SIGNIN_TOKEN_DAYS", "90"))
# A customer's devices signed in to the app at once; a sign-in past it signs the oldest out.
API_SIGNIN_TOKENS_PER_CUSTOMER = int(os.environ.get("API_SIGNIN_TOKENS_PER_CUSTOMER", "10"))
# Days an expired or revoked sign-in token is kept before the daily job deletes it.
API_SIGNIN_TOKEN_KEEP_DAYS = int(os.environ.get("API_SIGNIN_TOKEN_KEEP_DAYS", "30"))
# The intake page's phone and serial lookups: per staff user and minute (tickets/views.py).
INTAKE_LOOKUPS_PER_MINUTE = int(os.environ.get("INTAKE_LOOKUPS_PER_MINUTE", "30"))

# --- Security -------------------------------------------------------------------------------
# Two-step sign-in (accounts/two_factor.py): roles that must set it up (comma-separated role
# codes). Default: administrators in production, nobody elsewhere (the demo signs in with a password).
TWO_FACTOR_REQUIRED_ROLES = tuple(
    r.strip()
    for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "administrator" if ENVIRONMENT == "production" else "").split(",")
    if r.strip()
)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Aftersales")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): our own scripts and style sheets only, no inline code
# (the pages carry none; tests/security/test_headers.py crawls the demo to keep it so).
# CSP_INLINE_HANDLER_HASHES: 'unsafe-hashes' for a known inline handler until its template moves
# it into app.js; none is left (a select that submits its form carries data-autosubmit).
CSP_INLINE_HANDLER_HASHES: list[str] = []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *(["'unsafe-hashes'", *CSP_INLINE_HANDLER_HASHES] if CSP_INLINE_HANDLER_HASHES else [])],
        "style-src": ["'self'"],
        # Style sheets and style attributes: none inline (charts are pygal SVG images, decision 0009).
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (core/headers.py): the check-in's position and the camera for our own pages.
PERMISSIONS_POLICY = {
    "geolocation": "(self)",
    "camera": "(self)",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
    "serial": "()",
    "midi": "()",
    "display-capture": "()",
    "browsing-topics": "()",
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# LOG_LEVEL (default INFO; `make run` uses WARNING unless VERBOSE=1) also bounds the handler:
# a library that sets its own logger to INFO (the task worker does, for every job) stays quiet.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Personal data (PIPL; docs/privacy.md) ---------------------------------------------------
PRIVACY_ANSWER_DAYS = int(os.environ.get("PRIVACY_ANSWER_DAYS", "15"))
PRIVACY_EXPORT_KEEP_DAYS = int(os.environ.get("PRIVACY_EXPORT_KEEP_DAYS", "7"))
PRIVACY_RETENTION_DAYS = int(os.environ.get("PRIVACY_RETENTION_DAYS", "1095"))

# --- Email intake: sender authentication and loop break (docs/email-intake.md) -----------------
# The authserv-ids of the receiving servers whose Authentication-Results are trusted; empty: replies
# are not checked (manage.py check warns outside DEBUG).
MAILIN_TRUSTED_AUTHSERV_IDS = [x.strip() for x in os.environ.get("MAILIN_TRUSTED_AUTHSERV_IDS", "").split(",") if x.strip()]
MAILIN_SENDER_LIMIT = int(os.environ.get("MAILIN_SENDER_LIMIT", "10"))
MAILIN_SENDER_WINDOW_MINUTES = int(os.environ.get("MAILIN_SENDER_WINDOW_MINUTES", "60"))

# --- Refunds and compensation (docs/refunds-and-compensation.md) -------------------------------
COMPENSATION_DEFAULT_DAILY_RATE = os.environ.get("COMPENSATION_DEFAULT_DAILY_RATE", "0.001")
COMPENSATION_RECENT_DAYS = int(os.environ.get("COMPENSATION_RECENT_DAYS", "90"))

# Revisits (回访, docs/revisits.md): created this many days before due; unreached calls before
# escalation; closed tickets looked back at for after-ticket revisits.
REVISIT_LEAD_DAYS = int(os.environ.get("REVISIT_LEAD_DAYS", "14"))
REVISIT_MAX_ATTEMPTS = int(os.environ.get("REVISIT_MAX_ATTEMPTS", "3"))
REVISIT_TICKET_LOOKBACK_DAYS = int(os.environ.get("REVISIT_TICKET_LOOKBACK_DAYS", "90"))

# Quality (docs/quality.md): a repair is first-time-fixed when the serial has no new fault ticket
# within this many days; the significance level of an improvement action's check.
QUALITY_FTF_WINDOW_DAYS = int(os.environ.get("QUALITY_FTF_WINDOW_DAYS", "30"))
QUALITY_CHECK_ALPHA = float(os.environ.get("QUALITY_CHECK_ALPHA", "0.05"))

# Imports (docs/imports.md): rows per chunk, error texts kept, limits, files read in the request.
IMPORT_CHUNK_ROWS = int(os.environ.get("IMPORT_CHUNK_ROWS", "2000"))
IMPORT_MAX_STORED_ERRORS = int(os.environ.get("IMPORT_MAX_STORED_ERRORS", "1000"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "2000000"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(300 * 1024 * 1024)))
IMPORT_INLINE_BYTES = int(os.environ.get("IMPORT_INLINE_BYTES", str(512 * 1024)))
IMPORT_STALE_MINUTES = int(os.environ.get("IMPORT_STALE_MINUTES", "10"))
IMPORT_KEEP_DAYS = int(os.environ.get("IMPORT_KEEP_DAYS", "30"))  # uploaded files kept this many days

# Excel exports (docs/exports.md): files kept this many days; an export silent this long is resumed.
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))
EXPORT_STALE_MINUTES = int(os.environ.get("EXPORT_STALE_MINUTES", "10"))

# Triage (docs/triage.md, docs/triage-product.md): suggestions after intake; a safety suggestion
# at least this confident makes the ticket urgent; duplicates looked for within these days, above
# this text similarity.
TRIAGE_ENABLED = os.environ.get("TRIAGE_ENABLED", "1").lower() not in {"0", "false", "no"}
TRIAGE_URGENT_CONFIDENCE = float(os.environ.get("TRIAGE_URGENT_CONFIDENCE", "0.7"))
TRIAGE_DUPLICATE_DAYS = int(os.environ.get("TRIAGE_DUPLICATE_DAYS", "30"))
TRIAGE_DUPLICATE_THRESHOLD = float(os.environ.get("TRIAGE_DUPLICATE_THRESHOLD", "0.3"))
# The ticket page asks for the suggestions every few seconds for at most this long after intake.
TRIAGE_POLL_SECONDS = int(os.environ.get("TRIAGE_POLL_SECONDS", "120"))

# Technicians' travel money (docs/travel.md): the largest cash advance one request may draw (CNY).
TRAVEL_ADVANCE_MAX = Decimal(os.environ.get("TRAVEL_ADVANCE_MAX", "50000"))  # an unreadable value stops the start
# The most one technician may hold in advances requested, approved and paid (CNY); 0: no cap.
TRAVEL_OUTSTANDING_MAX = Decimal(os.environ.get("TRAVEL_OUTSTANDING_MAX", "0"))
# Calendar days after its payment by which a cash advance is to be settled; past them the technician
# and finance are reminded, again every as many days (docs/travel.md); 0: never.
TRAVEL_ADVANCE_SETTLE_DAYS = os.environ.get("TRAVEL_ADVANCE_SETTLE_DAYS", "30")

# Scheduled reports (docs/reports.md): recipients outside the staff's own addresses must be at one
# of these domains; attempts before a delivery is marked failed; how long a worker holds a claim;
# the largest attachment mailed.
REPORTS_ALLOWED_DOMAINS = [d.strip() for d in os.environ.get("REPORTS_ALLOWED_DOMAINS", "").split(",") if d.strip()]
REPORTS_MAX_ATTEMPTS = int(os.environ.get("REPORTS_MAX_ATTEMPTS", "5"))
REPORTS_CLAIM_MINUTES = int(os.environ.get("REPORTS_CLAIM_MINUTES", "30"))
REPORTS_MAX_ATTACHMENT_MB = int(os.environ.get("REPORTS_MAX_ATTACHMENT_MB", "20"))
