"""Persist keeps what detect paid for: no deadline, retried with back-off, recorded when it gives up."""

import logging
import time

import pytest
from django.db import OperationalError

from apps.detections.models import Detection
from vms import pipeline_metrics
from workers import pipeline

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def camera(alice, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    return camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")


def found(camera, frame_id, age_seconds=0.0):
    return {
        "camera_id": camera.pk, "frame_id": frame_id, "frame_time": time.time() - age_seconds,
        "vehicles": [{"label": "car", "confidence": 0.9, "box": [0.1, 0.1, 0.5, 0.5]}],
        "plates": [{"text": "ABC1234", "format": "br", "confidence": 0.9, "box": [0.2, 0.4, 0.3, 0.45],
                    "vehicle": 0}],
    }


def test_a_late_persist_still_stores_the_detection(camera):
    late = found(camera, "late-frame", age_seconds=60)
    pipeline.persist.apply(args=[late])
    assert Detection.objects.get(camera=camera).plate_text == "ABC1234"
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["persisted"] == 1 and "expired" not in snapshot["dropped"]


def test_an_expired_frame_is_dropped_before_detection(camera, monkeypatch):
    queued = []
    monkeypatch.setattr(pipeline.persist, "apply_async", lambda *a, **k: queued.append(a))
    ref = {"camera_id": camera.pk, "frame_id": "old-frame", "frame_time": time.time() - 60}
    pipeline.detect.apply(args=[ref])
    assert pipeline_metrics.camera_snapshot(camera.pk)["dropped"] == {"expired": 1}
    assert queued == []


def test_a_persist_that_fails_once_is_retried_and_stores_the_detection(camera, monkeypatch):
    real = pipeline.persist_readings
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["frame_id"])
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(pipeline, "persist_readings", flaky)
    pipeline.persist.apply(args=[found(camera, "flaky-frame")])
    assert calls == ["flaky-frame", "flaky-frame"]
    assert Detection.objects.filter(camera=camera).count() == 1
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["persisted"] == 1 and snapshot["dropped"] == {}


def test_a_persist_that_keeps_failing_is_counted_and_logged_with_its_frame(camera, monkeypatch, caplog):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs["frame_id"])
        raise OperationalError("the database went away")

    monkeypatch.setattr(pipeline, "persist_readings", broken)
    pipeline_metrics.incr(camera.pk, "grabbed")
    with caplog.at_level(logging.ERROR, logger="workers.pipeline"):
        pipeline.persist.apply(args=[found(camera, "doomed-frame")])
    assert len(calls) == 1 + pipeline.PERSIST_MAX_RETRIES
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["dropped"] == {"persist_failed": 1}
    grabbed, accounted = pipeline_metrics.ledger(snapshot)
    assert grabbed == accounted == 1
    assert any("doomed-frame" in record.getMessage() for record in caplog.records)
    assert not Detection.objects.filter(camera=camera).exists()


def test_a_superseded_frame_is_counted_and_detect_takes_the_newest(camera, monkeypatch):
    sent = []
    monkeypatch.setattr(pipeline.detect, "apply_async", lambda args, **options: sent.append(args[0]))
    older, queued = pipeline.hand_to_detect(camera.pk, b"older jpeg", time.time() - 60)
    assert queued and sent == [older]
    newer, queued = pipeline.hand_to_detect(camera.pk, b"newer jpeg", time.time())
    # One message per camera waits: the newer frame takes the older one's place, which is counted.
    assert not queued and sent == [older]
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["superseded"] == 1 and snapshot["grabbed"] == 2
    # The queued message detects the newer frame (here: past the deadline once its time is moved back).
    taken = []
    monkeypatch.setattr(pipeline, "_too_late", lambda ref: taken.append(ref) or True)
    pipeline.detect.apply(args=[older])
    assert taken == [newer]
    # Taken: the next frame queues a message of its own again.
    _, queued = pipeline.hand_to_detect(camera.pk, b"next jpeg", time.time())
    assert queued and len(sent) == 2


def test_the_ledger_balances_with_superseded_frames(camera, monkeypatch):
    monkeypatch.setattr(pipeline.detect, "apply_async", lambda args, **options: None)
    first, _ = pipeline.hand_to_detect(camera.pk, b"jpeg", time.time() - 60)
    pipeline.hand_to_detect(camera.pk, b"jpeg", time.time() - 60)
    pipeline.detect.apply(args=[first])  # takes the second, which is past its deadline
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert (snapshot["superseded"], snapshot["dropped"]) == (1, {"expired": 1})
    assert pipeline_metrics.ledger(snapshot) == (2, 2)


def test_cameras_ticks_are_spread_over_the_second():
    period = 1.0
    tick = 1_000_000.0  # beat sends every camera's tick at this same instant
    slots = sorted((tick + pipeline.phase_delay(camera_id, period, tick)) % period for camera_id in range(1, 17))
    gaps = [b - a for a, b in zip(slots, slots[1:])] + [slots[0] + period - slots[-1]]
    assert max(gaps) < 3 * period / 16 and min(gaps) > period / 16 / 3
    for camera_id in range(1, 17):
        at = tick + pipeline.phase_delay(camera_id, period, tick)
        assert pipeline.phase_delay(camera_id, period, at) == 0.0  # at its slot, it grabs at once
