"""A camera that records on a real media server, with this process (and its children) wired to that server."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.streaming.client import media_server as media_server_client
from apps.streaming.client import playback_server
from tests import processes
from tests.streaming.conftest import RtspTestCamera


@pytest.fixture(scope="package")
def media_server():
    """A stand-in of the recording tests' own. The session's, after the rest of a full run, stopped
    naming the segments it recorded (seen once in CI; every recording test after that failed on it,
    and the same tests pass on a fresh one): noted in the closing note, not yet understood."""
    from tests.streaming.conftest import StandInMediaServer

    server = StandInMediaServer(name="recordings-mediaserver")
    yield server
    server.stop()


def wire(settings, server):
    settings.MEDIAMTX_API_URL = server.api_url
    settings.MEDIAMTX_PLAYBACK_URL = server.playback_url
    media_server_client.cache_clear()
    playback_server.cache_clear()


@pytest.fixture(params=["standin", "mediamtx"])
def recording_server(request, settings):
    """Each recording test runs on the stand-in and on real MediaMTX: the stand-in is held to the real thing."""
    server = request.getfixturevalue("media_server" if request.param == "standin" else "mediamtx")
    wire(settings, server)
    yield server
    media_server_client.cache_clear()
    playback_server.cache_clear()


@pytest.fixture
def recording_camera(alice, recording_server, monkeypatch):
    """A test camera (x264, a key frame a second) recorded continuously from now."""
    from apps.cameras.services import camera_create
    from apps.streaming import services, tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    source = RtspTestCamera()
    camera = camera_create(actor=alice, name="Gate", rtsp_url=source.url, recording_mode="continuous")
    services.camera_provision(camera.pk)
    camera.started_recording = timezone.now()
    camera.source = source
    yield camera
    try:
        media_server_client().path_delete(camera.path_name)
    except Exception:
        pass
    source.stop()


def recorded_seconds(camera):
    spans = playback_server().spans(camera.path_name)
    return sum(seconds for _, seconds in spans), spans


def wait_until_recorded(camera, seconds, timeout):
    return processes.wait_for(
        lambda: recorded_seconds(camera)[0] >= seconds and recorded_seconds(camera)[1],
        timeout=timeout, interval=0.5, what=f"{seconds} s recorded",
    )


def probe_mp4(data, tmp_path):
    """ffprobe's codec and duration of an MP4 held in memory."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name:format=duration",
         "-of", "default=noprint_wrappers=1", str(path)],
        capture_output=True, text=True, timeout=20,
    )
    assert result.returncode == 0, result.stderr
    found = dict(line.split("=", 1) for line in result.stdout.split())
    return found["codec_name"], float(found["duration"])


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)
