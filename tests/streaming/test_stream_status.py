"""Stream state from what is already known (the media server's path state, the frames worker's last frame);
a picture probe only where that is not enough, and rarely where it would make the camera be pulled."""

import time

import pytest

from apps.cameras.models import Camera
from apps.streaming import services
from apps.streaming.client import media_server as media_server_client
from tests.processes import wait_for
from vms import pipeline_metrics

from .test_mediaserver_media import start_reader

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wired(settings, media_server):
    settings.MEDIAMTX_API_URL = media_server.api_url
    settings.MEDIA_RTSP_BASE_URL = f"rtsp://127.0.0.1:{media_server.rtsp_port}"
    settings.STREAM_PROBE_SECONDS = 1
    settings.STREAM_IDLE_PROBE_SECONDS = 3600
    media_server_client.cache_clear()
    yield settings
    media_server_client.cache_clear()


@pytest.fixture
def provisioned(alice, wired, make_camera, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    made = []

    def make(name, ai_enabled=False):
        source = make_camera()
        camera = camera_create(actor=alice, name=name, rtsp_url=source.url, ai_enabled=ai_enabled)
        services.camera_provision(camera.pk)
        made.append(camera)
        return camera

    yield make
    for camera in made:
        services.path_deprovision(camera.path_name)


def test_an_ai_camera_with_fresh_frames_is_online_without_a_probe(provisioned):
    camera = provisioned("Gate", ai_enabled=True)
    pipeline_metrics.mark(camera.pk, "last_frame_at", time.time())
    assert services.stream_status_poll() == []
    assert Camera.objects.get(pk=camera.pk).stream_state == "online"
    assert media_server_client().path_state(camera.path_name)["readers"] == []  # nothing pulled it


def test_a_camera_nobody_pulls_is_probed_once_per_idle_period(provisioned):
    camera = provisioned("Idle")
    assert services.stream_status_poll() == [camera.pk]
    time.sleep(1.2)  # past STREAM_PROBE_SECONDS, well within STREAM_IDLE_PROBE_SECONDS
    assert services.stream_status_poll() == []
    assert services.stream_status_poll() == []


def test_a_watched_camera_is_probed_every_probe_period_for_a_frozen_picture(provisioned, media_server):
    camera = provisioned("Watched")
    assert services.stream_status_poll() == [camera.pk]
    viewer = start_reader(media_server.rtsp_url(camera.path_name), seconds=20)
    try:
        wait_for(lambda: media_server_client().path_state(camera.path_name)["ready"], timeout=10, what="pulled")
        services.stream_status_poll()  # sees the bytes coming in from now on
        time.sleep(1.2)
        assert services.stream_status_poll() == [camera.pk]
        assert services.camera_probe(camera.pk) == "online"
    finally:
        viewer.kill()
        viewer.communicate()
