"""A time reads the same whether the server rendered the row or the browser added it from a push: the web app
runs in a site zone (America/Sao_Paulo) that is not the browser's (UTC), a detection of a watched plate arrives
live on the dashboard (feed row and open-alert row, added by live-feed.js and alerts.js), and after a reload
the server-rendered rows of the same detection and alert show the very same text, with the zone."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.cameras.models import Camera
from apps.watchlists.models import Alert
from apps.watchlists.services import watchlist_create
from tests import processes
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.processes import wait_for
from tests.watchlists.conftest import see
from vms.times import site_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]

SITE_ZONE = "America/Sao_Paulo"


@pytest.fixture(scope="module")
def site_web(django_db_setup):
    web = processes.start_asgi_server(env=processes.test_env(TIME_ZONE=SITE_ZONE), name="times-asgi")
    yield web
    web.stop()


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def texts(driver, detection, alert):
    feed = f'[data-live-feed] [data-detection-id="{detection.pk}"] [data-field=last_seen]'
    row = f'[data-open-alerts] [data-alert-id="{alert.pk}"] time'
    return js(driver, "return [arguments[0], arguments[1]].map(function (s) {"
                      " var e = document.querySelector(s); return e && e.textContent; })", feed, row)


def test_a_pushed_row_and_a_server_rendered_row_of_one_detection_show_the_same_time(olivia, site_web, browser):
    base, driver = site_web.base_url, browser
    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "RIO4F21", "note": "reported"}])
    log_in(driver, base, "olivia")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")
    assert js(driver, "return Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"  # not the site's

    detection = see(camera, "RIO4F21")
    alert = Alert.objects.get(detection=detection)
    pushed = wait_for(lambda: all(texts(driver, detection, alert)) and texts(driver, detection, alert), timeout=15,
                      what="the pushed feed row and alert row")
    driver.save_screenshot(str(SCREENSHOTS / "times-01-pushed.png"))

    driver.refresh()
    rendered = wait_for(lambda: all(texts(driver, detection, alert)) and texts(driver, detection, alert), timeout=15,
                        what="the server-rendered rows")
    driver.save_screenshot(str(SCREENSHOTS / "times-02-rendered.png"))

    with timezone.override(ZoneInfo(SITE_ZONE)):
        expected = [site_time(detection.last_seen), site_time(alert.created_at)]
    assert pushed == rendered == expected
    assert all(text.endswith(" -03") for text in expected)
