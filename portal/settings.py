"""Settings, read from the environment in this one place.

Every variable is listed with a comment in `.env.example`. Defaults are safe for
development: an SQLite file under var/, tasks run in-process, email to the
console. Production sets DEBUG=false and must then set SECRET_KEY (see
`portal.checks`), DATABASE_URL and CELERY_BROKER_URL.
"""

import contextlib
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.csp import content_security_policy
from portal.env import env_bool, env_float, env_int, env_list, env_str
from portal.error_tracking import init_error_tracking

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# A development key is used when none is given; portal.checks refuses it in a
# deployment (DEBUG off) and portal.wsgi will not serve with it.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "core",
    "portal",
    "procedures",
    "citizens",
    "results_store",
    "dossiers",
    "notifications",
]

MIDDLEWARE = [
    # First and last, so that the metrics time and count whole requests
    # (portal/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Then every log record of the request carries its id (portal/request_id.py).
    "portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every response carries the Content-Security-Policy (portal/csp.py).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An oversized body is refused unread (CSRF reads POST data only later, in
    # its process_view), knowing whether the sender is signed in.
    "portal.middleware.BodySizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: it says why a staff session ended.
    "citizens.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the login view's lockout (citizens/lockout.py).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
            ],
        },
    },
]

# Database: PostgreSQL in tests, CI and production; an SQLite file by default so
# the portal can be tried with nothing else installed.
_database_url = env_str("DATABASE_URL")
if not _database_url:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database_url = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# django-prometheus's subclasses of the same backends count and time queries
# for /metrics; the SQL and the vendor are unchanged.
_INSTRUMENTED_BACKENDS = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _INSTRUMENTED_BACKENDS.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "citizens.User"
# django-axes first: it refuses a locked sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "citizens.backends.LoginIdentifierBackend",
]
LOGIN_URL = "citizens:login"
LOGIN_REDIRECT_URL = "citizens:landing"
LOGOUT_REDIRECT_URL = "home"
# Landing after login is decided per user; see citizens.selectors.landing_url.

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Vietnamese first, English second. The language comes from the
# visitor's explicit choice (a cookie), never from the browser's headers.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# Static files are served by WhiteNoise; uploads live under MEDIA_ROOT, which is
# outside the static root and is never served directly.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files are found where they are in development and tests; a deployment runs
# collectstatic with STATIC_MANIFEST=true for hashed, compressed files.
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)
with contextlib.suppress(OSError):  # a read-only image has it from collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env_bool("STATIC_MANIFEST", False)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
if env_str("S3_BUCKET"):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": _static_backend},
}

# Cache: per-process memory by default; Redis when CACHE_URL names it (needed
# as soon as more than one web process shares rate limits).
_cache_url = env_str("CACHE_URL", "locmem://")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # A cache outage degrades pages instead of failing them (portal/cache.py).
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.5),
                "socket_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery. CELERY_TASK_ALWAYS_EAGER runs tasks in-process; `make run` turns it
