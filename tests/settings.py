"""Settings for the test suite: the same real services, kept apart from a running `make run`.

Redis DBs 10–13 instead of 0–3, a RabbitMQ virtual host and a database of the
run's own, so tests never consume or clobber the work of a development instance
(or of another test run) on this machine. The run id travels to the processes
the tests start through the environment.
"""

import os

from vms.settings import *  # noqa: F403

TEST_RUN_ID = os.environ.setdefault("VMS_TEST_RUN_ID", str(os.getpid()))
TEST_VHOST = f"vms_test_{TEST_RUN_ID}"

REDIS_SESSIONS_URL = os.environ.get("TEST_REDIS_SESSIONS_URL", "redis://127.0.0.1:6379/10")
REDIS_CACHE_URL = os.environ.get("TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/11")
REDIS_STREAMING_URL = os.environ.get("TEST_REDIS_STREAMING_URL", "redis://127.0.0.1:6379/12")
REDIS_AI_URL = os.environ.get("TEST_REDIS_AI_URL", "redis://127.0.0.1:6379/13")
CHANNEL_LAYER_URL = REDIS_CACHE_URL
CACHES["default"]["LOCATION"] = REDIS_CACHE_URL  # noqa: F405
CACHES["sessions"]["LOCATION"] = REDIS_SESSIONS_URL  # noqa: F405
CACHES["limits"]["LOCATION"] = REDIS_CACHE_URL  # noqa: F405
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = CHANNEL_LAYER_URL  # noqa: F405

CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", f"amqp://guest:guest@127.0.0.1:5672/{TEST_VHOST}")

# The suite calls the APIs far faster than a person; tests/deploy sets the limit it tests.
API_RATE_LIMIT = os.environ.get("TEST_API_RATE_LIMIT", "100000/min")

MEDIAMTX_API_URL = os.environ.get("MEDIAMTX_API_URL", "http://127.0.0.1:19997")
MEDIAMTX_PLAYBACK_URL = os.environ.get("MEDIAMTX_PLAYBACK_URL", "http://127.0.0.1:19996")
# Pages under test offer WebRTC only where a test starts MediaMTX and says so.
MEDIA_WEBRTC_BASE_URL = os.environ.get("MEDIA_WEBRTC_BASE_URL", "")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# The run's own recordings (camera ids restart with each test database: cam_1 of an earlier run is not ours).
RECORDINGS_ROOT = BASE_DIR / "var" / f"test-recordings-{TEST_RUN_ID}"  # noqa: F405

# One test database per run, so runs side by side (a developer's and a helper's) never drop each other's.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", f"test_vms_{TEST_RUN_ID}")}  # noqa: F405
