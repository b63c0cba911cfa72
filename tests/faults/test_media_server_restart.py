"""The media server killed and restarted empty: reconcile restores every path; live view and AI resume."""

import sys
import time

import pytest
import requests

from apps.cameras.media import stream_urls
from apps.cameras.models import Camera
from apps.streaming import services
from apps.streaming.client import media_server as media_server_client
from tests import processes
from tests.faults.conftest import timed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_media_server(ports, name):
    proc = processes.Process(
        name,
        [sys.executable, "manage.py", "mediaserver", "--server", "standin", "--api-port", str(ports["api"]), "--rtsp-port",
         str(ports["rtsp"]), "--hls-port", str(ports["hls"]), "--playback-port", str(ports["playback"])],
        env=processes.test_env(),
    )
    processes.wait_for(lambda: proc.check_alive() and processes.port_open(ports["api"]), timeout=20,
                       what="media server")
    return proc


def playlist_ok(url):
    try:
        response = requests.get(url, timeout=10)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.text.startswith("#EXTM3U")


def test_reconcile_restores_paths_and_live_view_and_ai_resume(alice, demo_camera, settings, monkeypatch,
                                                             record_recovery):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks
    from workers.frames import FrameReader

    ports = {kind: processes.free_port() for kind in ("api", "rtsp", "hls", "playback")}
    server = start_media_server(ports, "mediaserver-before")
    settings.MEDIAMTX_API_URL = f"http://127.0.0.1:{ports['api']}"
    settings.MEDIA_RTSP_BASE_URL = f"rtsp://127.0.0.1:{ports['rtsp']}"
    settings.MEDIA_HLS_BASE_URL = f"http://127.0.0.1:{ports['hls']}"
    settings.STREAM_STATE_HOLD_SECONDS = 0
    media_server_client.cache_clear()
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    reader = None
    try:
        cameras = [camera_create(actor=alice, name=f"Cam {i}", rtsp_url=demo_camera.url) for i in range(2)]
        for camera in cameras:
            services.camera_provision(camera.pk)
            assert services.camera_probe(camera.pk) == "online"
        hls = stream_urls(cameras[0])["hls"]
        assert timed(lambda: playlist_ok(hls), 20, "HLS before") >= 0
        reader = FrameReader(stream_urls(cameras[1])["rtsp"])
        assert reader.latest(wait=10)[0] is not None

        server.kill()
        server = start_media_server(ports, "mediaserver-after")
        restarted_at = time.monotonic()
        assert media_server_client().path_configs() == []

        summary = services.paths_reconcile()
        assert sorted(summary["added"]) == sorted(c.path_name for c in cameras)
        timed(lambda: playlist_ok(hls), 30, "HLS after the restart")
        _, killed_at = reader.latest()
        timed(lambda: reader.latest()[1] > killed_at + 1, 30, "the AI frame reader reading again")
        for camera in cameras:
            assert services.camera_probe(camera.pk) == "online"
        recovered = time.monotonic() - restarted_at
        states = set(Camera.objects.values_list("provision_state", "stream_state"))
        assert states == {("ready", "online")}
        record_recovery("media server restarted empty", recovered,
                        note="from the restart to HLS, AI frames and probes all back, reconcile run at once "
                             "(beat runs it every 30 s)")
    finally:
        if reader is not None:
            reader.close()
        server.stop()
        media_server_client.cache_clear()