# on so that trying the portal needs no Redis. Nothing else should.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Celery closes the worker's database connection around every task unless
# told to reuse it: reconnecting halved outbox delivery (bench/README.md). It
# is still closed after this many tasks.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100)
# With acks_late a task whose worker died is redelivered after this many
# seconds; tasks are idempotent, and the sweepers cover anything lost. Every
# task ends within the time limits, below the visibility timeout, so a task
# still running is never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 30),
    # Redelivery happens only when a worker scans for such tasks. kombu scans
    # every interval x throttle seconds (10 x 10 by default): a killed
    # worker's tasks then waited about 100 s. Every 5 s brings them back
    # within 35 s; the scan is one ZRANGE on the small unacked index.
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 20)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 25)
# A request publishing to a broker that does not answer gives up quickly
# (core.side_effects); the sweepers publish it later.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
# Periodic jobs (Celery beat). Each task collects in indexed batches and acts
# once per dossier and kind, so running it more often only costs queries.
MEDIA_ORPHANS_EVERY_SECONDS = env_int("MEDIA_ORPHANS_EVERY_SECONDS", 3600)
CELERY_BEAT_SCHEDULE = {
    "deadline-alerts": {
        "task": "dossiers.tasks.deadline_alerts_task",
        "schedule": env_int("DEADLINE_ALERTS_EVERY_SECONDS", 15 * 60),
    },
    "supplement-reminders": {
        "task": "dossiers.tasks.supplement_reminders_task",
        "schedule": env_int("SUPPLEMENT_REMINDERS_EVERY_SECONDS", 60 * 60),
    },
    "notification-outbox-sweep": {
        "task": "notifications.tasks.sweep_outbox_task",
        "schedule": env_int("OUTBOX_SWEEP_EVERY_SECONDS", 60),
    },
    # Receipts, apology letters and result signatures whose task was lost.
    "pdf-sweep": {
        "task": "dossiers.tasks.sweep_pdfs_task",
        "schedule": env_int("PDF_SWEEP_EVERY_SECONDS", 60),
    },
    # Files a killed request or worker left without a row (portal/media_orphans.py).
    "media-orphans-sweep": {
        "task": "portal.tasks.sweep_orphan_files_task",
        "schedule": MEDIA_ORPHANS_EVERY_SECONDS,
    },
    "unsigned-results-sweep": {
        "task": "results_store.tasks.sweep_unsigned_results_task",
        "schedule": env_int("PDF_SWEEP_EVERY_SECONDS", 60),
    },
}

# Email: the console in development; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng dịch vụ công <no-reply@localhost>")
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    # A stuck mail server must not hold a worker forever.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
elif env_str("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A deployment (DEBUG off) is served over HTTPS unless it says otherwise:
# secure cookies, a redirect to HTTPS and a year of HSTS are its defaults.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
# The portal's own host and its subdomains (a portal runs on a host of its
# own, such as dichvucong.<city>.gov.vn).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading commits the whole registrable domain (the city's, not the
# portal's) for years: a decision for its owner, so it is off unless set, and
# Django's reminder about it is silenced while it is.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Load balancers probe the health checks, and Prometheus scrapes, over plain
# HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (portal/csp.py); violations are reported to
# CSP_REPORT_URI when one is set.
CONTENT_SECURITY_POLICY = content_security_policy(
    identity_issuer=env_str("OIDC_ISSUER", "") or "",
    report_uri=env_str("CSP_REPORT_URI", "") or "",
)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: the largest file a citizen may put in the wallet.
WALLET_MAX_UPLOAD_MB = env_int("WALLET_MAX_UPLOAD_MB", 10)
# Non-file form data larger than this is refused. Each uploaded file is limited
# by its form (core/uploads); whole bodies by portal.middleware.BodySizeLimit,
# from their Content-Length, before anything is spooled to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_BODY_MAX_MB = env_int("REQUEST_BODY_MAX_MB", 50)
ANONYMOUS_REQUEST_BODY_MAX_MB = env_int("ANONYMOUS_REQUEST_BODY_MAX_MB", 12)
# The virus scanner (core/uploads/clamd.py), when one is configured.
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "")
CLAMD_HOST = env_str("CLAMD_HOST", "")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)
FILE_UPLOAD_PERMISSIONS = 0o640
PASSWORD_RESET_TIMEOUT = 2 * 3600

# Identity (ADR 8). Sign-in with the national identity provider by OpenID
# Connect; unset OIDC_ISSUER turns it off. The provider's endpoints and keys
# come from its discovery document.
OIDC_ISSUER = (env_str("OIDC_ISSUER", "") or "").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid profile national_id")
# The claim that carries the 12-digit citizen ID number.
OIDC_NATIONAL_ID_CLAIM = env_str("OIDC_NATIONAL_ID_CLAIM", "national_id")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "VNeID")
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
# Clock difference tolerated when checking the ID token's times.
OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 60)

# Staff (officers, supervisors, administrators) pass a second factor (TOTP or
# a recovery code, django-otp) before any page, and their sessions end after
# this long without a request, and this long in all.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cổng dịch vụ công")
OTP_TOTP_THROTTLE_FACTOR = 1
# Static (recovery) codes a staff member gets at enrolment.
RECOVERY_CODE_COUNT = 10

