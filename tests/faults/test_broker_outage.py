"""RabbitMQ unreachable for 30 s: the web answers, readiness names the broker, nothing is lost."""

import time

import pytest
import requests

from apps.cameras.models import Camera
from tests import processes
from tests.faults.conftest import bearer, timed
from tests.faults.proxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

OUTAGE_SECONDS = 30


def test_a_camera_created_while_the_broker_is_down_is_provisioned_once_it_is_back(
    alice, media_server, demo_camera, record_recovery, settings
):
    broker = TcpProxy(5672)
    env = processes.test_env(
        TEST_CELERY_BROKER_URL=settings.CELERY_BROKER_URL.replace(":5672/", f":{broker.port}/"),
        MEDIAMTX_API_URL=media_server.api_url,
    )
    started = []
    try:
        web = processes.start_asgi_server(env=env, name="asgi-broker-outage")
        started.append(web)
        started.append(processes.start_celery_worker("provision", env=env, name="provision-outage"))
        beat = processes.Process(
            "beat-outage",
            [str(processes.VENV_BIN / "celery"), "-A", "vms", "beat", "--loglevel", "INFO", "--max-interval", "1"],
            env=env,
        )
        started.append(beat)

        broker.cut()
        cut_at = time.monotonic()
        before = time.monotonic()
        created = requests.post(
            f"{web.base_url}/api/cameras/", json={"name": "Made in the dark", "rtsp_url": demo_camera.url},
            headers=bearer(alice), timeout=30,
        )
        create_seconds = time.monotonic() - before
        assert created.status_code == 201, created.text
        assert create_seconds < 10, f"creating a camera blocked {create_seconds:.1f}s on the dead broker"
        camera = Camera.objects.get(pk=created.json()["id"])
        assert camera.provision_state == "pending"

        ready = requests.get(f"{web.base_url}/health/ready", timeout=30)
        assert ready.status_code == 503 and ready.json()["checks"]["broker"] != "ok"
        assert ready.json()["checks"]["database"] == "ok"
        assert requests.get(f"{web.base_url}/api/cameras/", headers=bearer(alice), timeout=10).status_code == 200

        time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
        broker.restore()
        recovered = timed(
            lambda: Camera.objects.get(pk=camera.pk).provision_state == "ready", timeout=120,
            what="the camera provisioned after the broker came back",
        )
        assert camera.path_name in {p["name"] for p in media_server.client().path_configs()}
        assert requests.get(f"{web.base_url}/health/ready", timeout=30).status_code == 200
        record_recovery("broker unreachable 30 s", recovered, create_request_seconds=round(create_seconds, 2))
        media_server.client().path_delete(camera.path_name)
    finally:
        for proc in reversed(started):
            proc.stop()
        broker.close()
