"""Live detections and watch-list alerts in a real browser: the dashboard stays open, a detection of a watched
plate arrives, it shows in the live feed and an alert toast appears (with a link to its clip), without a
reload; the operator acknowledges it from the toast.

The detection is written by calling `persist_readings(...)` from this test process, as the `persist` task
does: the real pipeline (frames, models) is tested elsewhere and is slow on this machine. Everything after
it is real: the commit hook, alert matching, the Channels push through Redis, the ASGI server's WebSocket and
the page's scripts.
"""

import pytest

from apps.cameras.models import Camera
from apps.watchlists.models import Alert
from apps.watchlists.services import watchlist_create
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import PASSWORD
from tests.processes import wait_for
from tests.watchlists.conftest import see

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def test_a_watched_plate_appears_in_the_live_feed_and_raises_a_toast_without_reload(olivia, asgi_server, browser):
    from selenium.webdriver.common.by import By

    base = asgi_server.base_url
    driver = browser
    camera = Camera.objects.create(name="Gate <b>1</b>", rtsp_url="rtsp://192.0.2.10/live", recording_mode="continuous")
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": "reported"}])

    driver.get(f"{base}/login/")
    driver.find_element(By.NAME, "username").send_keys("olivia")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: driver.current_url == f"{base}/", timeout=15, what="the dashboard")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    js(driver, "window.stillTheSamePage = true;")
    shot(driver, "alerts-01-dashboard")

    detection = see(camera, "A8C1234")  # misread: B as 8 — still the watched plate
    item = f'[data-live-feed] [data-detection-id="{detection.pk}"]'
    wait_for(lambda: js(driver, "return !!document.querySelector(arguments[0])", item), timeout=15,
             what="the detection in the live feed")
    assert js(driver, "return document.querySelector(arguments[0] + ' [data-field=plate_text]').textContent", item) == "A8C1234"
    assert js(driver, "return document.querySelector(arguments[0] + ' [data-field=camera_name]').textContent", item) == "Gate <b>1</b>"
    toast = wait_for(lambda: js(driver, "var t = document.querySelector('#toasts .alert-toast'); return t && t.textContent"),
                     timeout=15, what="the alert toast")
    assert "Stolen" in toast and "A8C1234" in toast and "Gate <b>1</b>" in toast
    clip = f"/recordings/detections/{detection.pk}/clip.mp4"  # the camera records: the toast opens the clip
    assert js(driver, "return document.querySelector('#toasts .alert-toast a[data-clip]').getAttribute('href')") == clip
    wait_for(lambda: js(driver, "return document.querySelectorAll('[data-open-alerts] [data-alert-id]').length") == 1,
             timeout=10, what="the open alert row")
    assert js(driver, "return document.querySelector('[data-open-alerts] [data-alert-id] a[data-clip]').getAttribute('href')") == clip
    wait_for(lambda: js(driver, "return document.querySelector('[data-open-alert-count]').textContent") == "1",
             timeout=10, what="the open alert count in the navigation")
    assert js(driver, "return window.stillTheSamePage") is True  # no reload
    shot(driver, "alerts-02-toast")

    # The dashboard's figures follow too (the fragment is fetched again after the event).
    wait_for(lambda: "A8C1234" in js(driver, "return document.getElementById('top-plates').textContent"),
             timeout=15, what="the top plates to update")

    driver.find_element(By.CSS_SELECTOR, "#toasts .alert-toast button[data-ack]").click()
    alert = Alert.objects.get()
    wait_for(lambda: Alert.objects.get(pk=alert.pk).acknowledged_by_id == olivia.pk, timeout=10, what="the acknowledgement")
    wait_for(lambda: js(driver, "return document.querySelectorAll('#toasts .alert-toast, [data-open-alerts] [data-alert-id]').length") == 0,
             timeout=10, what="the toast and the row to go")
    wait_for(lambda: js(driver, "var c = document.querySelector('[data-open-alert-count]'); return c.hidden && !c.offsetWidth"),
             timeout=10, what="the open alert count to go")
    shot(driver, "alerts-03-acknowledged")
