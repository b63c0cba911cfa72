"""The detection page plays the detection's clip in headless Chromium, streamed through the real ASGI server."""

from datetime import timedelta

import pytest

from apps.detections.models import Detection
from tests import processes
from tests.browser.conftest import browser, log_in  # noqa: F401  (the fixture)
from tests.recordings.conftest import wait_until_recorded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web(recording_server):
    server = processes.start_asgi_server(
        env=processes.test_env(MEDIAMTX_API_URL=recording_server.api_url,
                               MEDIAMTX_PLAYBACK_URL=recording_server.playback_url),
        name="clip-asgi",
    )
    yield server
    server.stop()


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def test_the_detection_page_plays_its_clip(victor, recording_camera, web, browser, settings):  # noqa: F811

    spans = wait_until_recorded(recording_camera, 4, timeout=20)
    seen = spans[0][0] + timedelta(seconds=3)
    detection = Detection.objects.create(
        camera=recording_camera, first_seen=seen, last_seen=seen, frame_time=seen, plate_text="ABC1D23"
    )
    wait_until_recorded(recording_camera, 3 + settings.CLIP_POST_SECONDS + 1, timeout=30)
    base = web.base_url
    log_in(browser, base, "victor")
    browser.get(f"{base}/detections/{detection.pk}/")
    source = js(browser, "return document.getElementById('detection-clip').getAttribute('src')")
    assert source == f"/recordings/detections/{detection.pk}/clip.mp4"
    processes.wait_for(
        lambda: js(browser, "return document.getElementById('detection-clip').currentTime") > 1.0,
        timeout=20, what="the clip playing (currentTime advancing)",
    )
    assert js(browser, "return document.getElementById('detection-clip').error") is None
