"""Eligo settings: one module, driven by the environment.

The embedded default (no variables set beyond what ``make`` writes to
``.env``) is a development site on a SQLite file with Celery tasks run eagerly.
Production sets ``DEBUG=false``, ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis). Every variable
is described in ``.env.example`` and ``docs/configuration.md``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.auditkeys import audit_keyring_from_env
from config.env import env, envbool, envint, envlist, load_env_file
from config.identitykeys import index_key_from_env, master_keyring_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")

DEBUG = envbool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "django_celery_beat",
    "outbox",
    "accounts",
    "trials",
    "screening",
    "audit",
    "notifications",
    "vault",
    "dashboards",
]

MIDDLEWARE = [
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long cache lifetimes.
    "config.headers.BrowserProtectionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.sessions.IdleSessionMiddleware",
    # The browser's language (cookie, then Accept-Language); PreferredLanguageMiddleware
    # below puts a signed-in person's own choice, then their site's language, first.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, eager tasks, a management command) share the
    # file; WAL plus a busy timeout keeps them from tripping over each other.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Applied wherever a password is set: the set-password link, the password change
# page, createsuperuser and changepassword. Django's similarity check compares the
# whole password with each attribute (so "nobodynobody12" passed for "nobody"; made
# stricter, it refuses good passphrases that share letters with an e-mail address):
# it also reads the full name, and Eligo's own check takes the person's words out of
# the password and wants 8 characters left.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "full_name", "first_name", "last_name", "email"),
        },
    },
    {"NAME": "accounts.validators.PersonalWordsValidator", "OPTIONS": {"min_remaining": 8}},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after a period of inactivity: a signed-in request pushes the expiry on,
# writing the session at most once a minute unless it changed (config/sessions.py).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# One throttle for every typed password (login, signature, password change,
# activation; accounts/services/gate.py, docs/security.md): an account is locked for
# LOGIN_LOCKOUT_MINUTES after LOGIN_FAILURE_LIMIT failures within the same number of
# minutes, and a client address after LOGIN_ADDRESS_FAILURE_LIMIT failures, whatever
# the usernames.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
# A one-time link to set one's own password works this long (Django's reset token).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_LINK_HOURS", 24, minimum=1) * 3600
# Where those links are sent from and through. Unset: printed on the console (a
# development machine); production names its SMTP relay.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "eligo@localhost")
# Where Eligo is reached: links in e-mail sent by background work (no request to ask).
SITE_URL = env("SITE_URL", "http://localhost:8000")

# --- Audit trail ----------------------------------------------------------------
# The keys that sign the audit chain live outside the database (AUDIT_KEY or
# AUDIT_KEY_FILE, AUDIT_RETIRED_KEYS); with DEBUG on and none set, a development
# key is derived from SECRET_KEY. "KEY" in the name hides it on error pages.
AUDIT_KEYS = audit_keyring_from_env(debug=DEBUG, secret_key=SECRET_KEY)
# Signed checkpoints of the chain are appended here, outside the database; ship
# the folder off the host (docs/operations.md). Relative to the project folder.
AUDIT_CHECKPOINT_DIR = BASE_DIR / (env("AUDIT_CHECKPOINT_DIR") or "var/audit-checkpoints")

# --- Candidates' identities -----------------------------------------------------
# Identities are encrypted with a data key per candidate, wrapped by the master key
# (ELIGO_MASTER_KEY or ELIGO_MASTER_KEY_FILE, ELIGO_RETIRED_MASTER_KEYS); the blind
# index that finds them has a key of its own (ELIGO_INDEX_KEY). With DEBUG on and
# none set, development keys are derived from SECRET_KEY (docs/privacy.md).
IDENTITY_MASTER_KEYS = master_keyring_from_env(debug=DEBUG, secret_key=SECRET_KEY)
IDENTITY_INDEX_KEY = index_key_from_env(debug=DEBUG, secret_key=SECRET_KEY)

# --- Internationalisation ---------------------------------------------------
# docs/languages.md: which language a page is shown in (the person's choice, the
# browser's, the site's, then LANGUAGE_CODE), how to add one, what stays English.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("de", "Deutsch"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Eligo's own date and number formats per language (config/formats/<lang>/formats.py):
# dates as each country writes them, and ISO dates accepted in every language.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Forms ------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page, the admin included, runs on files served from Eligo itself: no inline
# script or style anywhere, nothing from another host, no eval. Bootstrap draws its
# icons (form checks, select arrows, close buttons) from data: SVGs, hence img-src.
# The PDF record keeps its page-margin styles inline: it never reaches a browser as
# HTML. Permissions-Policy and no-store come from config/headers.py; the reasons are
# in docs/security.md ("Headers and browser protections").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
# The language chosen before signing in (the login page's menu) is kept in a cookie.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
# Also tells the audit trail to take the client address from X-Forwarded-For.
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if envbool("BEHIND_TLS_PROXY", False):
    # Only when a proxy we control terminates TLS and sets the header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
if CELERY_BROKER_URL:
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_RESULT_BACKEND = (
        env(
            "CELERY_RESULT_BACKEND",
            CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
        )
        or None
    )
else:
    # Embedded default: no broker, tasks run in the calling process.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker or beat started before the broker waits for it rather than exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A broker that is down must fail fast wherever a process reaches for it: seconds to
# open a connection (Celery's default is 4, and the operating system's for an
# unanswered host is minutes).
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", 2, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
# Work is queued through the outbox (outbox/): recorded with the change, handed to the
# broker after the commit within this many milliseconds (0: left to the every-minute
# beat job), forgotten this many days after it was handed over.
OUTBOX_PUBLISH_TIMEOUT = envint("OUTBOX_PUBLISH_TIMEOUT_MS", 500) / 1000
OUTBOX_KEEP_DAYS = envint("OUTBOX_KEEP_DAYS", 7, minimum=1)

# --- Exports ----------------------------------------------------------------------
# A download of the screening log with more attempts than this is built by a worker
# and offered for download when done; the file is kept in EXPORT_DIR (relative to the
# project folder, or absolute; never served as a static file) for EXPORT_KEEP_DAYS.
EXPORT_BACKGROUND_ROWS = envint("EXPORT_BACKGROUND_ROWS", 2000, minimum=1)
EXPORT_DIR = BASE_DIR / (env("EXPORT_DIR") or "var/exports")
EXPORT_KEEP_DAYS = envint("EXPORT_KEEP_DAYS", 7, minimum=1)

# --- Logging --------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
