import shutil
import subprocess

import pytest
import redis

from tests import processes

PASSWORD = "S3cure-pass-for-tests"


def rabbitmq_vhost(*command):
    subprocess.run(["rabbitmqctl", "-q", *command], capture_output=True, timeout=60, check=False)


def pytest_configure(config):
    from django.conf import settings

    # The run's own vhost keeps its tasks away from a development worker and from other runs' workers.
    if shutil.which("rabbitmqctl"):
        rabbitmq_vhost("add_vhost", settings.TEST_VHOST)
        rabbitmq_vhost("set_permissions", "-p", settings.TEST_VHOST, "guest", ".*", ".*", ".*")

    for url in (settings.REDIS_SESSIONS_URL, settings.REDIS_CACHE_URL, settings.REDIS_STREAMING_URL, settings.REDIS_AI_URL):
        redis.Redis.from_url(url).flushdb()


def pytest_unconfigure(config):
    from django.conf import settings

    shutil.rmtree(settings.RECORDINGS_ROOT, ignore_errors=True)

    if shutil.which("rabbitmqctl"):
        rabbitmq_vhost("delete_vhost", settings.TEST_VHOST)


@pytest.fixture
def make_user(db):
    from apps.accounts.roles import sync_role_permissions
    from apps.accounts.services import user_create

    # Transactional tests flush the groups that the migration made.
    sync_role_permissions()

    def make(username, role):
        return user_create(username=username, password=PASSWORD, role=role, validate=False)

    return make


@pytest.fixture
def alice(make_user):
    """An admin."""
    return make_user("alice", "admin")


@pytest.fixture
def olivia(make_user):
    """An operator."""
    return make_user("olivia", "operator")


@pytest.fixture
def victor(make_user):
    """A viewer."""
    return make_user("victor", "viewer")


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """The real ASGI app under uvicorn, on the test database."""
    server = processes.start_asgi_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    worker = processes.start_celery_worker(queues="default")
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def media_server():
    """The stand-in media server on free ports: `.api_url`, `.playback_url`, `.rtsp_url(name)`, `.hls_url(name)`,
    `.client()`."""
    from tests.streaming.conftest import StandInMediaServer

    server = StandInMediaServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mediamtx():
    """Real MediaMTX on free ports (skipped where there is none; under CI with MEDIAMTX_BIN it must run)."""
    from tests.streaming.conftest import MediaMTXServer, mediamtx_available

    if not mediamtx_available():
        pytest.skip("no MediaMTX binary here (MEDIAMTX_BIN)")
    server = MediaMTXServer()
    yield server
    server.stop()


@pytest.fixture(params=["standin", "mediamtx"])
def each_media_server(request):
    """The test runs against the stand-in and against real MediaMTX: the stand-in is held to the real thing."""
    return request.getfixturevalue("media_server" if request.param == "standin" else "mediamtx")
