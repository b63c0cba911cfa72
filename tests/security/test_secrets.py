"""Camera passwords and the media server's API password never show: not in Flower, /health/ready or logs.

Every log line of every process passes vms.logging.SecretsFilter (URL passwords masked); the
stand-in media server's own log is checked on the real process.

Responses, pages, logs, events and Celery messages are covered by
tests/cameras/test_provisioning.py::test_passwords_never_leave_the_database; this adds Flower (which
shows task arguments, results and exceptions) and a media server whose error messages echo what it got.
"""

import json
import logging
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from kombu import Connection

from tests import processes
from tests.security.conftest import client_as

CAMERA_SECRET = "Cam-S3cret-pw-4417"
API_SECRET = "Mtx-Api-S3cret-9921"


class EchoingMediaServer:
    """A media server that refuses every path and quotes the request in its error (as real servers may)."""

    def __init__(self, status=400):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode(errors="replace") if length else ""
                outer.seen.append((self.path, dict(self.headers), body))
                payload = json.dumps({"error": f"refused {self.path} with {body} auth={self.headers.get('Authorization')}"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload.encode())

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.seen = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def echoing_media_server():
    server = EchoingMediaServer()
    yield server
    server.stop()


@pytest.fixture
def media_client_reset():
    from apps.streaming.client import media_server

    media_server.cache_clear()
    yield
    media_server.cache_clear()


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["settings", "url"])
def test_the_media_server_api_password_is_not_in_readiness_or_logs(where, settings, echoing_media_server, media_client_reset, caplog):
    settings.MEDIAMTX_API_USER = "vms"
    if where == "settings":
        settings.MEDIAMTX_API_PASSWORD = API_SECRET
        settings.MEDIAMTX_API_URL = echoing_media_server.url
    else:  # a deployment that put the credentials in the URL
        settings.MEDIAMTX_API_PASSWORD = ""
        settings.MEDIAMTX_API_URL = echoing_media_server.url.replace("http://", f"http://vms:{API_SECRET}@")
    caplog.set_level(logging.DEBUG)
    refused = client_as(None).get("/health/ready")
    settings.MEDIAMTX_API_URL = f"http://vms:{API_SECRET}@127.0.0.1:{processes.free_port()}"
    from apps.streaming.client import media_server

    media_server.cache_clear()
    unreachable = client_as(None).get("/health/ready")
    assert echoing_media_server.seen, "the media server was not asked"
    for response in (refused, unreachable):
        assert response.status_code == 503
        assert "media_server" in response.json()["checks"]
        assert API_SECRET not in response.content.decode()
    assert API_SECRET not in caplog.text


VHOST = "vms_security_test"
BROKER_URL = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"


@pytest.fixture(scope="module")
def own_vhost():
    """A vhost of its own: other runs' workers on vms_test would take the task, and Flower would show theirs."""
    if not shutil.which("rabbitmqctl"):
        pytest.skip("needs rabbitmqctl to make a vhost")
    # Fresh each run: a retried task left by an earlier run must not show up here.
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", VHOST], capture_output=True, timeout=60, check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
                   capture_output=True, timeout=60, check=True)
    yield BROKER_URL
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True, timeout=60)


