"""Settings of VMS, read from the environment.

Every default works on a development machine where PostgreSQL, Redis and
RabbitMQ listen on 127.0.0.1 with their stock credentials; compose sets the
variables to the service names. `deploy/env.example` documents each one.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


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
    "apps.accounts",
    "apps.audit",
    "apps.cameras",
    "apps.dashboard",
    "apps.streaming",
    "apps.mosaics",
    "apps.detections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

# --- data layer -------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vms"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(env("DATABASE_CONNECT_TIMEOUT", "3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: DB 0 sessions, DB 1 cache, DB 2 stream status, DB 3 AI.
REDIS_SESSIONS_URL = env("REDIS_SESSIONS_URL", "redis://127.0.0.1:6379/0")
REDIS_CACHE_URL = env("REDIS_CACHE_URL", "redis://127.0.0.1:6379/1")
REDIS_STREAMING_URL = env("REDIS_STREAMING_URL", "redis://127.0.0.1:6379/2")
REDIS_AI_URL = env("REDIS_AI_URL", "redis://127.0.0.1:6379/3")
CHANNEL_LAYER_URL = env("CHANNEL_LAYER_URL", REDIS_CACHE_URL)

_REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "OPTIONS": _REDIS_TIMEOUTS,
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_SESSIONS_URL,
        "OPTIONS": _REDIS_TIMEOUTS,
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(12 * 3600)))

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
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues and routing: one place, vms/celery.py.

# --- media server (MediaMTX API v3, or the stand-in) ------------------------

MEDIAMTX_API_URL = env("MEDIAMTX_API_URL", "http://127.0.0.1:9997")
MEDIAMTX_API_USER = env("MEDIAMTX_API_USER", "")
MEDIAMTX_API_PASSWORD = env("MEDIAMTX_API_PASSWORD", "")
MEDIAMTX_TIMEOUT = float(env("MEDIAMTX_TIMEOUT", "3"))
# Where browsers and workers reach the media server's outputs. Behind the
# compose entry point HLS is `/hls`; with `make run` the stand-in answers directly.
MEDIA_HLS_BASE_URL = env("MEDIA_HLS_BASE_URL", "http://127.0.0.1:8888")
MEDIA_WEBRTC_BASE_URL = env("MEDIA_WEBRTC_BASE_URL", "")
MEDIA_RTSP_BASE_URL = env("MEDIA_RTSP_BASE_URL", "rtsp://127.0.0.1:8554")
# How often each camera's picture is sampled to tell online, offline and frozen.
STREAM_PROBE_SECONDS = float(env("STREAM_PROBE_SECONDS", "15"))
# Fernet key (32 url-safe base64 bytes) for camera passwords; derived from SECRET_KEY if empty.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "")

# --- AI pipeline ----------------------------------------------------------------

# Readings of the same or a near-identical plate on one camera within this window are one event.
DETECTION_MERGE_SECONDS = float(env("DETECTION_MERGE_SECONDS", "10"))
# A frame older than this when a stage picks it up is dropped and counted, never processed late.
PIPELINE_FRAME_BUDGET_SECONDS = float(env("PIPELINE_FRAME_BUDGET_SECONDS", "3"))
# Frame readers with no grab for this long are closed.
FRAME_READER_IDLE_SECONDS = float(env("FRAME_READER_IDLE_SECONDS", "30"))
# The detect worker loads its models when a process starts (set by its command line).
PIPELINE_PRELOAD_MODELS = env_bool("PIPELINE_PRELOAD_MODELS", False)

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
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.IsViewer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "VMS REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(env("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(env("JWT_REFRESH_DAYS", "1"))),
    "SIGNING_KEY": env("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "http://localhost:5173")

# --- i18n, static, media -------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
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

# --- logging --------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
