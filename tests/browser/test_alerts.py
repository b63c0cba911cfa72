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


def test_an_operator_hears_the_alert_sees_its_note_and_more_than_three_toasts_fold_into_a_counter(
    olivia, asgi_server, browser
):
    from selenium.webdriver.common.by import By

    from apps.watchlists.models import AlertPreference
    from tests.browser.conftest import log_in
    from tests.watchlists.conftest import later

    base = asgi_server.base_url
    driver = browser
    camera = Camera.objects.create(name="Demo gate", rtsp_url="rtsp://192.0.2.10/live")
    plates = ["RIO4F21", "ABC1234", "XYZ9876", "QWE5678", "JKL4321"]
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": p, "note": f"reported stolen {p[-2:]}"} for p in plates])

    log_in(driver, base, "olivia")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    assert js(driver, "return window.vmsAlertSound.enabled") is True  # operators hear alerts unless they turn it off
    assert js(driver, "return window.vmsAlertSound.started") == 0

    see(camera, plates[0])
    toast = wait_for(lambda: js(driver, "var t = document.querySelector('#toasts .alert-toast'); return t && t.textContent"),
                     timeout=15, what="the alert toast")
    assert "reported stolen 21" in toast and "Stolen" in toast
    assert "(RIO4F21)" not in toast  # the plate once: the pattern only where it says more
    wait_for(lambda: js(driver, "return window.vmsAlertSound.started") == 1, timeout=5, what="the alert sound")
    shot(driver, "alerts-04-note-and-sound")

    for offset, plate in enumerate(plates[1:], start=1):
        see(camera, plate, at=later(offset * 30))
    wait_for(lambda: js(driver, "return document.querySelectorAll('#toasts .alert-toast').length") == 5,
             timeout=15, what="five toasts")
    assert js(driver, "return document.querySelectorAll('#toasts .alert-toast:not([hidden])').length") == 3
    more = js(driver, "var m = document.querySelector('#toasts [data-toast-more]'); return m && m.textContent")
    assert more == "+2 more"
    assert js(driver, "return window.vmsAlertSound.started") == 5
    shot(driver, "alerts-05-collapsed")

    driver.find_element(By.CSS_SELECTOR, "#toasts [data-toast-more]").click()
    wait_for(lambda: driver.current_url.startswith(f"{base}/watchlists/alerts/"), timeout=10, what="the alerts page")
    rows = js(driver, "return Array.from(document.querySelectorAll('#alert-list [data-field=note]')).map(n => n.textContent)")
    assert sorted(rows) == sorted(f"reported stolen {p[-2:]}" for p in plates)
    shot(driver, "alerts-06-alerts-page")

    # The toast's title opens the alerts page too.
    driver.get(f"{base}/")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    see(camera, plates[0], at=later(600))
    wait_for(lambda: js(driver, "return !!document.querySelector('#toasts .alert-toast .toast-title')"), timeout=15,
             what="a new toast")
    driver.find_element(By.CSS_SELECTOR, "#toasts .alert-toast .toast-title").click()
    wait_for(lambda: driver.current_url.startswith(f"{base}/watchlists/alerts/"), timeout=10, what="the alerts page")

    # The user turns the sound off in the console; it is kept server-side and later alerts are silent.
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    toggle = driver.find_element(By.CSS_SELECTOR, "[data-sound-toggle]")
    assert toggle.text == "Alert sound: on"
    toggle.click()
    wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "[data-sound-toggle]").text == "Alert sound: off",
             timeout=10, what="the sound to turn off")
    assert AlertPreference.objects.get(user=olivia).sound is False
    see(camera, plates[1], at=later(900))
    wait_for(lambda: js(driver, "return document.querySelectorAll('#toasts .alert-toast').length") == 1,
             timeout=15, what="the silent alert's toast")
    assert js(driver, "return window.vmsAlertSound.started") == 0
    shot(driver, "alerts-07-sound-off")
