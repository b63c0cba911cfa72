"""Fixtures for the media server tests: the stand-in media server and small RTSP test cameras.

Self-contained on purpose (only tests/processes.py), so `media_server` can move to the root conftest.
Run as a script, this file is the test camera: `python tests/streaming/conftest.py PORT [WIDTHxHEIGHT]`.
"""

import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# MediaMTX's own OpenAPI and default configuration, vendored unchanged (docs/reference/README.md).
MEDIAMTX_REFERENCE = REPO_ROOT / "docs" / "reference" / "mediamtx"
OPENAPI_SPEC = MEDIAMTX_REFERENCE / "openapi.yaml"
MEDIAMTX_DEFAULT_CONFIG = MEDIAMTX_REFERENCE / "mediamtx.yml"

_names = itertools.count(1)


def unique_path_name(prefix="cam"):
    return f"{prefix}_{os.getpid()}_{next(_names)}"


class StandInMediaServer:
    """A running `manage.py mediaserver` on free ports."""

    kind = "standin"
    configured_path_defaults = {}

    def __init__(self, name="mediaserver", api_user="", api_password="", hls_idle_seconds=60, auth_url=""):
        """With `auth_url` it asks the app there about every request (the app need not be up yet)."""
        from tests import processes

        self.host = "127.0.0.1"
        self.api_port, self.rtsp_port, self.hls_port, self.playback_port = distinct_free_ports(4)
        args = [
            sys.executable, "manage.py", "mediaserver", "--server", "standin", "--host", self.host,
            "--api-port", str(self.api_port), "--rtsp-port", str(self.rtsp_port), "--hls-port", str(self.hls_port),
            "--playback-port", str(self.playback_port), "--hls-idle-seconds", str(hls_idle_seconds),
        ]
        if api_user:
            args += ["--api-user", api_user, "--api-password", api_password]
        if auth_url:
            args += ["--auth-url", auth_url]
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings", PYTHONUNBUFFERED="1")
        self._start = lambda: processes.Process(f"{name}-{self.api_port}", args, env=env, cwd=REPO_ROOT)
        self.api_url = f"http://{self.host}:{self.api_port}"
        self.playback_url = f"http://{self.host}:{self.playback_port}"
        self.auth = (api_user, api_password) if api_user else None
        self.auth_url = auth_url
        self.process = self._start()
        self._wait(f"stand-in media server on {self.api_url}")

    def _wait(self, what):
        from tests import processes

        if self.auth_url:  # its API asks the app, which need not be up yet
            processes.wait_for(lambda: self.process.check_alive() and processes.port_open(self.hls_port), timeout=20,
                               what=what)
            return
        processes.wait_until_answers(self.process, f"{self.api_url}/v3/info", timeout=20, what=what, auth=self.auth)

    def rtsp_url(self, name):
        return f"rtsp://{self.host}:{self.rtsp_port}/{name}"

    def hls_url(self, name):
        return f"http://{self.host}:{self.hls_port}/{name}/index.m3u8"

    def client(self):
        from apps.streaming.client import MediaServerClient

        user, password = self.auth or ("", "")
        return MediaServerClient(self.api_url, user, password, timeout=5)

    def stop(self):
        self.process.stop()

    def restart(self, sig=signal.SIGKILL, down_seconds=0):
        """Killed (SIGKILL: its FFmpegs die with it) and started again on the same ports, its API paths gone."""
        import time

        self.process.stop(sig)
        time.sleep(down_seconds)
        self.process = self._start()
        self._wait(f"stand-in media server on {self.api_url} again")


