import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.detections.services import detection_record
from vms import pipeline_metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(alice, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    return camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", ai_enabled=True)


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_pipeline_status_shows_counters_and_latencies(camera, victor):
    pipeline_metrics.reset()
    pipeline_metrics.incr(camera.pk, "grabbed", 3)
    pipeline_metrics.dropped(camera.pk, "expired")
    for ms in (100, 200, 300):
        pipeline_metrics.observe(camera.pk, "frame_to_persisted", ms)
    body = api_as(victor).get(f"/api/ai/pipeline/{camera.pk}").json()
    assert body["grabbed"] == 3 and body["dropped"] == {"expired": 1}
    assert body["latency_ms"]["frame_to_persisted"] == {"p50": 200.0, "p95": 300.0, "count": 3}
    assert [c["camera_id"] for c in api_as(victor).get("/api/ai/pipeline").json()] == [camera.pk]


def test_recent_results_and_model_info(camera, victor):
    detection_record(
        camera_id=camera.pk, frame_id="f1", frame_time=timezone.now(),
        vehicles=[{"label": "car", "confidence": 0.8, "box": [0.1, 0.1, 0.5, 0.5]}],
        plates=[{"text": "BRA2E19", "format": "mercosul", "confidence": 0.9, "box": [0.2, 0.4, 0.3, 0.45], "vehicle": 0}],
    )
    recent = api_as(victor).get("/api/ai/recent?limit=5").json()
    assert [(d["plate_text"], d["vehicle_class"]) for d in recent] == [("BRA2E19", "car")]
    models = api_as(victor).get("/api/ai/models").json()
    # The packaged file, or its int8 copy where `vision_quantize` has written one.
    assert models["vehicle_model"].rsplit("/", 1)[-1] in ("yolov8n.onnx", "yolov8n.int8.onnx")
    assert models["ocr_engine"] == "rapidocr" and models["ocr_model"] == "ppocrv6-small"


def test_the_ai_api_needs_a_login(client):
    assert client.get("/api/ai/pipeline").status_code == 401