# The client's address, for lockouts, rate limits and audit rows: the number
# of reverse proxies in front of the portal that append to X-Forwarded-For.
# 0 (no proxy) reads only the connection's address, so the header cannot be
# forged to dodge a lockout.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sign-in lockout by django-axes (citizens/lockout.py): per account, whatever
# identifier was typed, and per account and address; never per address alone,
# so one office or carrier NAT is not locked out for one person's typos.
AXES_HANDLER = "citizens.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = "citizens.lockout.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_USERNAME_CALLABLE = "citizens.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "citizens.security.client_address"
AXES_LOCKOUT_CALLABLE = "citizens.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout do not extend it: the time a message
# promises holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "csrfmiddlewaretoken"]

# Password-reset and registration mails, per address and per email typed.
PASSWORD_RESET_RATE_PER_ADDRESS = env_str("PASSWORD_RESET_RATE_PER_ADDRESS", "10/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = env_str("PASSWORD_RESET_RATE_PER_ACCOUNT", "3/h")
REGISTRATION_RATE_PER_ADDRESS = env_str("REGISTRATION_RATE_PER_ADDRESS", "20/h")
# Rate limits are counted in the cache (core/rate_limits.py). While the
# cache's Redis is down they let attempts through rather than refuse every
# registration and lookup; sign-in lockouts are in the database and hold.
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", True)
# The public dossier lookup (code and PIN), per connection and per code.
DOSSIER_LOOKUP_RATE_PER_ADDRESS = env_str("DOSSIER_LOOKUP_RATE_PER_ADDRESS", "30/h")
DOSSIER_LOOKUP_RATE_PER_CODE = env_str("DOSSIER_LOOKUP_RATE_PER_CODE", "10/h")

# Results store: a Fernet key (32 url-safe base64 bytes) encrypting the private
# signing keys at rest. Development derives one from SECRET_KEY when unset;
# the deploy checks refuse that.
SIGNING_KEYS_ENCRYPTION_KEY = env_str("SIGNING_KEYS_ENCRYPTION_KEY", "")

# Deadlines: alert when a received dossier is due within this many working
# hours, and when an online dossier waits longer than this to be received.
DEADLINE_ALERT_WORKING_HOURS = env_int("DEADLINE_ALERT_WORKING_HOURS", 8)
RECEPTION_ALERT_WORKING_HOURS = env_int("RECEPTION_ALERT_WORKING_HOURS", 4)
# An applicant asked for a supplement has this many working days to answer;
# a reminder goes this many working days before the end.
SUPPLEMENT_WORKING_DAYS = env_int("SUPPLEMENT_WORKING_DAYS", 15)
SUPPLEMENT_REMINDER_WORKING_DAYS = env_int("SUPPLEMENT_REMINDER_WORKING_DAYS", 2)

# Notifications: the SMS / chat-app channel posts JSON to this endpoint (the
# shape a Zalo-style messaging API takes) with a bearer token; empty disables it.
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL", "")
NOTIFY_WEBHOOK_TOKEN = env_str("NOTIFY_WEBHOOK_TOKEN", "")
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 10)

# Portal-specific settings.
# The public address of the portal, printed in QR codes and emails.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = _("Citizen public services portal")
PORTAL_CITY = env_str("PORTAL_CITY", "Đà Nẵng")
# Searches of the catalog use a trigram index on PostgreSQL; see
# procedures/search.py for how text is folded before it is stored and matched.
CATALOG_PAGE_SIZE = env_int("CATALOG_PAGE_SIZE", 20)
# The benchmark's reference page (portal/bench_views.py, bench/README.md).
# Only `make bench` turns it on; a deployment never does.
BENCH_REFERENCE = env_bool("BENCH_REFERENCE", False)

# Observability. Metrics at /metrics (portal/metrics.py), only for these
# addresses or networks, or for a request bearing the token.
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Errors to Sentry, scrubbed of personal data, when a DSN is given
# (portal/error_tracking.py).
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
init_error_tracking(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)

# Logs: one JSON object a line for the log collector of a deployment, plain
# lines for a developer's terminal. Every record carries the id of the request
# or task it belongs to (portal/request_id.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC, with the time zone.
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": (env_str("LOG_LEVEL", "INFO") or "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Lockouts and failures are warnings; its start-up banner is not news.
        "axes": {"level": "WARNING"},
    },
}
