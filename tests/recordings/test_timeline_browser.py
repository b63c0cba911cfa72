"""The camera page's recordings: the day bar shows the recorded span, a click plays from it, "back 30 s" plays."""

import pytest

from tests import processes
from tests.browser.conftest import browser, log_in  # noqa: F401  (the fixture)
from tests.recordings.conftest import wait_until_recorded
from tests.recordings.test_clip_browser import js, web  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def playing(driver):
    start = js(driver, "return document.getElementById('recording-video').currentTime")
    processes.wait_for(lambda: js(driver, "return document.getElementById('recording-video').currentTime") > start + 1,
                       timeout=20, what="the recording playing (currentTime advancing)")


def test_the_timeline_shows_the_span_and_plays_from_a_click_and_from_30_s_back(
    victor, recording_camera, web, browser  # noqa: F811
):
    from selenium.webdriver.common.by import By

    wait_until_recorded(recording_camera, 35, timeout=60)
    base = web.base_url
    log_in(browser, base, "victor")
    browser.get(f"{base}/cameras/{recording_camera.pk}/")
    processes.wait_for(lambda: js(browser, "return document.getElementById('recordings').dataset.loaded") == "1",
                       timeout=15, what="the day bar")
    assert js(browser, "return document.querySelectorAll('#timeline-bar .timeline-gap').length") >= 1
    js(browser, "document.querySelector('#timeline-bar .timeline-span').click()")
    playing(browser)
    assert "/recordings/cameras/" in js(browser, "return document.getElementById('recording-video').src")
    from_span = js(browser, "return document.getElementById('recording-video').src")
    browser.find_element(By.CSS_SELECTOR, "#recordings [data-back]").click()
    assert js(browser, "return document.getElementById('recording-video').src") != from_span
    playing(browser)
    assert js(browser, "return document.getElementById('recording-video').error") is None
