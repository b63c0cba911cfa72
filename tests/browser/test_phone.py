"""The console on a phone (390×844): every console page — every route of the URL configuration that the access
rules give an admin a page for (tests/security/access_rules.py), so a new page is walked too — fits the width
(no sideways scrolling of the page: tables scroll in their own box), and the navigation is behind a menu button
that a tap opens, with Log out reachable. One screenshot per page in test-output/browser/phone-*.png."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.cameras.models import Camera, Zone
from apps.detections.models import Detection
from apps.mosaics.services import mosaic_create
from apps.watchlists.models import Alert
from apps.watchlists.services import watchlist_create
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.processes import wait_for
from tests.security.access_rules import RULES
from tests.security.urlwalk import routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

ADMIN = 4  # position of the admin in each rule's statuses
NOT_CONSOLE = ("api/", "admin/", "media/", "internal/", "recordings/", "health", "metrics", "favicon")


def js(driver, script, *args):
    return driver.execute_script(script, *args)


@pytest.fixture
def objects(alice, olivia):
    """One of each, long names and plates included: what a page could overflow with."""
    camera = Camera.objects.create(name="Main gate, north entrance (visitors)", rtsp_url="rtsp://192.0.2.1/live/main-stream")
    Zone.objects.create(camera=camera, name="Lane", points=[[0, 0], [1, 0], [1, 1]])
    mosaic = mosaic_create(actor=olivia, name="Front", camera_ids=[camera.pk], shared=True)
    watchlist = watchlist_create(actor=alice, name="Stolen vehicles (police report)",
                                 entries=[{"pattern": "RIO4F21", "note": "reported stolen"}])
    now = timezone.now()
    detection = Detection.objects.create(camera=camera, first_seen=now - timedelta(seconds=5), last_seen=now,
                                         frame_time=now, plate_text="RIO4F21", vehicle_class="car")
    alert = Alert.objects.create(detection=detection, watchlist=watchlist, pattern="RIO4F21", plate_text="RIO4F21")
    return {"camera": camera, "mosaic": mosaic, "watchlist": watchlist, "detection": detection, "alert": alert,
            "user": olivia, "snapshot": ""}


def console_pages(admin, objects):
    """Every route an admin GETs a whole HTML page from, as an example URL (fragments, CSV, APIs left out)."""
    client = Client()
    client.force_login(admin)
    ids = {name: (value if isinstance(value, str) else value.pk) for name, value in objects.items()}
    pages = []
    for route in routes():
        example, methods = RULES[route]
        if route.startswith(NOT_CONSOLE) or route == "login/" or methods.get("GET", (0,) * 5)[ADMIN] != 200:
            continue
        url = example.format(**ids)
        response = client.get(url)
        if response["Content-Type"].startswith("text/html") and b"<html" in response.content:
            pages.append(url)
    return pages


def test_every_console_page_fits_a_phone_and_the_menu_opens_the_navigation(alice, objects, asgi_server, browser):
    from selenium.webdriver.common.by import By

    base, driver = asgi_server.base_url, browser
    pages = console_pages(alice, objects)
    assert {"/", "/cameras/", f"/cameras/{objects['camera'].pk}/", f"/mosaics/{objects['mosaic'].pk}/",
            "/detections/", "/watchlists/alerts/", "/users/"} <= set(pages)
    driver.set_window_size(390, 844)
    driver.get(f"{base}/login/")
    assert js(driver, "return window.innerWidth") == 390
    assert js(driver, "return document.documentElement.scrollWidth") <= 390, "the login page scrolls sideways"
    log_in(driver, base, "alice")

    too_wide = []
    for url in pages:
        driver.get(f"{base}{url}")
        wait_for(lambda: js(driver, "return document.readyState") == "complete", timeout=15, what=f"{url} loaded")
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "dashboard"
        driver.save_screenshot(str(SCREENSHOTS / f"phone-{name}.png"))
        width = js(driver, "return [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide.append(f"{url}: {width[0]} px wide in {width[1]}")
        # The navigation is folded: only the menu button shows, until it is tapped.
        button = driver.find_element(By.CSS_SELECTOR, "button.menu-button")
        logout = driver.find_element(By.XPATH, "//header//button[normalize-space()='Log out']")
        assert button.is_displayed() and button.get_attribute("aria-expanded") == "false", url
        assert not logout.is_displayed() and not driver.find_element(By.CSS_SELECTOR, "header nav").is_displayed(), url
    assert not too_wide, "\n".join(too_wide)

    driver.get(f"{base}/detections/")
    driver.find_element(By.CSS_SELECTOR, "button.menu-button").click()
    button = driver.find_element(By.CSS_SELECTOR, "button.menu-button")
    assert button.get_attribute("aria-expanded") == "true"
    for text in ("Dashboard", "Cameras", "Mosaics", "Detections", "Watch lists", "Alerts", "Users"):
        assert driver.find_element(By.PARTIAL_LINK_TEXT, text).is_displayed(), text
    logout = driver.find_element(By.XPATH, "//header//button[normalize-space()='Log out']")
    assert logout.is_displayed()
    assert js(driver, "var r = arguments[0].getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth "
                      "&& r.top >= 0 && r.bottom <= window.innerHeight", logout), "Log out is off-screen"
    assert js(driver, "return document.documentElement.scrollWidth <= window.innerWidth")
    driver.save_screenshot(str(SCREENSHOTS / "phone-menu-open.png"))
    button.click()  # and closes it again
    assert button.get_attribute("aria-expanded") == "false" and not logout.is_displayed()

    button.click()
    logout.click()
    wait_for(lambda: "/login/" in driver.current_url, timeout=15, what="the login page after logging out")
