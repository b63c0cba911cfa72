"""Real MediaMTX on this machine, for `make run`, the benchmarks and the tests.

Its configuration is made from the compose one (deploy/mediamtx/mediamtx.yml, the one
place that says how VMS runs MediaMTX), moved onto loopback addresses and ports of the
caller's choice, with recordings under RECORDINGS_ROOT. Where no MediaMTX binary is
found (`MEDIAMTX_BIN`, or `mediamtx` on PATH) the stand-in takes its place.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE_CONFIG = Path(settings.BASE_DIR) / "deploy" / "mediamtx" / "mediamtx.yml"


@dataclass(frozen=True)
class Ports:
    api: int = 9997
    rtsp: int = 8554
    hls: int = 8888
    webrtc: int = 8889
    webrtc_tcp: int = 8189
    playback: int = 9996


def binary():
    """The MediaMTX executable to run, or "" when there is none."""
    return settings.MEDIAMTX_BIN


def local_config(*, ports=Ports(), host="127.0.0.1", record_path=None, api_user="", api_password="", auth_address=""):
    """The compose configuration on `host`, on `ports`, recording under `record_path`.

    With `auth_address` (the app's /internal/media-auth), MediaMTX asks the app about every request,
    as in compose. Without one (the tests of anything but access, the benchmarks: no app to ask),
    anyone on `host` may read; the API, metrics and playback need `api_user` when given."""
    config = yaml.safe_load(COMPOSE_CONFIG.read_text())
    address = lambda port: f"{host}:{port}"  # noqa: E731
    config.update(
        logStructured=False,
        apiAddress=address(ports.api),
        rtspAddress=address(ports.rtsp),
        hlsAddress=address(ports.hls),
        webrtcAddress=address(ports.webrtc),
        webrtcLocalTCPAddress=address(ports.webrtc_tcp),
        webrtcAdditionalHosts=[host],
        playbackAddress=address(ports.playback),
        # One metrics listener per machine would clash between instances; the API has the figures.
        metrics=False,
    )
    if auth_address:
        config.update(authHTTPAddress=auth_address)
    else:
        app = {"user": api_user, "pass": api_password, "ips": []} if api_user else {"user": "any", "pass": "", "ips": [host]}
        app["permissions"] = [{"action": "api"}, {"action": "metrics"}, {"action": "playback"}]
        readers = {"user": "any", "pass": "", "ips": [host], "permissions": [{"action": "read"}]}
        config.update(authMethod="internal", authInternalUsers=[readers, app])
    record_path = Path(record_path or settings.RECORDINGS_ROOT)
    config["pathDefaults"]["recordPath"] = str(record_path / "%path" / "%Y-%m-%d_%H-%M-%S-%f")
    return config


def write_config(path, **options):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(local_config(**options), sort_keys=False))
    return path
