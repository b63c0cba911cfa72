"""Live video behind the access policy in a real browser, on real MediaMTX as compose runs it: the
media server asks the web app about every request (`authMethod: http`), the camera page's player
gets a watch token for its camera and login and plays over WebRTC; after a logout in another tab
the open WebRTC session is kicked out of the media server and the player, refused a new token,
stops. (A player that renews its token sooner stops by itself: tests/streaming/test_media_auth.py
shows the refusal.)"""

import pytest

from tests import processes
from tests.browser.conftest import API_PASSWORD, API_USER, CAMERA_NAMES, SCREENSHOTS, log_in, media_auth_url, stack_env
from tests.browser.test_live_view import playback, wait_until_all_play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

# Long enough that the player does not renew its token during the test: the session must be ended
# by the media server, as it would be for a player that never asks again.
TOKEN_SECONDS = 120


@pytest.fixture
def protected_stack(django_db_setup, settings, monkeypatch):
    """Real MediaMTX asking this test's own web app; this process drives MediaMTX's API as the app does."""
    from tests.streaming.conftest import MediaMTXServer, mediamtx_available

    if not mediamtx_available():
        pytest.skip("needs real MediaMTX (MEDIAMTX_BIN)")
    from apps.streaming import tasks
    from apps.streaming.client import media_server

    port = processes.free_port()
    mediamtx = MediaMTXServer(name="browser-protected-mediamtx", auth_url=media_auth_url(port))
    env = stack_env(mediamtx, MEDIA_WEBRTC_BASE_URL=mediamtx.webrtc_url, MEDIA_TOKEN_SECONDS=TOKEN_SECONDS)
    web = processes.start_asgi_server(env=env, name="browser-protected-asgi", port=port)
    settings.MEDIAMTX_API_URL = mediamtx.api_url
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = API_USER, API_PASSWORD
    media_server.cache_clear()
    # Provisioned here, not by a worker: the package's other stack has one on the same broker.
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    yield web, mediamtx
    web.stop()
    mediamtx.stop()
    media_server.cache_clear()


def test_a_viewer_watches_over_webrtc_and_a_logout_elsewhere_stops_the_player(
    protected_stack, alice, victor, fake_cameras, browser
):
    from selenium.webdriver.common.by import By

    from apps.cameras.services import camera_create
    from apps.streaming import services
    from apps.streaming.client import media_server
    from apps.streaming.media_auth import media_sessions_sweep

    web, mediamtx = protected_stack
    camera = camera_create(actor=alice, name="Gate", rtsp_url=fake_cameras.url(CAMERA_NAMES[0]))
    services.camera_provision(camera.pk)

    log_in(browser, web.base_url, "victor")
    browser.get(f"{web.base_url}/cameras/{camera.pk}/")
    videos = wait_until_all_play(browser, 1)
    assert videos[0]["transport"] == "webrtc", videos
    assert len(media_server().sessions("webrtcsessions")) == 1
    browser.save_screenshot(str(SCREENSHOTS / "protected-01-watching.png"))

    # Log out in another tab of the same browser (the same login).
    watching = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(f"{web.base_url}/")
    browser.find_element(By.CSS_SELECTOR, "form[action='/logout/'] button").click()
    processes.wait_for(lambda: "/login/" in browser.current_url, timeout=15, what="the login page after logging out")
    browser.switch_to.window(watching)

    # The beat sweep (run here) kicks out the media session the login's token opened...
    assert media_sessions_sweep() == 1
    processes.wait_for(lambda: not media_server().sessions("webrtcsessions"), timeout=10, what="the session gone")
    # ...and the player, cut off and refused a new token, stops.
    processes.wait_for(lambda: playback(browser)[0]["state"] == "stopped", timeout=45,
                       what=f"the player to stop: {playback(browser)}")
    status = browser.find_element(By.CSS_SELECTOR, "[data-player-status]").text
    assert "signed out" in status, status
    browser.save_screenshot(str(SCREENSHOTS / "protected-02-stopped.png"))
    assert not media_server().sessions("webrtcsessions") and not media_server().sessions("hlssessions")
