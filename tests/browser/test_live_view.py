"""Watching cameras live in a real browser: log in, add a camera, see it play, then a mosaic of four playing."""

import time

import pytest

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.streaming.services import camera_set_stream_state
from tests.browser.conftest import CAMERA_NAMES, SCREENSHOTS
from tests.conftest import PASSWORD
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(420)]

PLAYBACK = """
return Array.from(document.querySelectorAll('video')).map(v => ({
  time: v.currentTime, ready: v.readyState, paused: v.paused, width: v.videoWidth,
  transport: v.dataset.transport || '', state: v.dataset.state || ''}));
"""


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def playback(driver):
    return driver.execute_script(PLAYBACK)


def wait_until_all_play(driver, count, timeout=90, advance=1.0):
    """Every <video> on the page shows a picture and its currentTime moves on by `advance` seconds."""
    def started():
        videos = playback(driver)
        return len(videos) == count and all(v["time"] > 0 and v["width"] > 0 for v in videos) and videos

    try:
        first = wait_for(started, timeout=timeout, interval=0.5, what=f"{count} videos to start")
    except TimeoutError:
        raise AssertionError(f"videos did not start: {playback(driver)}") from None
    time.sleep(advance + 1.0)
    later = playback(driver)
    moved = [b["time"] - a["time"] for a, b in zip(first, later)]
    assert all(delta >= advance for delta in moved), f"playback did not advance: {moved} {later}"
    return later


def text_of(driver, selector):
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e && e.textContent;", selector)


def test_an_admin_adds_a_camera_watches_it_live_then_a_mosaic_of_four(alice, live_stack, fake_cameras, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base = live_stack.base_url
    driver = browser

    # Log in through the login page.
    driver.get(f"{base}/login/")
    driver.find_element(By.NAME, "username").send_keys("alice")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    shot(driver, "01-login")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: driver.current_url == f"{base}/", timeout=15, what="the dashboard")

    # Add a camera through the form.
    driver.get(f"{base}/cameras/add/")
    driver.find_element(By.NAME, "name").send_keys("Gate <b>1</b>")
    driver.find_element(By.NAME, "rtsp_url").send_keys(fake_cameras.url(CAMERA_NAMES[0]))
    driver.find_element(By.NAME, "location").send_keys("North entrance")
    shot(driver, "02-add-camera-form")
    driver.find_element(By.CSS_SELECTOR, "#camera-form button[type=submit]").click()
    camera = wait_for(lambda: Camera.objects.filter(name="Gate <b>1</b>").first(), timeout=15, what="the camera")
    wait_for(lambda: driver.current_url == f"{base}/cameras/{camera.pk}/", timeout=15, what="the camera page")
    assert text_of(driver, "h1[data-field=name]") == "Gate <b>1</b>"  # shown as text, not markup

    # The page plays the live video (provisioned by the worker, HLS from the media server).
    videos = wait_until_all_play(driver, 1)
    assert videos[0]["transport"] == "hls"
    # Provisioned, the stream not judged yet: "Ready" only together with the stream's state.
    wait_for(lambda: text_of(driver, "[data-field=state]") == "Ready, checking video…", timeout=30, what="provisioned badge")
    # A status change pushed over the WebSocket updates the badge without a reload.
    wait_for(lambda: driver.execute_script("return document.documentElement.dataset.live") == "open",
             timeout=15, what="the live WebSocket")
    camera_set_stream_state(camera_id=camera.pk, state="online")
    wait_for(lambda: text_of(driver, "[data-field=state]") == "Online", timeout=10, what="live badge")
    shot(driver, "03-camera-live")

    # Draw a zone on a frozen frame: four clicks on the picture, close, name, save.
    driver.find_element(By.CSS_SELECTOR, "[data-action=snapshot]").click()
    assert driver.execute_script("return document.getElementById('live-video').paused") is True
    canvas = driver.find_element(By.ID, "zone-canvas")
    width, height = canvas.size["width"], canvas.size["height"]
    clicks = ActionChains(driver)
    for fx, fy in ((0.2, 0.5), (0.8, 0.5), (0.8, 0.9), (0.2, 0.9)):
        # Offsets are from the canvas's centre.
        clicks.move_to_element_with_offset(canvas, int((fx - 0.5) * width), int((fy - 0.5) * height)).click()
    clicks.perform()
    driver.find_element(By.CSS_SELECTOR, "[data-action=finish]").click()
    name = driver.find_element(By.CSS_SELECTOR, "#zone-drafts input")
    name.clear()
    name.send_keys("Lane <i>in</i>")
    shot(driver, "04-zone-drawn")
    driver.find_element(By.CSS_SELECTOR, "#zones-form button[type=submit]").click()
    zone = wait_for(lambda: camera.zones.first(), timeout=15, what="the saved zone")
    assert zone.name == "Lane <i>in</i>" and len(zone.points) == 4
    for (x, y), (fx, fy) in zip(zone.points, ((0.2, 0.5), (0.8, 0.5), (0.8, 0.9), (0.2, 0.9))):
        assert abs(x - fx) < 0.02 and abs(y - fy) < 0.02, zone.points
    wait_for(lambda: text_of(driver, "#zone-list .zone-name") == "Lane <i>in</i>", timeout=15, what="the zone list")

    # Three more cameras, then a mosaic of all four through the form.
    for name in CAMERA_NAMES[1:]:
        camera_create(actor=alice, name=name.title(), rtsp_url=fake_cameras.url(name))
    driver.get(f"{base}/mosaics/add/")
    driver.find_element(By.NAME, "name").send_keys("All four")
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=cameras]"):
        box.click()
    shot(driver, "05-mosaic-form")
    driver.find_element(By.CSS_SELECTOR, "#mosaic-form button[type=submit]").click()
    wait_for(lambda: "/mosaics/" in driver.current_url and driver.current_url.rstrip("/").split("/")[-1].isdigit(),
             timeout=15, what="the mosaic page")
    assert driver.find_element(By.ID, "mosaic-grid").get_attribute("class") == "mosaic-grid count-4"
    wait_until_all_play(driver, 4, timeout=120)
    shot(driver, "06-mosaic-live")
