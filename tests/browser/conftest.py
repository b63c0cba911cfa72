"""The whole live stack for browser tests: stand-in media server, simulated cameras, ASGI server, provisioning
worker, and headless Chromium driven by Selenium.

Package-scoped: the stack stops when the browser tests are done. (Session-scoped, its provisioning worker
outlived them and took later tests' tasks to its own media server.)"""

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests import processes

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = processes.OUTPUT / "browser"
CAMERA_NAMES = ("gate", "yard", "lane", "door")


# The browser stack is protected as compose's is: the media server asks the web app about every
# request, and the app's API credential is checked there.
API_USER, API_PASSWORD = "vms-api", "Browser-api-S3cret"


@pytest.fixture(scope="package")
def web_port():
    return processes.free_port()


def media_auth_url(port):
    return f"http://127.0.0.1:{port}/internal/media-auth"


@pytest.fixture(scope="package")
def media_server(web_port):
    from tests.streaming.conftest import StandInMediaServer

    server = StandInMediaServer(name="browser-mediaserver", auth_url=media_auth_url(web_port))
    yield server
    server.stop()


class FakeCameras:
    """`manage.py fakecamera NAME=demo ...`: looping RTSP cameras at rtsp://127.0.0.1:PORT/NAME."""

    def __init__(self, names):
        self.port = processes.free_port()
        self.process = processes.Process(
            f"fakecamera-{self.port}",
            [sys.executable, "manage.py", "fakecamera", *(f"{name}=demo" for name in names), "--port", str(self.port)],
            env=processes.test_env(),
        )
        processes.wait_for(
            lambda: self.process.check_alive() and self.url(names[-1]) in self.process.output(),
            timeout=180,  # the demo video is generated on first use
            what="simulated cameras",
        )

    def url(self, name):
        return f"rtsp://127.0.0.1:{self.port}/{name}"

    def stop(self):
        self.process.stop()


@pytest.fixture(scope="package")
def fake_cameras():
    cameras = FakeCameras(CAMERA_NAMES)
    yield cameras
    cameras.stop()


def stack_env(media_server, **extra):
    """The web app's and the workers' environment, pointed at `media_server`."""
    hls_base = media_server.hls_url("x").rsplit("/x/", 1)[0]
    rtsp_base = media_server.rtsp_url("x").rsplit("/x", 1)[0]
    return processes.test_env(
        MEDIAMTX_API_URL=media_server.api_url, MEDIA_HLS_BASE_URL=hls_base, MEDIA_RTSP_BASE_URL=rtsp_base,
        MEDIAMTX_API_USER=API_USER, MEDIAMTX_API_PASSWORD=API_PASSWORD, **extra,
    )


@pytest.fixture(scope="package")
def live_stack(django_db_setup, media_server, web_port):
    """The web app and a `provision` worker, both pointed at the stand-in media server."""
    env = stack_env(media_server)
    web = processes.start_asgi_server(env=env, name="browser-asgi", port=web_port)
    worker = processes.start_celery_worker(queues="provision", env=env, name="browser-provision")
    yield web
    worker.stop()
    web.stop()


def _chromium():
    """A headless Chromium with a profile of its own (so two of them are two separate sessions)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromedriver")
    profile = tempfile.mkdtemp(prefix="vms-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={profile}", "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return driver, profile


def _close(driver, profile, log_name):
    try:
        (SCREENSHOTS / log_name).write_text(
            "\n".join(f"{entry['level']} {entry['message']}" for entry in driver.get_log("browser"))
        )
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser():
    driver, profile = _chromium()
    yield driver
    _close(driver, profile, "console.log")


@pytest.fixture
def second_browser():
    """Another browser, another login session (for what one user does and another then sees)."""
    driver, profile = _chromium()
    yield driver
    _close(driver, profile, "console-second.log")


def log_in(driver, base_url, username, password=None):
    """Log in through the console's form and wait for the dashboard (navigating on sooner cancels the login)."""
    from selenium.webdriver.common.by import By

    from tests.conftest import PASSWORD
    from tests.processes import wait_for

    driver.get(f"{base_url}/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password or PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: driver.current_url == f"{base_url}/", timeout=15, what="the dashboard after logging in")
