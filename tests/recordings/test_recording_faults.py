"""Faults while recording: the media server killed and started again; a camera dropping and coming back.

Recording resumes by itself (reconcile puts the path back), the hole shows as a gap on the
timeline and as `recording.gap` / `recording.resumed` on `vms.events`, and nothing already
recorded is lost.
"""

import json
import time

import pytest
from django.conf import settings as django_settings
from kombu import Connection, Exchange, Queue

from apps.recordings.selectors import camera_timeline
from apps.recordings.watch import recordings_watch
from apps.streaming import services
from tests import processes
from tests.recordings.conftest import ago, recorded_seconds, wait_until_recorded, wire
from tests.streaming.conftest import MediaMTXServer, RtspTestCamera, StandInMediaServer, mediamtx_available

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(params=["standin", "mediamtx"])
def own_server(request, settings):
    """A media server of this test's own, since it gets killed: the stand-in, and real MediaMTX."""
    if request.param == "standin":
        server = StandInMediaServer(name="mediaserver-killed")
    elif not mediamtx_available():
        pytest.skip("no MediaMTX binary here (MEDIAMTX_BIN)")
    else:
        server = MediaMTXServer(name="mediamtx-killed")
    wire(settings, server)
    yield server
    server.stop()


@pytest.fixture
def recording_events():
    """A queue bound to `vms.events` for `recording.*`, as another system would bind one."""
    with Connection(django_settings.CELERY_BROKER_URL) as conn:
        queue = Queue("test-recording-events", Exchange("vms.events", type="topic", durable=True),
                      routing_key="recording.*", auto_delete=True)
        with conn.SimpleQueue(queue) as received:
            def bodies(count, timeout=10):
                got = []
                for _ in range(count):
                    message = received.get(timeout=timeout)
                    got.append(json.loads(message.body) if isinstance(message.body, (str, bytes)) else message.body)
                    message.ack()
                return got

            yield bodies


def test_media_server_killed_mid_recording_resumes_within_15_s_of_its_return_and_reports_the_gap(
    alice, own_server, recording_events, monkeypatch
):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    source = RtspTestCamera()
    try:
        camera = camera_create(actor=alice, name="Gate", rtsp_url=source.url, recording_mode="continuous")
        services.camera_provision(camera.pk)
        wait_until_recorded(camera, 4, timeout=20)
        assert recordings_watch() == []  # recording: nothing to say
        before, _ = recorded_seconds(camera)

        own_server.restart(down_seconds=4)
        returned = time.monotonic()
        services.paths_reconcile()  # beat's reconcile, run now: the restarted server has no paths
        spans = processes.wait_for(lambda: len(recorded_seconds(camera)[1]) >= 2 and recorded_seconds(camera)[1],
                                   timeout=15, interval=0.5, what="a new span after the restart")
        assert time.monotonic() - returned <= 15
        # What was recorded before the kill is still there (the last second or so may be cut with the process).
        assert spans[0][1] >= before - 1.5

        published = recordings_watch()
        assert [body["type"] for body in published] == ["recording.gap", "recording.resumed"]
        gap, resumed = recording_events(2)
        assert gap["type"] == "recording.gap" and gap["camera_id"] == camera.pk and gap["camera_name"] == "Gate"
        assert resumed["type"] == "recording.resumed" and resumed["gap_seconds"] >= 3
        timeline = camera_timeline(camera=camera, start=ago(600), end=ago(0))
        inner = [g for g in timeline["gaps"] if g[0] > timeline["spans"][0][0]]
        assert len(timeline["spans"]) == 2 and len(inner) == 1
        assert inner[0][1] == spans[1][0]
    finally:
        source.stop()


def test_a_camera_dropping_is_a_gap_and_its_return_resumes_recording(alice, recording_server, settings,
                                                                    recording_events, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    settings.RECORDING_GAP_SECONDS = 3
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    source = RtspTestCamera()
    try:
        camera = camera_create(actor=alice, name="Lane", rtsp_url=source.url, recording_mode="continuous")
        services.camera_provision(camera.pk)
        wait_until_recorded(camera, 3, timeout=20)
        recordings_watch()
        source.stop()
        gap = processes.wait_for(lambda: recordings_watch(), timeout=20, interval=1, what="recording.gap")
        assert [body["type"] for body in gap] == ["recording.gap"]
        source.start()  # same port: the media server retries the pull by itself
        resumed = processes.wait_for(lambda: recordings_watch(), timeout=30, interval=1, what="recording.resumed")
        assert [body["type"] for body in resumed] == ["recording.resumed"]
        assert [body["type"] for body in recording_events(2)] == ["recording.gap", "recording.resumed"]
        assert len(recorded_seconds(camera)[1]) == 2
    finally:
        source.stop()
        services.path_deprovision(camera.path_name)