class MediaMTXServer:
    """Real MediaMTX (`manage.py mediaserver --server mediamtx`, MEDIAMTX_BIN) on free ports, like StandInMediaServer."""

    kind = "mediamtx"

    def __init__(self, name="mediamtx", record_path=None, auth_url=""):
        """With `auth_url` it asks the app there about every request (the app need not be up yet)."""
        from apps.devtools.mediamtx import Ports
        from tests import processes

        self.host = "127.0.0.1"
        self.ports = Ports(*distinct_free_ports(6))
        args = [sys.executable, "manage.py", "mediaserver", "--server", "mediamtx", "--host", self.host]
        for field in Ports.__dataclass_fields__:
            args += [f"--{field.replace('_', '-')}-port", str(getattr(self.ports, field))]
        if record_path:
            args += ["--record-path", str(record_path)]
        if auth_url:
            args += ["--auth-url", auth_url]
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings")
        self._start = lambda: processes.Process(f"{name}-{self.ports.api}", args, env=env, cwd=REPO_ROOT)
        self.process = self._start()
        self.api_url = f"http://{self.host}:{self.ports.api}"
        self.playback_url = f"http://{self.host}:{self.ports.playback}"
        self.webrtc_url = f"http://{self.host}:{self.ports.webrtc}"
        self.auth = None
        from apps.devtools.mediamtx import local_config

        self.configured_path_defaults = local_config(record_path=record_path)["pathDefaults"]
        if auth_url:
            processes.wait_for(lambda: self.process.check_alive() and processes.port_open(self.ports.hls), timeout=20,
                               what=f"MediaMTX on {self.api_url}")
            return
        processes.wait_until_answers(self.process, f"{self.api_url}/v3/paths/list", timeout=20,
                                     what=f"MediaMTX on {self.api_url}")

    @property
    def hls_port(self):
        return self.ports.hls

    def rtsp_url(self, name):
        return f"rtsp://{self.host}:{self.ports.rtsp}/{name}"

    def hls_url(self, name):
        return f"http://{self.host}:{self.ports.hls}/{name}/index.m3u8"

    def client(self):
        from apps.streaming.client import MediaServerClient

        return MediaServerClient(self.api_url, "", "", timeout=5)

    def stop(self):
        self.process.stop()

    def restart(self, sig=signal.SIGKILL, down_seconds=0):
        """Killed (SIGKILL: no clean shutdown) and started again on the same ports, its API paths gone."""
        import time

        from tests import processes

        self.process.stop(sig)
        time.sleep(down_seconds)
        self.process = self._start()
        processes.wait_until_answers(self.process, f"{self.api_url}/v3/paths/list", timeout=20,
                                     what=f"MediaMTX on {self.api_url} again")


def mediamtx_available():
    """Whether real MediaMTX can run here; under CI with MEDIAMTX_BIN named, it must."""
    from django.conf import settings

    if settings.MEDIAMTX_BIN:
        return True
    if os.environ.get("CI") == "true" and os.environ.get("MEDIAMTX_BIN"):
        pytest.fail(f"MEDIAMTX_BIN={os.environ['MEDIAMTX_BIN']} is set but cannot run")
    return False


def distinct_free_ports(count):
    from tests.processes import free_port

    ports = set()
    while len(ports) < count:
        ports.add(free_port())
    return list(ports)


# `media_server` (the stand-in, for the whole session) is in tests/conftest.py.


class RtspTestCamera:
    """An RTSP camera (GStreamer, x264 test pattern) that logs each client connection.

    `login=("user", "password")`: it asks for them (Basic, 401 without); `codec="mjpeg"`: it sends
    Motion JPEG, which the console cannot play."""

    def __init__(self, width=640, height=360, login=None, codec="h264"):
        from tests import processes

        self.port = processes.free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/stream"
        self.size = f"{width}x{height}"
        self.login = login
        self.codec = codec
        self.start()

    def start(self):
        from tests import processes

        login = ":".join(self.login) if self.login else "-"
        self.process = processes.Process(
            f"testcamera-{self.port}", [sys.executable, __file__, str(self.port), self.size, login, self.codec],
            cwd=REPO_ROOT,
        )
        processes.wait_for(
            lambda: self.process.check_alive() and "camera: serving" in self.process.output(),
            timeout=10, what="test camera",
        )

    def connections(self):
        return self.process.output().count("camera: client connected")

    def stop(self, sig=signal.SIGTERM):
        self.process.stop(sig)


@pytest.fixture
def make_camera():
    cameras = []

    def make(**size):
        camera = RtspTestCamera(**size)
        cameras.append(camera)
        return camera

    yield make
    for camera in cameras:
        camera.stop()


def ffprobe_streams(url, timeout=10):
    """ffprobe's view of a stream's video: {"codec_name": ..., "width": ...}, or None when it can't be read."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height", "-of", "default=noprint_wrappers=1", url],
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in result.stdout.split())


ENCODERS = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96",
    "mjpeg": "videoconvert ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay name=pay0 pt=26",
}


def serve_test_camera(port, width, height, login="-", codec="h264"):
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate=25/1 "
        f"! {ENCODERS[codec]} )"
    )
    factory.set_shared(True)
    if login != "-":
        user, password = login.split(":", 1)
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
        factory.add_role_from_structure(Gst.Structure.from_string(
            "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
    server.get_mount_points().add_factory("/stream", factory)
    server.connect("client-connected", lambda *_: print("camera: client connected", flush=True))
    if not server.attach(None):
        sys.exit(f"camera: cannot listen on port {port}")
    print(f"camera: serving rtsp://127.0.0.1:{port}/stream", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    camera_port = int(sys.argv[1])
    camera_width, camera_height = (int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "640x360").split("x"))
    serve_test_camera(camera_port, camera_width, camera_height, *sys.argv[3:5])