@pytest.fixture
def flower_stack(echoing_media_server, own_vhost):
    """A provisioning worker sending task events, and Flower watching the test broker."""
    env = processes.test_env(
        MEDIAMTX_API_URL=echoing_media_server.url, FLOWER_UNAUTHENTICATED_API="true", TEST_CELERY_BROKER_URL=own_vhost
    )
    worker = processes.Process(
        "security-provision-worker",
        [str(processes.VENV_BIN / "celery"), "-A", "vms", "worker", "-n", "security-provision@%h", "-Q", "provision",
         "--pool", "solo", "-E", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        env=env,
    )
    port = processes.free_port()
    flower = processes.Process(
        f"flower-{port}",
        [str(processes.VENV_BIN / "celery"), "-A", "vms", "flower", f"--port={port}", "--address=127.0.0.1"],
        env=env,
    )
    try:
        processes.wait_for(lambda: worker.check_alive() and "ready." in worker.output(), timeout=90, what="worker")
        processes.wait_until_answers(flower, f"http://127.0.0.1:{port}/api/workers", timeout=90, what="flower")
        yield {"flower": f"http://127.0.0.1:{port}", "worker": worker, "flower_process": flower}
    finally:
        flower.stop()
        worker.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_flower_shows_no_camera_password(alice, flower_stack, echoing_media_server):
    from apps.cameras.services import camera_create
    from apps.streaming.tasks import provision_camera

    camera = camera_create(
        actor=alice, name="Flower", rtsp_url=f"rtsp://admin:{CAMERA_SECRET}@192.0.2.77:554/live",
    )
    # The service queued it on the suite's broker; send the same task where this test's worker listens.
    with Connection(BROKER_URL) as conn:
        provision_camera.apply_async((camera.pk,), connection=conn)
    flower = flower_stack["flower"]

    last = {}

    def task_seen_failing():
        tasks = last["tasks"] = requests.get(f"{flower}/api/tasks", timeout=5).json()
        mine = [(task_id, t) for task_id, t in tasks.items() if t.get("name") == "streaming.provision_camera"]
        # Retried at least once: Flower holds the exception (the media server's refusal) as well as the args.
        return [item for item in mine if item[1].get("exception")] and mine

    try:
        tasks = processes.wait_for(task_seen_failing, timeout=90, interval=1, what="the provisioning task in Flower")
    except TimeoutError:
        raise AssertionError(f"Flower's tasks: {last.get('tasks')}\n{flower_stack['flower_process'].output()[-2000:]}") from None
    # The media server got the real credentials (so there was a password to leak), and refused with them quoted.
    assert any(CAMERA_SECRET in body for _, _, body in echoing_media_server.seen)
    seen = [requests.get(f"{flower}/api/tasks", timeout=5).text]
    for task_id, task in tasks:
        assert str(camera.pk) in str(task.get("args")), "Flower should show the task's arguments (ids)"
        seen.append(requests.get(f"{flower}/api/task/info/{task_id}", timeout=5).text)
        seen.append(requests.get(f"{flower}/task/{task_id}", timeout=5).text)
    seen.append(requests.get(f"{flower}/tasks", timeout=5).text)
    seen.append(requests.get(f"{flower}/tasks/datatable?draw=1&start=0&length=100&search[value]=", timeout=5).text)
    seen.append(flower_stack["worker"].output())
    seen.append(flower_stack["flower_process"].output())
    camera.refresh_from_db()
    seen.append(camera.provision_error)
    leaks = [text[:300] for text in seen if CAMERA_SECRET in text]
    assert not leaks


# --- no line any process writes carries a password (vms.logging.SecretsFilter) ---------------------

LOG_ANYTHING = """
import logging, django
django.setup()
log = logging.getLogger("apps.streaming")
log.warning("provisioning cam_1 from %s failed", "rtsp://admin:{secret}@192.0.2.7:554/live")
try:
    raise ConnectionError("could not reach amqp://vms:{secret}@rabbitmq:5672/vms")
except ConnectionError:
    log.exception("broker")
"""


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_password_in_any_url_is_masked_in_every_log_line(log_format):
    result = subprocess.run(
        [str(processes.VENV_BIN / "python"), "-c", LOG_ANYTHING.format(secret=CAMERA_SECRET)],
        env=processes.test_env(LOG_FORMAT=log_format), capture_output=True, text=True, timeout=60,
    )
    output = result.stdout + result.stderr
    assert "rtsp://admin:***@192.0.2.7:554/live" in output and "amqp://vms:***@rabbitmq" in output, output
    assert CAMERA_SECRET not in output


@pytest.mark.timeout(120)
def test_the_stand_in_media_server_logs_no_camera_password():
    from tests.streaming.conftest import StandInMediaServer

    server = StandInMediaServer(name="secrets-mediaserver")
    try:
        source = f"rtsp://admin:{CAMERA_SECRET}@127.0.0.1:{processes.free_port()}/live"
        # Not on demand: it pulls (and fails, nothing listens there) at once, logging what it does.
        server.client().path_replace("cam_1", {"source": source, "sourceOnDemand": False, "rtspTransport": "tcp"})
        processes.wait_for(lambda: "mounted cam_1" in server.process.output(), timeout=20, what="the mount line")
        requests.get(server.hls_url("cam_1"), timeout=10)
        output = server.process.output()
    finally:
        server.stop()
    assert "mounted cam_1 <- rtsp://admin:***@127.0.0.1" in output
    assert CAMERA_SECRET not in output


@pytest.mark.timeout(120)
def test_real_mediamtx_logs_no_camera_password(mediamtx):
    """MediaMTX's own log (compose's logLevel: info), with a source that refuses the password and one
    that does not answer. Measured on v1.20.1: it names the path and the source kind, never the URL."""
    import time

    from tests.streaming.conftest import MediaMTXServer

    camera = MediaMTXServer(name="secrets-camera")  # an RTSP "camera" that knows no such user
    try:
        sources = {
            "cam_1": f"rtsp://admin:{CAMERA_SECRET}@127.0.0.1:{camera.ports.rtsp}/live",
            "cam_2": f"rtsp://admin:{CAMERA_SECRET}@127.0.0.1:{processes.free_port()}/live",
        }
        for name, source in sources.items():
            mediamtx.client().path_replace(name, {"source": source, "sourceOnDemand": False, "rtspTransport": "tcp"})
        processes.wait_for(lambda: "[path cam_2] [RTSP source]" in mediamtx.process.output(), timeout=20,
                           what="the source lines")
        time.sleep(3)  # a retry or two of each
        output = mediamtx.process.output()
        for name in sources:
            mediamtx.client().path_delete(name)
    finally:
        camera.stop()
    assert "[path cam_1] [RTSP source]" in output, output[-2000:]
    assert CAMERA_SECRET not in output
