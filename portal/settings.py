"""Settings for the defender case portal.

One module for every environment: production differs from a laptop only by
its environment variables (README.md, Configuration). `python -m
portal.embedded` fills them in for local runs and tests.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from portal.env import env_bool, env_int, env_list, env_networks, env_secret, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
require("SECRET_KEY", SECRET_KEY)

# Fernet keys for personal data at rest, newest first; older keys only decrypt.
ENCRYPTION_KEYS = [key.strip() for key in env_secret("ENCRYPTION_KEYS").split(",") if key.strip()]
require("ENCRYPTION_KEYS", ENCRYPTION_KEYS)

# Key for keyed hashes (receipt passphrases, duplicate detection). Never rotated
# together with ENCRYPTION_KEYS: changing it invalidates every stored hash.
HMAC_KEY = env_secret("HMAC_KEY")
require("HMAC_KEY", HMAC_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ("localhost", "127.0.0.1") if DEBUG else ())
if not DEBUG:
    require("ALLOWED_HOSTS", ALLOWED_HOSTS)
# The onion service's address (http://<56 characters>.onion): its host is accepted, it gets no
# HTTPS redirect or HSTS, and clearnet pages announce it with Onion-Location (portal.middleware).
ONION_LOCATION = env_str("ONION_LOCATION")
if ONION_LOCATION:
    from urllib.parse import urlsplit

    _onion_host = urlsplit(ONION_LOCATION).hostname or ""
    if not _onion_host.endswith(".onion"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"ONION_LOCATION must be an http://….onion address; got {ONION_LOCATION!r}.")
    ALLOWED_HOSTS.append(_onion_host)

INSTALLED_APPS = [
    "portal.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time backup codes (portal.enrolment)
    "axes",
    "portal",
    "submissions",
    "communications",
]

MIDDLEWARE = [
    "portal.middleware.PermissionsPolicyMiddleware",
    # Must come just before SecurityMiddleware, which it steps around for the onion service.
    "portal.middleware.OnionServiceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page compressed here (static files come precompressed from WhiteNoise, above, and never reach
    # it): the intake form is 61 KB of HTML, 10 KB gzipped, on links where that is most of the wait.
    # Django's gzip pads each response with random bytes against BREACH (pages carry CSRF tokens).
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.KeyringMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.language_links",
                "portal.context_processors.staff_languages",
            ],
        },
    },
]

# Django's form renderer, with <input> and <select> elements written in Python (portal/form_renderer.py).
FORM_RENDERER = "portal.form_renderer.WidgetsInPython"

# PostgreSQL only: full-text search, row locks and the concurrency guarantees
# the portal relies on have no equivalent elsewhere.
DATABASE_URL = env_str("DATABASE_URL")
require("DATABASE_URL", DATABASE_URL)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
require("REDIS_URL", REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
    }
}
# Rate-limit counters: a Redis of their own that never writes to disk (portal.throttle). It must
# not be the main Redis, whose append-only file keeps everything it is sent.
RATELIMIT_REDIS_URL = env_str("RATELIMIT_REDIS_URL")
require("RATELIMIT_REDIS_URL", RATELIMIT_REDIS_URL)
if RATELIMIT_REDIS_URL == REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("RATELIMIT_REDIS_URL must name a Redis of its own, with persistence off.")
CACHES["ratelimit"] = {"BACKEND": "portal.cache.RedisCache", "LOCATION": RATELIMIT_REDIS_URL, "KEY_PREFIX": "rl"}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
# Proxies whose X-Forwarded-For is believed (addresses or networks); from any other peer it is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Sessions end after 30 minutes without a request (staff and receipt alike), to the minute: a request
# saves the session again once its last save is a minute old (portal.middleware.SessionTouchMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)

# Staff log in with a password and a TOTP code (django-otp, enforced by the
# admin site). Failed logins are counted per user name in Redis (django-axes'
# cache handler): no client address is written anywhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "portal.roles.RoleBackend"]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Lockout by user name only is deliberate: limiting by address would mean
# handling staff addresses, and a user name lockout cannot be dodged by
# changing address, agent or cookies.
# security.W003 looks for Django's CSRF middleware by its exact path; the
# portal runs a subclass of it (portal.csrf), tested in tests/portal/test_csrf.py.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W003"]
OTP_TOTP_ISSUER = "Defender case portal"
LOGIN_URL = "admin:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.RepeatedWordValidator"},
    # Not a check: makes the person's key anew under the new password (portal.sealing).
    {"NAME": "portal.sealing.RewrapOnPasswordChange"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
# The staff site's languages: the public ones and those of staff members whose pages (enrolment,
# backup codes) are translated although the public site is not yet. Chosen on the staff site's
# language switch (a cookie of its own) or by the browser's Accept-Language (portal.middleware).
STAFF_LANGUAGES = [*LANGUAGES, ("fr", "Français"), ("es", "Español")]
STAFF_LANGUAGE_COOKIE = "staff_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats of our own per language (the genitive month in Russian); Django's own for the rest.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".data" / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Working copies of attachments are made by the worker in a child process with these limits
# (submissions.attachments.cleaning); a file past them is kept as evidence and flagged for staff.
ATTACHMENT_MAX_PDF_PAGES = env_int("ATTACHMENT_MAX_PDF_PAGES", 5000)
ATTACHMENT_CLEAN_CPU_SECONDS = env_int("ATTACHMENT_CLEAN_CPU_SECONDS", 30)
ATTACHMENT_CLEAN_MEMORY_BYTES = env_int("ATTACHMENT_CLEAN_MEMORY_BYTES", 1536 * 1024 * 1024)
ATTACHMENT_CLEAN_WALL_SECONDS = env_int("ATTACHMENT_CLEAN_WALL_SECONDS", 90)
# The child runs at the lowest CPU priority, in a session of its own; tests that clean in their own process
# turn this off, or the child would wait behind every other test process.
ATTACHMENT_CLEAN_LOWEST_PRIORITY = True
# Uploads stay in memory within the attachment limits and never touch the
# disk unencrypted (submissions.uploads).
FILE_UPLOAD_HANDLERS = ["submissions.uploads.BoundedMemoryUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 50
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
# Attachments, sealed to their case's key (portal.sealed_files): never served, backed up and shredded with
# the database (README "Backups"). Each file is flushed to disk before the row that names it is committed;
# PRIVATE_MEDIA_FSYNC=0 only where the database runs without fsync too (tests, benches).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(MEDIA_ROOT / "private")))
PRIVATE_MEDIA_FSYNC = env_bool("PRIVATE_MEDIA_FSYNC", True)
# A request body this large (a report or message with files) is read in full, then handled when no other is
# (portal.heavy_uploads): the gunicorn processes of one host take turns through this lock file.
HEAVY_UPLOAD_BYTES = env_int("HEAVY_UPLOAD_BYTES", 1024 * 1024)
HEAVY_UPLOAD_WAIT_SECONDS = env_int("HEAVY_UPLOAD_WAIT_SECONDS", 60)
HEAVY_UPLOADS_LOCK = Path(env_str("HEAVY_UPLOADS_LOCK", str(MEDIA_ROOT / "locks" / "heavy-uploads.lock")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Transport security -----------------------------------------------------
# HTTPS defaults to on outside DEBUG; a TLS-terminating proxy in front of
# gunicorn must set X-Forwarded-Proto and BEHIND_TLS_PROXY=1.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 63072000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Strict: no request from another site carries a staff (or receipt) session. Sources and staff both
# reach their pages from the portal's own forms and links; a link followed from elsewhere opens the
# login, as it would on a shared computer.
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
# The CSRF cookie goes when the browser closes: nothing of a visit stays on a source's device for a year.
CSRF_COOKIE_AGE = None
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Nothing from another host, nothing inline: the pages work without JavaScript
# and the little script there is lives in static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# Reports accepted per client address, where one can be told (portal.throttle; never on an onion
# service). The site-wide budget never refuses a report: past it, INTAKE_ALERT_EMAILS hear of it.
SUBMIT_LIMIT_PER_HOUR = env_int("SUBMIT_LIMIT_PER_HOUR", 20)
SUBMIT_SITE_BUDGET_PER_HOUR = env_int("SUBMIT_SITE_BUDGET_PER_HOUR", 60)
INTAKE_ALERT_EMAILS = env_list("INTAKE_ALERT_EMAILS")
# A report is taken only from a form fetched at least this long before (submissions.limits).
FORM_MIN_FILL_SECONDS = env_int("FORM_MIN_FILL_SECONDS", 5)
# Receipt logins per client address (tries, seconds); the per-reference limit is in submissions.limits.
RECEIPT_LIMIT_PER_CLIENT = (env_int("RECEIPT_LIMIT_PER_CLIENT", 20), 15 * 60)

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
# Seconds for each exchange with the mail server. Only Celery workers talk to it (portal.outbox), so a slow
# server delays mail, never a request; without a timeout a hanging server would hold a worker forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# No error emails: a traceback mail would carry request data out of the portal.
ADMINS: list[tuple[str, str]] = []


# --- Celery -----------------------------------------------------------------
def _broker_url(redis_url: str) -> str:
    # Django's cache speaks redis-py's unix:///path?db=N form; kombu calls the
    # same socket redis+socket:///path?virtual_host=N.
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://").replace("db=", "virtual_host=")
    return redis_url


CELERY_BROKER_URL = _broker_url(REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The longest task is bounded by CELERY_TASK_TIME_LIMIT; an unacknowledged
# message is redelivered only after the visibility timeout, which must be
# longer or a slow task would run twice in parallel.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Celery closes a worker's database connections after every task unless this is set, and then every
# this many tasks; portal.celery gives tasks Django's request lifecycle instead (CONN_MAX_AGE, health
# checks, and a connection closed after any task that fails).
CELERY_DB_REUSE_MAX = 1000
BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Workers look for messages of dead workers about ten times per timeout
    # (kombu scans every interval x throttle seconds).
    "unacked_restore_interval": max(1, BROKER_VISIBILITY_TIMEOUT // 100),
    "unacked_restore_throttle": 10,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing happens inside web requests; a dead broker must fail fast. The
# periodic sweep sends again what could not be sent.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Not with the intake: at 100,000 cases its first run shredded 22,813 for 3 minutes, while a report waits.
    "submissions.retention": {"queue": "default"},
    "submissions.*": {"queue": "intake"},
    "communications.*": {"queue": "communications"},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "portal.tasks.beat_heartbeat", "schedule": 30.0, "options": {"expires": 25}},
    "intake-sweep": {"task": "submissions.sweep", "schedule": 60.0, "options": {"expires": 55}},
    "communications-clock": {"task": "communications.tick", "schedule": 60.0, "options": {"expires": 55}},
    "mail-sweep": {"task": "portal.mail_sweep", "schedule": 60.0, "options": {"expires": 55}},
    "retention": {"task": "submissions.retention", "schedule": 3600.0, "options": {"expires": 3000}},
}

# `make run`'s demo letters are written after start-up by a process forked from seed_demo, which holds the
# office key it made (communications.demo.seed); off in the tests.
DEMO_LETTERS_IN_BACKGROUND = env_bool("DEMO_LETTERS_IN_BACKGROUND", True)

# How long a case's content is kept after its last status change (for "withdrawn": after the source
# withdrew consent), in days; then its key and ciphertext are destroyed (submissions.services.
# submission_shred). Backups keep what they hold for as long as they are kept: see README "Retention".
RETENTION_DAYS = {
    "not_admissible": env_int("RETENTION_NOT_ADMISSIBLE_DAYS", 90),
    "duplicate": env_int("RETENTION_DUPLICATE_DAYS", 90),
    "withdrawn": env_int("RETENTION_WITHDRAWN_DAYS", 90),
    "closed": env_int("RETENTION_CLOSED_DAYS", 5 * 365),
    "communication_sent": env_int("RETENTION_COMMUNICATION_SENT_DAYS", 5 * 365),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")

# How old a heartbeat may be before /healthz calls its process down.
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 60)
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", 120)

# --- Logging ----------------------------------------------------------------
# Log lines name events and ids, never request bodies, personal data or
# client addresses. Access logs (gunicorn) use a format without the address.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING", "propagate": True},
        # fpdf2's font subsetting reports each table of each PDF at INFO: about 60 lines a letter.
        "fontTools": {"level": "WARNING"},
    },
}
