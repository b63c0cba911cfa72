"""The web process under ASGI takes its database connections from a psycopg pool."""

import pytest
import requests
from django.db import connection

from tests import processes

pytestmark = pytest.mark.django_db(transaction=True)


def pooled_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'vms-web'"
        )
        return cursor.fetchone()[0]


def test_the_web_process_keeps_a_small_pool_open_between_requests(asgi_server, settings):
    for _ in range(20):
        # 503 here when the media server of the session is not up: the database entry is what counts.
        checks = requests.get(f"{asgi_server.base_url}/health/ready", timeout=10).json()["checks"]
        assert checks["database"] == "ok", checks
    # Per-request connections (CONN_MAX_AGE 0) would all be closed by now; the pool keeps its minimum.
    processes.wait_for(lambda: pooled_connections() >= 2, timeout=10, what="the pool's idle connections")
    assert pooled_connections() <= 10
