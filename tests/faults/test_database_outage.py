"""PostgreSQL away: requests fail fast with 503, and recover without restarting any process."""

import time

import pytest
import requests

from tests import processes
from tests.faults.conftest import bearer, timed
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_fail_fast_with_503_and_recover_when_the_database_returns(alice, media_server, record_recovery):
    from django.conf import settings

    database = TcpProxy(int(settings.DATABASES["default"]["PORT"] or 5432))
    env = processes.test_env(MEDIAMTX_API_URL=media_server.api_url)
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(f":{settings.DATABASES['default']['PORT'] or 5432}/",
                                                      f":{database.port}/")
    web = processes.start_asgi_server(env=env, name="asgi-db-outage")
    try:
        url = f"{web.base_url}/api/cameras/"
        assert requests.get(url, headers=bearer(alice), timeout=10).status_code == 200

        database.cut()
        before = time.monotonic()
        response = requests.get(url, headers=bearer(alice), timeout=30)
        elapsed = time.monotonic() - before
        assert response.status_code == 503
        assert response.headers["Retry-After"] and "database" in response.json()["detail"]
        assert elapsed < 5, f"took {elapsed:.1f}s to fail"
        page = requests.get(f"{web.base_url}/login/", timeout=10)
        assert page.status_code in (200, 503) and "Traceback" not in page.text
        assert requests.get(f"{web.base_url}/health", timeout=10).status_code == 200
        ready = requests.get(f"{web.base_url}/health/ready", timeout=30)
        assert ready.status_code == 503 and ready.json()["checks"]["database"] != "ok"

        database.restore()
        recovered = timed(
            lambda: requests.get(url, headers=bearer(alice), timeout=10).status_code == 200, timeout=30,
            what="the API answering again",
        )
        web.check_alive()
        record_recovery("PostgreSQL unreachable", recovered, fail_fast_seconds=round(elapsed, 2))
    finally:
        web.stop()
        database.close()
