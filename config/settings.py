"""Settings for Leadership Compact, driven entirely by the environment.

Nothing configured gives a development set-up that needs no services: an SQLite file in the
project folder, Celery tasks run in-process, e-mail printed to the console. ``DJANGO_ENV=production``
turns on the hardened set-up and refuses to start while a required variable is missing, so a
mis-deployed instance fails at boot rather than quietly running on defaults.
"""

import os
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = env("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    REQUIRED_IN_PRODUCTION = (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
    )
    missing = [name for name in REQUIRED_IN_PRODUCTION if env(name) is None]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(missing)
        )

# The development key is only ever used when DJANGO_ENV is not production (checked above).
SECRET_KEY = env("SECRET_KEY", "development-only-key-never-used-in-production-3f9a1c7e5b2d")
DEBUG = env_bool("DJANGO_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public address used in e-mails sent from tasks, where there is no request to build it from.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "pgtrigger",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "core",
    "accounts",
    "compact",
    "consultation",
    "signatories",
    "reflections",
    "audit",
    "rest_framework",
    "drf_spectacular",
    "api",
    "notifications",
]

MIDDLEWARE = [
    # /healthz and /readyz for load balancers: answered before any other middleware, so they need
    # no allowed Host (a balancer asks by address), no session, no HTTPS and touch no rate limit.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are served (already compressed, by their own rules) above the compression.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML for browsers that accept gzip. Above every middleware that reads or writes
    # the body, so it compresses the finished page. BREACH: a compressed page that reflects what
    # a request sent beside a secret leaks the secret by the page's length. Django 4.2+ pads the
    # gzip stream with random bytes (so lengths vary), and masks the CSRF token afresh for each
    # response; no page here reflects request data beside another secret. See docs/caching.md.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.StripNulBytesMiddleware",
    "config.middleware.StaffTwoFactorMiddleware",
    # After authentication, so it knows who asked.
    "config.middleware.PrivateWhenSignedInMiddleware",
    "config.middleware.MethodNotAllowedPage",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# SQLite (`make run`, tests): a transaction takes the write lock when it begins (IMMEDIATE), so two
# that read and then write queue for it instead of one failing at once with "database is locked"
# (SQLite cannot upgrade a reader whose snapshot another writer has moved past); a writer waits up
# to 20 s for the lock; WAL lets pages be read while a confirmation is written.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if USING_POSTGRES and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Prepared statements, by Django's documented PostgreSQL options. Django binds parameters on
    # the client (values written into the SQL text) and sets psycopg's prepare_threshold to None,
    # so PostgreSQL parses and plans every statement afresh. With server-side binding the text of
    # a query is the same whatever its values, and psycopg prepares any statement a connection
    # has run `prepare_threshold` times (keeping the last 100; a rolled-back transaction drops
    # them), so from then on PostgreSQL runs a plan it already has.
    # Caveats (Django's PostgreSQL notes and psycopg's docs):
    # - Django turns preparing off by default to keep connection poolers working: behind a pooler
    #   in transaction mode without protocol-level prepared statements (PgBouncer before 1.21, or
    #   max_prepared_statements unset) set DATABASE_PREPARED_STATEMENTS=0.
    # - Server-side binding sends values apart from the text: a statement that cannot take
    #   parameters (SET, DDL) must not be given any (Django's migrations merge theirs on the
    #   client); at most 65,535 parameters a statement (a huge `__in` list or bulk_create fails);
    #   an expression with parameters in both SELECT and GROUP BY is not recognised as the same
    #   (Django ticket #34255); and the query log (connection.queries, the debug page) shows
    #   placeholders, not values.
    # - PostgreSQL may switch a prepared statement to a generic plan after five runs
    #   (plan_cache_mode): right for the short indexed statements that repeat here.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits and page caches need one shared by all workers) ----------------
# Unset means no broker: tasks then run in-process (see Celery below).
_broker_url = env("CELERY_BROKER_URL")


def _origin(url):
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def _next_redis_database(url):
    """The broker's Redis with the next database number: the cache must never share the broker's
    database, or clearing the cache (FLUSHDB) would also drop queued tasks and their bindings."""
    parsed = urlparse(url)
    number = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{number + 1}").geturl()


CACHE_URL = env("CACHE_URL") or (
    _next_redis_database(_broker_url) if _broker_url and _broker_url.startswith("redis") else None
)
if PRODUCTION and not CACHE_URL:
    # Each gunicorn worker would keep its own sign-in limits, API throttles and kept pages: the
    # limits would multiply by the number of workers and a page made stale in one stays in another.
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs a cache shared by every worker: set CACHE_URL, or a redis:// "
        "CELERY_BROKER_URL (the cache then uses the broker's next database)."
    )
