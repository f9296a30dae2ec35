"""Miel settings: one module, driven by environment variables (rules §1).

``DJANGO_DEBUG`` defaults to false: with no variables set the production guards refuse to start
without a real secret key, PostgreSQL and Redis. With ``DJANGO_DEBUG=true`` (``make run``, ``make
worker`` and the test suite set it) and nothing else, the site runs on the *embedded default*:
SQLite, an in-memory channel layer, eager Celery, local-memory cache, local media files, console
e-mail and the offline assistant. Each variable documented in README and ``.env.example`` switches one part to its
real service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from miel.csp import content_security_policy
from miel.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- core -----------------------------------------------------------------------------------
# Off unless asked for: a deploy that forgets the variable still gets every production guard.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
_INSECURE_KEY = "django-insecure-miel-embedded-default-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_INSECURE_KEY)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Issue 13: how many reverse proxies of ours append to X-Forwarded-For; per-IP limits use the
# client address that many entries from the right (miel/client_ip.py). 0 = ignore the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
#: What e-mails and their subjects call the site (miel/emails.py); never a host:port.
SITE_NAME = env("SITE_NAME", default="Miel")
SITE_ID = 1

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "miel",
    "accounts",
    "profiles",
    "matching",
    "messaging",
    "stories",
    "assistant",
    "billing",
    "safety",
    "dateshare",
    "notifications",
    "rights",
    "demo",
]

MIDDLEWARE = [
    "miel.metrics.MetricsMiddleware",  # Prometheus request latency by view (issue 21)
    "miel.logs.RequestLogMiddleware",  # request id + one JSON line per request (issue 21)
    "django.middleware.security.SecurityMiddleware",
    "miel.csp.CSPMiddleware",  # Content-Security-Policy (django-csp; policy below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "miel.middleware.BadCharactersMiddleware",  # NUL in a form or query string: 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, the user row in one statement
    "miel.db_routing.ReplicaRoutingMiddleware",  # replica reads + read-your-writes (issue 21)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "profiles.middleware.LastActiveMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "profiles.middleware.ProfileCompletionMiddleware",
    "miel.page_cache.PageVersionMiddleware",  # a member's write renews their cached pages (issue 20)
    "miel.middleware.StorageFullMiddleware",  # a full disk answers 507, not 500
    "miel.middleware.HtmxLoginRedirectMiddleware",  # htmx after a session ended: whole page
]

ROOT_URLCONF = "miel.urls"
WSGI_APPLICATION = "miel.wsgi.application"
ASGI_APPLICATION = "miel.asgi.application"

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
                "miel.context_processors.site",
                "miel.context_processors.nav",
                "messaging.context_processors.unread_messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]


def _postgres_options(_db: dict[str, Any]) -> None:
    """Connection options of every PostgreSQL database (primary and replicas)."""
    _db.setdefault("OPTIONS", {})
    # rules §16: parallel query slowed these queries on 2 cores, and server-side prepared
    # statements switched to slow generic plans, so web connections turn both off.
    # Issue 21: behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer) a connection
    # is a different server session from one transaction to the next, so nothing may outlive a
    # transaction: no server-side cursors (named cursors of .iterator()) and no prepared
    # statements (prepare_threshold None, below). PgBouncer 1.18 also refuses the "options"
    # startup parameter; its [databases] line sets max_parallel_workers_per_gather instead
    # (deploy/pgbouncer.ini.template).
    DATABASE_POOLER = env("DATABASE_POOLER", default="")
    if DATABASE_POOLER not in ("", "pgbouncer"):
        raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
    if DATABASE_POOLER == "pgbouncer":
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        _db["OPTIONS"].setdefault("options", "-c max_parallel_workers_per_gather=0")
    _db["OPTIONS"].setdefault("prepare_threshold", None)
    # A PostgreSQL that does not answer (rather than refusing) fails a connection attempt after
    # this many seconds instead of the operating system's minutes.
    _db["OPTIONS"].setdefault("connect_timeout", 5)
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    # rules §16: under ASGI every request runs its sync code in a fresh thread, so persistent
    # connections are never reused (a new PostgreSQL connection per request, most of a small
    # page's time). Production therefore borrows connections from a psycopg pool (DB_POOL).
    if env.bool("DB_POOL", default=not DEBUG):
        _db["OPTIONS"]["pool"] = {
            "min_size": env.int("DB_POOL_MIN", default=2),
            "max_size": env.int("DB_POOL_MAX", default=8),
            "timeout": 10,
        }
        _db["CONN_MAX_AGE"] = 0  # pooled connections are returned after each request
        # Issue 13 item 12: with health checks on, Django gives the pool psycopg_pool's
        # ConnectionPool.check_connection, which checks each connection as it is checked out
        # (one empty query) and replaces a dead one: after a PostgreSQL restart the first
        # request works, instead of the pool handing out connections that died meanwhile.
        # (Django passes ``check`` itself; a "check" key in the pool options would clash.)
        # Issue 20: miel.postgresql is that backend with a check that makes the round trip
        # only when the connection's socket says the server closed it (no query before every
        # request's first query).
        _db["CONN_HEALTH_CHECKS"] = True
        _db["ENGINE"] = "miel.postgresql"


_POSTGRES_ENGINES = ("django.db.backends.postgresql", "miel.postgresql")
if _db["ENGINE"] == "django.db.backends.postgresql":
    _postgres_options(_db)
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("timeout", 20)
    _db["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
# Issue 21: read replicas (PostgreSQL streaming standbys), a comma-separated list of URLs. Each
# becomes a database "replica1", "replica2", ...; miel/db_routing.py sends the read-heavy pages
# that tolerate a few seconds of staleness to them and everything else to the primary. In
# tests a replica mirrors the primary (same connection), so the suite runs unchanged.
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = environ.Env.db_url_config(_url)
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        _postgres_options(_replica)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["miel.db_routing.ReplicaRouter"]
#: A member's pages read from the primary for this many seconds after each write request.
REPLICA_READ_YOUR_WRITES_SECONDS = env.float("REPLICA_READ_YOUR_WRITES_SECONDS", default=5.0)
#: /readyz calls a replica "lagging" (and not ready, when required) beyond this replay delay.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
#: The pages whose GET may read from a replica (URL names; miel/db_routing.py).
REPLICA_VIEW_NAMES = env.list(
    "REPLICA_VIEW_NAMES",
    default=[
        "matching:discover",
        "matching:discover_cards",
        "matching:member_list",
        "matching:smart_matches",
        "profiles:member_detail",
    ],
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# E-mail uniqueness is a case-insensitive functional UniqueConstraint (Lower("email")), which
# the auth system check cannot see; the constraint is in the database (rules §2).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The covering indexes' INCLUDE columns are a PostgreSQL feature; SQLite builds them as
    # plain indexes, which the embedded default need not hear about at every migrate.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- redis: cache, channel layer, celery ----------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# rules §16: redis-py's default pool (100) made a 1 000-socket reconnect fail; set it explicitly.
REDIS_MAX_CONNECTIONS = env.int("REDIS_MAX_CONNECTIONS", default=50)
# Issue 13: while Redis is unreachable the cache, pushes and task queuing are skipped; each
# retries this many seconds after its last failure (README "When Redis is down").
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
# Typed for the code that reads them back (miel.readiness); set below, with or without Redis.
CHANNEL_LAYERS: dict[str, dict[str, Any]]

if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to misses and skipped writes while Redis is down, so sessions come from
            # the database and the site stays up (miel/cache.py, README "When Redis is down").
            "BACKEND": "miel.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "miel",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
                "retry_after": REDIS_RETRY_SECONDS,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # A blocking pool: a burst waits for a connection instead of failing (rules §16).
            "BACKEND": "miel.channel_layers.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": REDIS_MAX_CONNECTIONS,
                        "socket_connect_timeout": 2,
                    }
                ],
                "prefix": "miel",
                "capacity": 500,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# rules §16: every request reads its session. With Redis, cached_db reads it from the cache
# (written through to the database, so logout, flush and key rotation delete or replace both, and
# a cache flush loses nothing): one PostgreSQL query less per page. Without Redis the cache is
# per process (local memory), so sessions stay in the database.
# Issue 20: a member's own copy of a hot page is kept this many seconds (0 = off), renewed at
# once by their writes and by every live event pushed to them (miel/page_cache.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=5)
# Issue 20: the members list's and deck's capped count ("1 000+") per viewer and filters
# (matching.selectors.discovery._capped_count); 0 = count every time.
DISCOVER_COUNT_CACHE_SECONDS = env.int("DISCOVER_COUNT_CACHE_SECONDS", default=60)
# Issue 20 / rules §9: a member's matches are told "offline" this many seconds after their last
# socket closes, unless one opens meanwhile (a page load, a socket server restart): no
# offline-online flicker, and a reconnect storm announces nothing. 0 = at once.
PRESENCE_OFFLINE_GRACE_SECONDS = env.float("PRESENCE_OFFLINE_GRACE_SECONDS", default=10.0)
# Issue 20: the socket server's garbage collector (miel.asgi.tune_gc): what was loaded at start
# is frozen out of every collection, and the young generation is collected every
# ASGI_GC_THRESHOLDS[0] allocations instead of 700. Empty: Python's defaults.
ASGI_GC_THRESHOLDS = [int(n) for n in env.list("ASGI_GC_THRESHOLDS", default=["20000", "20", "50"])]

SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Issue 13 item 9: tasks are idempotent, so a task is acknowledged only after it ran, re-queued
# when its worker process dies, and each worker holds one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message taken by a worker that was killed outright (SIGKILL, OOM, lost machine) goes back
# to the queue this long after delivery (kombu's default: one hour). It must exceed the longest
# task run plus the 60 s retry countdowns, or a slow task would be delivered twice. Workers look
# for such messages every few seconds (kombu's default: every 100 s).
CELERY_VISIBILITY_TIMEOUT_MINUTES = env.float("CELERY_VISIBILITY_TIMEOUT_MINUTES", default=10.0)
_visibility_seconds = max(1, round(CELERY_VISIBILITY_TIMEOUT_MINUTES * 60))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_seconds,
    "unacked_restore_interval": max(1, min(10, _visibility_seconds // 6)),
    "unacked_restore_throttle": 1,
    # A broker that accepts connections but never answers (half-open TCP, a hung Redis) made
    # a publish, hence the request that queued a task, wait forever. Blocking reads give up
    # after 3 s (the worker's BRPOP returns every second), connecting after 2 s.
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing retries twice (a stale pooled connection after a Redis restart needs one retry);
# with the timeouts above a dead broker costs a request at most about 10 s, once per
# REDIS_RETRY_SECONDS (miel/celery.py skips queuing meanwhile).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="miel")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# rules §10: deactivate expired stories and delete their media (readers never wait for it).
CELERY_BEAT_SCHEDULE["stories-expire"] = {
    "task": "stories.tasks.expire_stories",
    "schedule": 300.0,
}
# rules §8: one reminder e-mail 2 h after a "new message" e-mail if still unread.
CELERY_BEAT_SCHEDULE["messaging-email-reminders"] = {
    "task": "messaging.tasks.message_email_reminders_due",
    "schedule": 300.0,
}
# rules §11: keep recently active members' 6 h smart-match caches warm; §0: trust scores daily.
CELERY_BEAT_SCHEDULE["smart-matches-warm"] = {
    "task": "matching.smart_tasks.smart_matches_warm_active",
    "schedule": 3600.0,
}
# Issue 19: the notification centre keeps 30 days.
CELERY_BEAT_SCHEDULE["notifications-prune"] = {
    "task": "notifications.tasks.notifications_prune",
    "schedule": 86400.0,
}
# Issue 19: one "someone liked me" digest e-mail a day, not one per like.
CELERY_BEAT_SCHEDULE["notifications-like-digest"] = {
    "task": "notifications.tasks.like_digest",
    "schedule": 86400.0,
}
# Issue 19: what quiet hours / Shabbat mode held goes out as one summary when they end.
CELERY_BEAT_SCHEDULE["notifications-flush-held"] = {
    "task": "notifications.tasks.held_flush",
    "schedule": 300.0,
}
# Issue 19: Shabbat-mode members' next candle-lighting → havdalah window (hdate).
CELERY_BEAT_SCHEDULE["notifications-shabbat-windows"] = {
    "task": "notifications.tasks.shabbat_windows",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["trust-scores-refresh"] = {
    "task": "profiles.tasks.trust_scores_refresh",
    "schedule": 86400.0,
}

# --- readiness (/readyz, miel/readiness.py) ------------------------------------------------
# The checks that must be up for /readyz to answer 200 (database, cache, channel_layer,
# broker); the others are reported only. Each check gives up after READYZ_TIMEOUT_SECONDS.
READYZ_REQUIRED = env.list("READYZ_REQUIRED", default=["database"])
READYZ_TIMEOUT_SECONDS = env.float("READYZ_TIMEOUT_SECONDS", default=2.0)

# --- metrics (/metrics, miel/metrics.py) ------------------------------------------------------
# Who may read /metrics: client addresses or networks (miel/client_ip.py, so behind a proxy set
# TRUSTED_PROXY_COUNT), or anyone sending "Authorization: Bearer $METRICS_TOKEN". Nobody else.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- auth and accounts (django-allauth) -----------------------------------------------------
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
LOGIN_REDIRECT_URL = "matching:discover"  # the Discover deck (issue 15)
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 1  # rules §3: link valid 24 h
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True  # rules §3 fix: reset never reveals whether an email exists
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Sign-up asks to confirm 18+ and accept the terms (rules §3; safety/forms.py).
ACCOUNT_SIGNUP_FORM_CLASS = "safety.forms.SignupForm"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # the adapter's get_client_ip decides
# rules §3: sign-up does the same work for a new and a registered address (hash + e-mail task);
# /accounts/email/ refuses another account's address without saying whose.
ACCOUNT_FORMS = {
    "signup": "accounts.account_forms.SignupForm",
    "add_email": "accounts.account_forms.AddEmailForm",
}
# allauth's limits, explicit: one confirmation e-mail per address every 3 minutes (resend
# included), 10 e-mail management actions (add, resend, remove, primary) a minute per member.
ACCOUNT_RATE_LIMITS = {
    "confirm_email": "1/3m/key",
    "manage_email": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Miel · "
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False

SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if env("GOOGLE_CLIENT_ID", default="") and env("GOOGLE_CLIENT_SECRET", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("GOOGLE_CLIENT_ID"), "secret": env("GOOGLE_CLIENT_SECRET")}],
        "SCOPE": ["profile", "email"],
    }
if env("FACEBOOK_APP_ID", default="") and env("FACEBOOK_APP_SECRET", default=""):
    SOCIALACCOUNT_PROVIDERS["facebook"] = {
        "APPS": [{"client_id": env("FACEBOOK_APP_ID"), "secret": env("FACEBOOK_APP_SECRET")}],
        "SCOPE": ["email", "public_profile"],
        "METHOD": "oauth2",
    }

# --- email ----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Miel <no-reply@miel.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "he"
LANGUAGES = [("he", _("Hebrew")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jerusalem"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# /media/ is always served by miel.media_views after the page rules (issue 13 item 7). With a
# proxy in front (nginx), the view answers with X-Accel-Redirect to this internal location and
# nginx sends the bytes; without, Django streams the file itself.
MEDIA_ACCEL_REDIRECT = env.bool("MEDIA_ACCEL_REDIRECT", default=False)
MEDIA_ACCEL_REDIRECT_PREFIX = env("MEDIA_ACCEL_REDIRECT_PREFIX", default="/protected-media/")
# Lifetime (seconds) of the signed URLs /media/ redirects to on Cloudinary / S3.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=600)
# `make backup` / `make restore` (miel/backups.py): where backup folders go.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
# Verification selfies (profiles.verification.storage): outside MEDIA_ROOT, never served.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Photos and stories: local media by default, Cloudinary when CLOUDINARY_URL is set.
    "photos": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Videos: local media by default, S3 (django-storages) when VIDEO_BUCKET is set.
    "videos": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Verification selfies: outside MEDIA_ROOT, so no URL serves them (staff view only).
    "selfies": {"BACKEND": "profiles.verification.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
CLOUDINARY_URL = env("CLOUDINARY_URL", default="")
if CLOUDINARY_URL:
    STORAGES["photos"] = {
        "BACKEND": "miel.storage.CloudinaryStorage",
        "OPTIONS": {"cloudinary_url": CLOUDINARY_URL},
    }
VIDEO_BUCKET = env("VIDEO_BUCKET", default="")
if VIDEO_BUCKET:
    STORAGES["videos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": VIDEO_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            "signature_version": "s3v4",
            # "path" for S3-compatible servers reached by IP or without wildcard DNS.
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "file_overwrite": False,
        },
    }

# Uploads (rules §4): photos up to 10 MB, videos up to 100 MB.
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
VIDEO_MAX_BYTES = 100 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Location privacy (rules §5): a member may move their own position at most this many times in
# any hour, so nobody can walk around someone else's ~2 km grid cell with the distance filter.
LOCATION_CHANGES_PER_HOUR = env.int("LOCATION_CHANGES_PER_HOUR", default=10)

# --- external services ----------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_PRICE_BASIC = env("STRIPE_PRICE_BASIC", default="")
STRIPE_PRICE_POPULAR = env("STRIPE_PRICE_POPULAR", default="")
STRIPE_PRICE_ANNUAL = env("STRIPE_PRICE_ANNUAL", default="")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env.float("OPENAI_TIMEOUT_SECONDS", default=20.0)
# USD per 1 000 tokens, only for the cost estimate in AIUsageLog (rules §12).
OPENAI_COST_PER_1K = env.float("OPENAI_COST_PER_1K", default=0.0006)

# --- chat limits (issue 16; README "Messaging and real time"); 0 = no limit ------------------
MESSAGES_PER_MINUTE = env.int("MESSAGES_PER_MINUTE", default=30)
NEW_CONVERSATIONS_PER_DAY = env.int("NEW_CONVERSATIONS_PER_DAY", default=10)
#: Accounts younger than this (hours), or without an approved photo, have the daily limit.
NEW_ACCOUNT_HOURS = env.int("NEW_ACCOUNT_HOURS", default=24)
#: Reports a member may file per rolling 24 hours (matching/reports.py; 0 = no limit).
REPORTS_PER_DAY = env.int("REPORTS_PER_DAY", default=20)

# Likes and passes (issue 15, 16): likes a free member may give per rolling 12 hours (premium:
# unlimited), and passes a free member may undo per rolling 24 hours (premium: unlimited).
LIKES_PER_12_HOURS_FREE = env.int("LIKES_PER_12_HOURS_FREE", default=100)
PASS_UNDOS_PER_DAY_FREE = env.int("PASS_UNDOS_PER_DAY_FREE", default=1)

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): only our static scripts/styles, plus the configured
# external services (miel/csp.py explains each source).
CONTENT_SECURITY_POLICY = content_security_policy(
    cloudinary=bool(CLOUDINARY_URL),
    video_bucket=VIDEO_BUCKET,
    s3_endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
    s3_region=env("AWS_S3_REGION_NAME", default=""),
    s3_addressing_style=env("AWS_S3_ADDRESSING_STYLE", default=""),
    stripe_api_base=STRIPE_API_BASE,
    oauth_providers=tuple(SOCIALACCOUNT_PROVIDERS),
)

if not DEBUG:
    if SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a long random value in production "
            "(DJANGO_DEBUG is false by default; set DJANGO_DEBUG=true for local development)."
        )
    if _db["ENGINE"] not in _POSTGRES_ENGINES:
        raise ImproperlyConfigured("Production needs DATABASE_URL pointing at PostgreSQL.")
    if not REDIS_URL:
        raise ImproperlyConfigured("Production needs REDIS_URL (channel layer, cache, Celery).")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes may use plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Issue 21: JSON lines in production (request id, user id hash, view, status, duration;
# miel/logs.py), plain text in development. LOG_FORMAT=json|console overrides.
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("LOG_LEVEL", default="INFO"))

# Optional error reporting (miel/sentry.py): personal data scrubbed before anything is sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from miel.sentry import init as _sentry_init

    _sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Web Push (issue 19 C) --------------------------------------------------------------------
# VAPID keys (base64url: the raw 32-byte private key, the 65-byte uncompressed public key), made
# by `manage.py push_keys`. Without both, push is off and Settings says so.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:no-reply@miel.local")
# Push services are https; plain http endpoints (a local test push service) only in debug.
PUSH_ALLOW_HTTP_ENDPOINTS = env.bool("PUSH_ALLOW_HTTP_ENDPOINTS", default=DEBUG)
