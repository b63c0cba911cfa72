"""A camera on a closed port, in a real browser: the camera page shows "Offline" and why (the source's
error, in words) within 15 s, never a green "Ready" beside it, and "Test connection" names the failure;
the camera list says the same, and a camera offline past CAMERA_OFFLINE_ALERT_SECONDS raises a toast.

Everything is real but beat: this test calls `streaming.monitor_status` every 5 s, as beat does, and a real
`probe` worker runs the probes it queues, against the stack's stand-in media server.
"""

import threading
import time

import pytest
from django.db import connection

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.streaming import tasks
from apps.streaming.client import media_server as media_server_client
from tests import processes
from tests.browser.conftest import API_PASSWORD, API_USER, SCREENSHOTS, log_in, stack_env
from tests.processes import free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def text_of(driver, selector):
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e && e.textContent;", selector)


@pytest.fixture
def beat(settings, media_server):
    """`streaming.monitor_status` every 5 s in this process, its probes done by a real `probe` worker."""
    settings.MEDIAMTX_API_URL = media_server.api_url
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = API_USER, API_PASSWORD
    settings.CAMERA_OFFLINE_ALERT_SECONDS = 8
    media_server_client.cache_clear()
    worker = processes.start_celery_worker(queues="probe", env=stack_env(media_server), name="browser-probe")
    stop = threading.Event()

    def run():
        try:
            while not stop.is_set():
                tasks.monitor_status.apply()
                stop.wait(5)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(10)
    worker.stop()
    media_server_client.cache_clear()


def test_a_camera_on_a_closed_port_shows_why_and_test_connection_names_it(alice, live_stack, browser, beat):
    from selenium.webdriver.common.by import By

    base, driver = live_stack.base_url, browser
    log_in(driver, base, "alice")
    camera = camera_create(actor=alice, name="Back door", rtsp_url=f"rtsp://127.0.0.1:{free_port()}/live")

    driver.get(f"{base}/cameras/{camera.pk}/")
    opened = time.monotonic()
    wait_for(lambda: driver.execute_script("return document.documentElement.dataset.live") == "open",
             timeout=15, what="the live WebSocket")
    # Accepted by the media server (provisioned), and then the source's own error, pushed to the open page.
    wait_for(lambda: text_of(driver, "[data-field=state]") == "Offline", timeout=15, interval=0.2, what="Offline")
    wait_for(lambda: "connection refused" in (text_of(driver, "[data-field=state_reason_text]") or ""),
             timeout=max(0.5, 15 - (time.monotonic() - opened)), interval=0.2, what="the reason")
    assert time.monotonic() - opened < 15
    assert Camera.objects.get(pk=camera.pk).provision_state == "ready"
    reason = text_of(driver, "[data-field=state_reason_text]")
    assert reason.startswith("source failed: connection refused"), reason
    assert driver.find_element(By.CSS_SELECTOR, "[data-field=state_reason]").is_displayed()
    assert "Ready" not in text_of(driver, ".badges") and not driver.find_elements(By.CSS_SELECTOR, ".badge.ready")
    # The player, retrying, says the same instead of "no video yet" for ever.
    wait_for(lambda: "connection refused" in (text_of(driver, "[data-player-status]") or ""),
             timeout=30, interval=0.5, what="the player's reason")
    shot(driver, "camera-health-01-offline-with-reason")

    driver.find_element(By.CSS_SELECTOR, "[data-action=test-connection]").click()
    wait_for(lambda: (text_of(driver, "[data-connection-result]") or "").startswith("connection refused"),
             timeout=15, interval=0.2, what="the test's answer")
    assert driver.find_element(By.CSS_SELECTOR, "[data-connection-result]").get_attribute("data-kind") == "refused"
    shot(driver, "camera-health-02-test-connection-refused")

    # Offline past CAMERA_OFFLINE_ALERT_SECONDS (8 s here): a toast on the open page.
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".toast.camera-health[data-kind='camera.offline']"),
             timeout=30, interval=0.5, what="the camera-health toast")
    toast = driver.find_element(By.CSS_SELECTOR, ".toast.camera-health").text
    assert "Back door is offline" in toast and "connection refused" in toast
    shot(driver, "camera-health-03-offline-toast")

    driver.get(f"{base}/cameras/")
    row = f'tr[data-camera-id="{camera.pk}"]'
    assert text_of(driver, f"{row} [data-field=state]") == "Offline"
    assert "connection refused" in text_of(driver, f"{row} [data-field=state_reason_text]")
    shot(driver, "camera-health-04-list")