if CACHE_URL:
    CACHES = {
        "default": {
            # django-redis rather than Django's own backend: with IGNORE_EXCEPTIONS a Redis outage
            # costs the cache (pages render uncached, rate limits let requests through) instead
            # of failing every request that touches it.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "leadership-compact"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "config.cache"  # shortened to one line a call by the filter below
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# In front of the shared cache, each process's own memory (Django's locmem backend), for what is
# read on every request and dear to fetch whole over the network. Everything stored in these is
# keyed on a generation read from PostgreSQL by the request itself (see docs/caching.md), so a
# copy here is never stale, only unused; the limits bound memory, least recently used first.
CACHES["local"] = {
    # The round page's shared part and its HTML fragments (`{% cache ... using="local" %}`).
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "round-page",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
CACHES["pages"] = {
    # Visitors' whole pages (a national compact page is about 120 kB): the last few dozen.
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "visitor-pages",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 64},
}
# What a page that must not be cached passes to `{% cache ... using=... %}` (a scheduled round's
# draft can still change without raising any generation).
CACHES["uncached"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

# --- Celery ---------------------------------------------------------------------------------
# Without a broker, tasks run in-process so `make run` needs nothing but Python.
CELERY_TASK_ALWAYS_EAGER = _broker_url is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = _broker_url or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A request that enqueues work must not hang on an unreachable broker: config.dispatch gives up
# at once and the reconcilers below send the work later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# A task is acknowledged only after it finishes, so a worker killed mid-task loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker holds one message beyond the one it runs (prefetch 1) and, acknowledging late, a task
# whose worker dies is delivered again once Redis's visibility timeout (one hour, longer than any
# task's time limit) has passed.
CELERY_TIMEZONE = "UTC"
# Three queues, so a long render never delays a confirmation e-mail: PDFs go to "pdf", e-mails to
# "mail", everything else (schedulers, reconcilers) to "celery". A worker started without -Q
# consumes all three (`make worker`, the integration tests); production runs a worker per queue
# (docker-compose.yml, docs/operations.md). Tasks run in-process without a broker, queues aside.
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each queue its own routing key: sharing the default one would deliver every message to all three.
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in ("celery", "pdf", "mail"))
CELERY_TASK_ROUTES = {
    "compact.tasks.render*": {"queue": "pdf"},
    # Every task that sends e-mail is named send_* or tell_* (tests/test_celery_queues.py).
    "*.tasks.send_*": {"queue": "mail"},
    "*.tasks.tell_*": {"queue": "mail"},
}
# Rounds open, close and send their reminders by the clock. Without a broker (`make run`),
# `manage.py advance_rounds --every 30` does the same job in a second process.
CELERY_BEAT_SCHEDULE = {
    "advance-consultation-rounds": {"task": "consultation.tasks.advance_rounds", "schedule": 60.0},
    # Renders the database says are owed but the broker lost (a Redis restart, say).
    "reconcile-pdfs": {"task": "compact.tasks.reconcile_pdfs", "schedule": 300.0},
    # E-mails the database says are owed but the broker lost or never took (Redis down).
    "reconcile-notices": {"task": "consultation.tasks.reconcile_notices", "schedule": 300.0},
    "reconcile-signing-mail": {"task": "signatories.tasks.reconcile_mail", "schedule": 300.0},
    # A month before a published version's review date, staff and its signatories are reminded.
    "remind-reviews": {"task": "compact.tasks.remind_reviews", "schedule": 3600.0},
    # Hourly, but each person gets at most one digest a day (notifications.DigestSent).
    "send-notification-digests": {"task": "notifications.tasks.send_digests", "schedule": 3600.0},
    "reconcile-notifications": {"task": "notifications.tasks.reconcile_immediate", "schedule": 300.0},
    # Stored PDFs no PdfExport row names (a render whose publication failed, a delete that did not
    # reach the object store) are removed once older than PDF_ORPHAN_GRACE_SECONDS.
    "remove-orphan-pdfs": {"task": "compact.tasks.remove_orphan_pdfs", "schedule": 3600.0},
    # The outbox: e-mails whose task the broker lost, or whose worker died while sending.
    "reconcile-outbox": {"task": "notifications.tasks.reconcile_outbox", "schedule": 60.0},
}
# PDF renders of one version are coalesced: one render per window, whatever the changes.
PDF_COALESCE_SECONDS = int(env("PDF_COALESCE_SECONDS", "30"))
# A failed render retries after 15 s, 30 s, 60 s, 120 s, then shows as failed to staff.
PDF_RETRY_BASE_SECONDS = int(env("PDF_RETRY_BASE_SECONDS", "15"))
# Past this many signatories a PDF's list is laid out in parts of about this size, in this many
# worker processes at once, and joined (compact/pdf.py): memory is bounded by the part, not the list.
PDF_SIGNATORIES_PER_PART = int(env("PDF_SIGNATORIES_PER_PART", "1000"))
PDF_PART_PROCESSES = int(env("PDF_PART_PROCESSES", "2"))
# A stored PDF no row names is left this long before the reconciler removes it: a render writes
# its file a moment before the row that names it is saved.
PDF_ORPHAN_GRACE_SECONDS = int(env("PDF_ORPHAN_GRACE_SECONDS", "3600"))
# Checking an uploaded PDF (/verify/): the file is read in a child process that may spend at most
# this many seconds (wall clock; CPU one more) and this much address space, read at most this many
# pages, and decompress at most this many bytes of page content for the pages it reads. A file over
# any of them gets "We could not check this file" (compact/pdf_reading.py, docs/security.md).
VERIFY_READ_SECONDS = float(env("VERIFY_READ_SECONDS", "5"))
VERIFY_READ_MEMORY_BYTES = int(env("VERIFY_READ_MEMORY_BYTES", str(512 * 1024 * 1024)))
VERIFY_MAX_CONTENT_BYTES = int(env("VERIFY_MAX_CONTENT_BYTES", "1000000"))
VERIFY_MAX_PAGES = int(env("VERIFY_MAX_PAGES", "2000"))
# How long owed work (an unsent e-mail, a pending PDF) waits before the reconcilers send it again.
RECONCILE_AFTER_SECONDS = int(env("RECONCILE_AFTER_SECONDS", "300"))
# Fault injection for the worker-killed integration test only.
# Only `make bench` sets this: it adds the yardstick views, /bench/minimal and /bench/minimal-write.
BENCHMARK_VIEWS = env_bool("BENCHMARK_VIEWS", False)
SIGNATURE_CONFIRMATION_HOURS = int(env("SIGNATURE_CONFIRMATION_HOURS", "72"))
# Signatures from one e-mail domain, or one client address, beyond this many in this time are
# held: not public, not counted, until staff release them (docs/trust.md). "N/second|minute|hour|day".
SIGNATURE_HOLD_PER_DOMAIN = env("SIGNATURE_HOLD_PER_DOMAIN", "3/hour")
SIGNATURE_HOLD_PER_ADDRESS = env("SIGNATURE_HOLD_PER_ADDRESS", "3/hour")
# Reflections one person may record in any 24 hours (reflections/services.py).
REFLECTIONS_PER_DAY = int(env("REFLECTIONS_PER_DAY", "5"))
# A round's draft longer than this many commitments is shown one theme at a time.
ROUND_PAGE_ALL_THEMES_UP_TO = int(env("ROUND_PAGE_ALL_THEMES_UP_TO", "60"))

# --- Open data API (api/) ---------------------------------------------------------------------
# Anonymous and read-only: no session or basic authentication, so no cookie is read and there is
# no CSRF surface; every request is throttled per client address on the shared cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientAddressThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_RATE_LIMIT", "300/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Leadership Compact open data API",
    "DESCRIPTION": "Read-only, anonymous JSON about public compacts, their versions, consultation rounds and signatories.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.declare_common_responses",
        "api.schema.declare_verify",
    ],
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": ["published", "superseded"],
        "RoundStatusEnum": ["open", "closed", "applied"],
    },
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Leadership Compact] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"accounts.signup.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "add_email": "AddEmailForm",
    }.items()
}
# Sign in with an organisation account (OpenID Connect: an NHSmail or Entra ID tenant, say). Off
# unless OIDC_SERVER_URL is set. An existing account with the same e-mail is linked, not duplicated,
# but only when the provider says the address is verified (allauth ignores unverified ones).
OIDC_SERVER_URL = env("OIDC_SERVER_URL")
# allauth takes the ID token from the provider's token endpoint without checking its signature
# (as OpenID Connect allows for a token received straight over TLS): over plain HTTP anyone on
# the path could sign in as anyone. Production refuses to start with such a provider.
if PRODUCTION and OIDC_SERVER_URL and urlparse(OIDC_SERVER_URL).scheme != "https":
    raise ImproperlyConfigured("OIDC_SERVER_URL must be an https:// address when DJANGO_ENV=production.")
