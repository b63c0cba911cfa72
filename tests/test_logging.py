"""Logs: the AI chain's per-frame task lines are DEBUG, so an INFO log is not flooded by them."""

import time

import pytest

from tests import processes
from vms import pipeline_metrics
from workers.pipeline import persist
from workers.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_frames_tasks_log_at_debug_while_other_tasks_log_at_info():
    worker = processes.start_celery_worker(queues="persist,default", name="logging-worker")
    try:
        no_camera = 987654
        found = {"camera_id": no_camera, "frame_id": "log-frame", "frame_time": time.time(), "vehicles": [],
                 "plates": []}
        persist.apply_async(args=[found], headers={"camera_id": no_camera})
        assert ping.delay("hello").get(timeout=30) == {"pong": "hello"}
        processes.wait_for(lambda: pipeline_metrics.camera_snapshot(no_camera)["persisted"] == 1, timeout=30,
                           what="the frame persisted")
        output = worker.output()
        assert "system.ping[" in output and "received" in output
        assert "pipeline.persist[" not in output
    finally:
        worker.stop()
