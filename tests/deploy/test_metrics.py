"""/metrics: Prometheus text with the HTTP metrics and the pipeline counters every worker keeps in Redis DB 3."""

import time
import uuid

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from apps.cameras.services import camera_create
from tests import processes
from vms import pipeline_metrics

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client=None, **extra):
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))))


@pytest.fixture
def persist_worker(django_db_setup, django_db_blocker):
    # DEBUG: a frame's task lines are logged at DEBUG (vms/logging.py), and this test reads them.
    worker = processes.start_celery_worker("persist", name="persist-metrics", loglevel="DEBUG",
                                           env=processes.test_env(LOG_LEVEL="DEBUG"))
    yield worker
    worker.stop()


@pytest.mark.slow
def test_pipeline_counters_move_after_a_real_worker_persists_a_frame(persist_worker, alice, monkeypatch):
    from apps.streaming import tasks
    from workers.pipeline import persist

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    camera = camera_create(actor=alice, name="Metrics gate", rtsp_url="rtsp://127.0.0.1:9/none")
    before = scrape()
    assert value(before, "vms_pipeline_frames_total", camera=camera.pk, stage="persisted") in (None, 0)

    frame_id = f"metrics-{uuid.uuid4().hex}"
    found = {
        "camera_id": camera.pk, "frame_id": frame_id, "frame_time": time.time(),
        "vehicles": [{"label": "car", "confidence": 0.9, "box": [0.1, 0.1, 0.5, 0.5]}], "plates": [],
    }
    result = persist.apply_async(args=[found], headers={"camera_id": camera.pk})
    processes.wait_for(
        lambda: pipeline_metrics.camera_snapshot(camera.pk)["persisted"] >= 1, timeout=60, what="the frame persisted"
    )

    after = scrape()
    assert value(after, "vms_pipeline_frames_total", camera=camera.pk, stage="persisted") == 1
    assert value(after, "vms_pipeline_latency_observations", camera=camera.pk, stage="persist") == 1
    p50 = value(after, "vms_pipeline_latency_seconds", camera=camera.pk, stage="frame_to_persisted", quantile="0.5")
    assert p50 is not None and 0 <= p50 < 60
    assert value(after, "vms_pipeline_metrics_up") == 1

    # The worker's log lines for that task carry its id and the camera (vms/logging.py, Celery signals).
    processes.wait_for(lambda: result.id in persist_worker.output(), timeout=10, what="the task in the worker log")
    tagged = [line for line in persist_worker.output().splitlines() if f"task={result.id}" in line]
    assert tagged and all(f"cam={camera.pk}" in line for line in tagged), persist_worker.output()[-2000:]


def test_http_requests_are_counted_by_route_and_status():
    client = Client()
    before = value(scrape(client), "vms_http_requests_total", method="GET", route="health", status=200) or 0
    client.get("/health")
    client.get("/health")
    client.get("/api/cameras/")  # 401/403: counted under the route pattern, not the raw path
    samples = scrape(client)
    assert value(samples, "vms_http_requests_total", method="GET", route="health", status=200) == before + 2
    assert any(name == "vms_http_requests_total" and dict(labels).get("route") == "api/cameras/"
               and dict(labels).get("status") in ("401", "403")
               for name, labels in samples)
    assert value(samples, "vms_http_request_duration_seconds_count", method="GET", route="health") >= 2
    client.get("/api/cameras/12345/")
    assert any(dict(labels).get("route") == "api/cameras/<pk>/" for _, labels in scrape(client))


def test_metrics_are_for_private_networks_or_a_token(settings):
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="172.18.0.5").get("/metrics").status_code == 200  # the compose network
    assert Client(REMOTE_ADDR="8.8.8.8").get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    outside = Client(REMOTE_ADDR="8.8.8.8")
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    settings.METRICS_ALLOW_PRIVATE = False
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_a_scrape_answers_when_the_pipeline_store_does_not(settings, monkeypatch):
    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(pipeline_metrics, "cameras", down)
    samples = scrape()
    assert value(samples, "vms_pipeline_metrics_up") == 0