SOCIALACCOUNT_PROVIDERS = {}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", "organisation"),
                "name": env("OIDC_NAME", "your organisation account"),
                "client_id": env("OIDC_CLIENT_ID", ""),
                "secret": env("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
# The provider's origin (its authorisation endpoint lives under the issuer), and nothing broader.
OIDC_FORM_ACTION = [_origin(OIDC_SERVER_URL)] if OIDC_SERVER_URL else []
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The organisation has already verified the address; an unverified one is verified by mail as usual.
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_STORE_TOKENS = False
# Verifying the e-mail signs the person in and takes them on to where they were going (`next`,
# kept through sign-up and verification).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Sign-in and posting limits. NHS organisations reach the internet through a few shared addresses
# (a whole trust, sometimes a region, behind one), so limits per address are set for a trust's
# busiest hour, and lock-outs after wrong passwords are per account and address (see
# accounts/adapter.py): one person's mistakes, or one attacker, never lock out a whole trust.
# The numbers are in the README ("Security and reliability"); tests/security/test_shared_address.py
# holds them.
ACCOUNT_RATE_LIMITS = {
    # Sign-in attempts from one address, right or wrong.
    "login": "300/m/ip",
    # Wrong passwords: 100 a minute from one address; 5 in 5 minutes for one account from one
    # address locks that account out there (even with the right password) ...
    "login_failed": "100/m/ip,5/5m/key",
    # ... and past 20 in an hour for one account, from everywhere, its attempts are paced: one
    # every 30 seconds, from wherever (accounts/adapter.py): slowed, never locked out everywhere.
    "login_failed_account": "20/h/key",
    "login_paced_account": "1/30s/key",
    "signup": "60/m/ip",
    "reset_password": "60/m/ip,5/m/key",
    "reset_password_from_key": "60/m/ip",
}
# How many reverse proxies in front of the app append to X-Forwarded-For; the client's address is
# that many entries from the right. 0 ignores the header, which a client can forge.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Leadership Compact"
# Staff pages demand two-factor authentication where this is on (always, in production).
STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", PRODUCTION)

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Leadership Compact <compact@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Whom /.well-known/security.txt names for reporting a vulnerability (a mailto: or https: address),
# and the disclosure policy's address if there is one.
SECURITY_CONTACT = env("SECURITY_CONTACT") or f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}"
SECURITY_POLICY_URL = env("SECURITY_POLICY_URL")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A file per message, for the integration tests' real workers (and a quiet soak).
if env("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
# A relay that stops answering must not hold a sending task for ever (docs/mail.md).
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
# The outbox (notifications/outbox.py): a message that fails is retried after 30 s, 60 s, 120 s…
# and, after this many attempts, shown to staff as failed.
MAIL_MAX_ATTEMPTS = int(env("MAIL_MAX_ATTEMPTS", "6"))
MAIL_RETRY_BASE_SECONDS = int(env("MAIL_RETRY_BASE_SECONDS", "30"))
# A worker's claim on a message lasts this long; past it, its worker is taken to have died.
MAIL_CLAIM_SECONDS = int(env("MAIL_CLAIM_SECONDS", "600"))
# Background statements that lock rows a request also locks give up after this long (PostgreSQL).
LOCK_TIMEOUT_MS = int(env("LOCK_TIMEOUT_MS", "2000"))

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files the product writes (the PDFs) go to the default storage. Unset, that is MEDIA_ROOT on this
# host's disk (`make run`, one host). With AWS_STORAGE_BUCKET_NAME set they go to an S3-compatible
# object store (AWS S3, MinIO, ...) that every host shares: a PDF rendered by a worker on one host is
# served by the web process on another. The bucket stays private: people get PDFs through the
# application (compact.views.pdf_file), which applies access rules, withdrawal and erasure; a
# signed address (querystring_auth) is the only way the store itself would hand one out.


def object_storage(bucket, *, endpoint_url=None, region_name=None, location="", addressing_style="path"):
    """STORAGES["default"] on an S3-compatible object store (the tests build theirs with this too)."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # MinIO and other S3-compatible stores; None means AWS itself.
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            # Keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3.
            "location": location,
            "default_acl": "private",
            "querystring_auth": True,
            # Every stored name carries a random token, so nothing is ever overwritten, and asking
            # the store whether a name is free first would cost a request per PDF.
            "file_overwrite": True,
            # Path-style addresses work with every S3-compatible store; AWS accepts them too.
            "addressing_style": addressing_style,
            # A file opened whole (not streamed) is held in memory up to this size, then on disk.
            "max_memory_size": 8 * 1024 * 1024,
            # A store that does not answer fails a request (and /readyz) in seconds, not minutes.
            "client_config": Config(
                connect_timeout=3, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        },
    }


STORAGE_BUCKET = env("AWS_STORAGE_BUCKET_NAME")
DEFAULT_STORAGE = (
    object_storage(
        STORAGE_BUCKET,
        endpoint_url=env("AWS_S3_ENDPOINT_URL"),
        region_name=env("AWS_S3_REGION_NAME"),
        location=env("AWS_LOCATION", ""),
        addressing_style=env("AWS_S3_ADDRESSING_STYLE", "path"),
    )
    if STORAGE_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            # Each file's address worked out once per process (core/staticfiles.py).
            "core.staticfiles.ManifestStaticStorage" if PRODUCTION else "core.staticfiles.StaticStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------------
# Sessions are read from the shared cache and written through to the database: a signed-in page
# costs a cache round trip instead of a query, a session survives a cache flush or outage (read
# from the database again), and signing out or a password change ends it on the server, which
# signed-cookie sessions could not do.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The load balancer terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come from inside the container network over plain HTTP (config/health.py answers
# them before SecurityMiddleware; this keeps them exempt if that ever moves).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The default stylesheet uses Arial and loads no font. NHS_FONTS=1 is for a stylesheet built with
# `npm run build:css:nhs-fonts`, which loads NHS Frutiger from assets.nhs.uk (docs/checkers.md).
NHS_FONTS_ORIGIN = ["https://assets.nhs.uk"] if env_bool("NHS_FONTS", False) else []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:", *NHS_FONTS_ORIGIN],
        "connect-src": [SELF],
        # A form may post to this site and, when organisation sign-in is on, to the identity
        # provider: "Sign in with ..." posts here and is answered with a redirect to the
        # provider's authorisation endpoint, which browsers check against form-action too.
        "form-action": [SELF, *OIDC_FORM_ACTION],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "config.logging.CacheOutageInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "config.cache": {"filters": ["one_line"]},
        # WeasyPrint reports every step of every render at INFO, and fontTools every subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
