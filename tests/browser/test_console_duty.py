"""What an operator on duty meets in the console (issue 14), in a real browser: a refused zone save keeps the
polygon just drawn and shows why; the end of a plate finds it, with a count; the detection page's legend names
only the boxes drawn; the mosaic's tiles fill the width and go fullscreen, one or all. Screenshots in
test-output/browser/duty-*.png."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.cameras.models import Camera
from apps.cameras.services import camera_set_zones
from apps.detections.models import Detection
from apps.mosaics.services import mosaic_create
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]

SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"duty-{name}.png"))


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def jpeg():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 360), (70, 80, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def camera(db):
    return Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/live")


def test_a_refused_zone_save_keeps_the_polygon_drawn_and_says_why(alice, camera, asgi_server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base, driver = asgi_server.base_url, browser
    camera_set_zones(actor=alice, camera=camera, zones=[{"name": "Old lane", "points": SQUARE}])
    log_in(driver, base, "alice")
    driver.get(f"{base}/cameras/{camera.pk}/")
    canvas = driver.find_element(By.ID, "zone-canvas")
    width, height = canvas.size["width"], canvas.size["height"]
    clicks = ActionChains(driver)
    for fx, fy in ((0.2, 0.6), (0.8, 0.9), (0.8, 0.6), (0.2, 0.9)):  # a bow-tie: it crosses itself
        clicks.move_to_element_with_offset(canvas, int((fx - 0.5) * width), int((fy - 0.5) * height)).click()
    clicks.perform()
    driver.find_element(By.CSS_SELECTOR, "[data-action=finish]").click()
    name = driver.find_elements(By.CSS_SELECTOR, "#zone-drafts input")[-1]
    name.clear()
    name.send_keys("Crossed lane")
    driver.find_element(By.CSS_SELECTOR, "#zones-form button[type=submit]").click()

    errors = wait_for(lambda: driver.find_elements(By.ID, "zone-errors"), timeout=15, what="the zone error")
    assert "crosses itself" in errors[0].text and errors[0].get_attribute("role") == "alert"
    drafts = [field.get_attribute("value") for field in driver.find_elements(By.CSS_SELECTOR, "#zone-drafts input")]
    assert drafts == ["Old lane", "Crossed lane"]
    shot(driver, "zones-refused-kept")
    assert list(camera.zones.values_list("name", flat=True)) == ["Old lane"]

    # Fixed in place (removed and drawn again as a proper shape), it saves.
    driver.find_elements(By.CSS_SELECTOR, "#zone-drafts button")[-1].click()
    canvas = driver.find_element(By.ID, "zone-canvas")
    clicks = ActionChains(driver)
    for fx, fy in ((0.2, 0.6), (0.8, 0.6), (0.8, 0.9), (0.2, 0.9)):
        clicks.move_to_element_with_offset(canvas, int((fx - 0.5) * width), int((fy - 0.5) * height)).click()
    clicks.perform()
    driver.find_element(By.CSS_SELECTOR, "#zones-form button[type=submit]").click()
    wait_for(lambda: camera.zones.count() == 2, timeout=15, what="both zones saved")


def test_the_end_of_a_plate_finds_it_and_the_page_says_how_many(victor, camera, asgi_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    now = timezone.now()
    for minutes, plate in enumerate(("XYZ9876", "ABC1234", "QWE9876")):
        at = now - timedelta(minutes=minutes)
        Detection.objects.create(camera=camera, first_seen=at, last_seen=at, frame_time=at, plate_text=plate)
    base, driver = asgi_server.base_url, browser
    log_in(driver, base, "victor")
    driver.get(f"{base}/detections/")
    assert driver.find_element(By.ID, "result-count").text == "3 detections."
    driver.find_element(By.NAME, "plate").send_keys("9876")
    Select(driver.find_element(By.NAME, "match")).select_by_value("similar_contains")
    driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait_for(lambda: "9876" in driver.current_url, timeout=15, what="the search")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#detection-results td.plate")]
    assert rows == ["XYZ9876", "QWE9876"]
    assert driver.find_element(By.ID, "result-count").text == "2 detections for “9876”."
    shot(driver, "search-end-of-plate")


def test_the_legend_names_only_the_boxes_drawn(victor, camera, asgi_server, browser):
    from selenium.webdriver.common.by import By

    now = timezone.now()
    both = Detection(camera=camera, first_seen=now, last_seen=now, frame_time=now, plate_text="ABC1234",
                     plate_format="br", vehicle_box=[0.2, 0.2, 0.8, 0.9], plate_box=[0.4, 0.7, 0.55, 0.78])
    plate_only = Detection(camera=camera, first_seen=now, last_seen=now, frame_time=now, plate_text="XYZ9876",
                           plate_format="mercosul", plate_box=[0.4, 0.7, 0.55, 0.78])
    for detection in (both, plate_only):
        detection.snapshot.save("frame.jpg", ContentFile(jpeg()), save=True)
    base, driver = asgi_server.base_url, browser
    log_in(driver, base, "victor")

    def drawn_and_named():
        drawn = [rect.get_attribute("class") for rect in driver.find_elements(By.CSS_SELECTOR, "#snapshot svg rect")]
        named = driver.find_element(By.ID, "box-legend").text.split()
        return drawn, named

    driver.get(f"{base}/detections/{both.pk}/")
    assert drawn_and_named() == (["box-vehicle", "box-plate"], ["vehicle", "plate"])
    assert js(driver, "return document.querySelector('#snapshot rect.box-vehicle').getBoundingClientRect().width") > 100
    shot(driver, "legend-both")
    driver.get(f"{base}/detections/{plate_only.pk}/")
    assert drawn_and_named() == (["box-plate"], ["plate"])
    assert "Mercosul (Brazil) (mercosul)" in driver.find_element(By.CSS_SELECTOR, ".facts").text
    shot(driver, "legend-plate-only")


def test_the_mosaic_fills_the_width_and_goes_fullscreen_one_tile_or_all(olivia, asgi_server, browser):
    from selenium.webdriver.common.by import By

    cameras = [Camera.objects.create(name=f"Cam {n}", rtsp_url=f"rtsp://192.0.2.{n}/live") for n in range(1, 5)]
    mosaic = mosaic_create(actor=olivia, name="All four", camera_ids=[c.pk for c in cameras])
    base, driver = asgi_server.base_url, browser
    log_in(driver, base, "olivia")
    driver.get(f"{base}/mosaics/{mosaic.pk}/")
    grid = driver.find_element(By.ID, "mosaic-grid")
    # The 1400 px window: the grid takes the whole width but the page's padding, two tiles a row.
    assert grid.size["width"] >= js(driver, "return document.documentElement.clientWidth") - 50
    assert driver.find_element(By.ID, "mosaic-cell-1").size["width"] >= grid.size["width"] / 2 - 20
    shot(driver, "mosaic-width")

    def fullscreen():
        return js(driver, "return document.fullscreenElement && document.fullscreenElement.id")

    tile_button = driver.find_element(By.CSS_SELECTOR, "#mosaic-cell-2 button[data-fullscreen]")
    assert tile_button.get_attribute("aria-label") == "Fullscreen: Cam 2"
    tile_button.click()
    wait_for(lambda: fullscreen() == "mosaic-cell-2", timeout=10, what="the tile fullscreen")
    assert tile_button.text == "Exit fullscreen" and tile_button.get_attribute("aria-pressed") == "true"
    shot(driver, "mosaic-tile-fullscreen")
    tile_button.click()
    wait_for(lambda: fullscreen() is None, timeout=10, what="the tile back in the grid")
    assert tile_button.text == "Fullscreen"

    driver.find_element(By.CSS_SELECTOR, "button[data-fullscreen=mosaic-grid]").click()
    wait_for(lambda: fullscreen() == "mosaic-grid", timeout=10, what="the mosaic fullscreen")
    shot(driver, "mosaic-fullscreen")
    js(driver, "document.exitFullscreen()")
    wait_for(lambda: fullscreen() is None, timeout=10, what="the mosaic back in the page")


def test_the_dashboard_figures_follow_a_new_detection_without_a_reload(olivia, camera, asgi_server, browser):
    """HTMX fetches the figures again when the live socket says a detection came (dashboard.js marks them stale)."""
    from tests.watchlists.conftest import see

    base, driver = asgi_server.base_url, browser
    log_in(driver, base, "olivia")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    js(driver, "window.stillTheSamePage = true;")
    # Read in one script: HTMX may swap the element between a find and a read (a stale element, seen in CI).
    def figure():
        return js(driver, "var e = document.querySelector('[data-figure=today]'); return e ? e.textContent.trim() : null")

    today = figure()
    see(camera, "ABC1234", watchlists=False)
    see(camera, "XYZ9876", watchlists=False)  # two at once: the second is not lost to the first's refresh
    wait_for(lambda: figure() == str(int(today) + 2),
             timeout=20, what="the figures refreshed")
    assert js(driver, "return window.stillTheSamePage") is True
    shot(driver, "dashboard-figures-live")
