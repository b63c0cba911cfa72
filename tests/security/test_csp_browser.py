"""The console under its Content-Security-Policy in a real browser: every page loads with no CSP violation."""

import pytest

from tests.browser.conftest import browser, log_in  # noqa: F401 (the fixture)
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

PAGES = [
    "/", "/cameras/", "/cameras/{camera}/", "/cameras/{camera}/edit/", "/mosaics/", "/mosaics/{mosaic}/",
    "/mosaics/add/", "/detections/", "/detections/{detection}/", "/watchlists/", "/watchlists/alerts/", "/users/",
    "/admin/", "/admin/cameras/camera/", "/api/docs",
]


def test_no_console_page_violates_the_content_security_policy(asgi_server, alice, olivia, browser):  # noqa: F811

    from apps.cameras.models import Camera
    from apps.cameras.services import camera_set_zones
    from apps.detections.models import Detection
    from apps.mosaics.services import mosaic_create
    from django.utils import timezone

    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/live")
    camera_set_zones(actor=alice, camera=camera, zones=[{"name": "Lane", "points": [[0, 0], [1, 0], [1, 1]]}])
    mosaic = mosaic_create(actor=alice, name="Front", camera_ids=[camera.pk])
    now = timezone.now()
    detection = Detection.objects.create(camera=camera, first_seen=now, last_seen=now, frame_time=now, plate_text="ABC1D23")
    ids = {"camera": camera.pk, "mosaic": mosaic.pk, "detection": detection.pk}

    base = asgi_server.base_url
    log_in(browser, base, "alice")
    browser.get_log("browser")  # start clean
    violations = []
    for page in PAGES:
        browser.get(base + page.format(**ids))
        browser.execute_script("return new Promise(r => setTimeout(r, 700))")
        header = browser.execute_script("return document.title")
        assert "Log in" not in header, f"{page} sent us to the login page"
        # A CSP violation, or a resource of the app's own that failed to load (the favicon's 404 was one on every
        # page); the media server's (none runs here) may fail.
        violations += [f"{page}: {e['message']}" for e in browser.get_log("browser")
                       if "Content Security Policy" in e["message"]
                       or ("Failed to load resource" in e["message"] and e["message"].startswith(base))]
    assert not violations, "\n".join(violations)


def test_the_api_docs_render_their_operations_from_the_app_not_a_cdn(asgi_server, alice, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    base = asgi_server.base_url
    log_in(browser, base, "alice")
    browser.get(f"{base}/api/docs")
    operations = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"), timeout=20,
                          what="Swagger UI's operations")
    assert any("/api/streaming/cameras" in op.text for op in operations)
    scripts = [s.get_attribute("src") for s in browser.find_elements(By.TAG_NAME, "script") if s.get_attribute("src")]
    assert scripts and all(src.startswith(base) for src in scripts), scripts
