"""An AI worker killed in the middle of detect: the frame is redelivered, persisted once, never twice."""

import os
import signal
import time
import uuid
from pathlib import Path

import cv2
import pytest

from apps.detections.models import Detection
from tests import processes
from vms import pipeline_metrics

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.ai]


def demo_frame_with_a_plate():
    from apps.devtools.simcam.demo_video import demo_video_path, read_plates

    video = demo_video_path()
    first = read_plates(video)["plates"][0]
    stopped_at = sum(first["stopped"]) / 2
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_MSEC, stopped_at * 1000)
    ok, frame = capture.read()
    capture.release()
    assert ok
    return frame, first


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def test_a_frame_whose_worker_died_is_redelivered_and_persisted_once(alice, monkeypatch, record_recovery):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks
    from workers.pipeline import detect, frame_key, persist

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://127.0.0.1:9/none", plate_camera=True)
    frame, shown = demo_frame_with_a_plate()
    plate = shown["text"]
    frame_id = uuid.uuid4().hex
    pipeline_metrics.store().set(frame_key(frame_id), cv2.imencode(".jpg", frame)[1].tobytes(), ex=600)
    ref = {"camera_id": camera.pk, "frame_id": frame_id, "frame_time": time.time()}
    pipeline_metrics.store().delete(f"motion:{camera.pk}")  # ids restart with each test database

    # No preloading: the first detect spends seconds loading models, time enough to kill it mid-task.
    env = processes.test_env(PIPELINE_FRAME_BUDGET_SECONDS=300)
    io = processes.start_celery_worker("persist", env=env, name="persist-kill", pool="threads", concurrency=2)
    # DEBUG: "received" is a per-frame line, logged at DEBUG (vms/logging.py).
    ai = processes.start_celery_worker("detect", env=dict(env, LOG_LEVEL="DEBUG"), name="detect-kill",
                                       pool="prefork", concurrency=1, loglevel="DEBUG")
    try:
        detect.apply_async(args=[ref], headers={"camera_id": camera.pk})
        processes.wait_for(lambda: "pipeline.detect" in ai.output() and "received" in ai.output(), 30,
                           what="detect received")
        time.sleep(1.0)
        [child] = children(ai.popen.pid)
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        processes.wait_for(lambda: Detection.objects.filter(camera=camera).exists(), timeout=180,
                           what="the redelivered frame persisted")
        recovered = time.monotonic() - killed_at
        assert "SIGKILL" in ai.output() or "signal 9" in ai.output()
        detection = Detection.objects.get(camera=camera)
        assert detection.plate_text == plate and detection.readings == 1

        # The same result delivered again (as after a lost ack) changes nothing.
        found = ref | {"vehicles": [], "plates": [{"text": plate, "format": shown["format"], "confidence": 0.9,
                                                   "box": detection.plate_box, "vehicle": None}]}
        persist.apply_async(args=[found], headers={"camera_id": camera.pk})
        time.sleep(3)
        detection.refresh_from_db()
        assert Detection.objects.filter(camera=camera).count() == 1 and detection.readings == 1
        record_recovery("AI worker killed mid-detect", recovered, note="kill to the redelivered frame persisted, "
                        "including a model load in the new worker process")
    finally:
        ai.stop()
        io.stop()
