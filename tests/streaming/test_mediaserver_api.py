"""The stand-in's control API and command line, beyond what the contract tests cover."""

import signal
import socket
import subprocess
import sys

import pytest
import requests
import yaml

from apps.devtools.mediaserver.pathconf import PATH_DEFAULTS

from .conftest import (
    MEDIAMTX_DEFAULT_CONFIG,
    REPO_ROOT,
    StandInMediaServer,
    unique_path_name,
)

SOURCE = "rtsp://127.0.0.1:1/never-read"


def api(media_server, method, route, **kwargs):
    return requests.request(method, f"{media_server.api_url}{route}", timeout=5, **kwargs)


def test_defaults_are_mediamtx_path_defaults():
    reference = yaml.safe_load(MEDIAMTX_DEFAULT_CONFIG.read_text())["pathDefaults"]
    assert PATH_DEFAULTS == {key: "" if value is None else value for key, value in reference.items()}


def test_patch_changes_only_what_it_names(media_server):
    name = unique_path_name()
    api(media_server, "POST", f"/v3/config/paths/add/{name}", json={"source": SOURCE, "sourceOnDemand": True})
    response = api(media_server, "PATCH", f"/v3/config/paths/patch/{name}", json={"maxReaders": 3})
    assert response.json() == {"status": "ok"}
    conf = api(media_server, "GET", f"/v3/config/paths/get/{name}").json()
    assert (conf["source"], conf["sourceOnDemand"], conf["maxReaders"]) == (SOURCE, True, 3)
    api(media_server, "DELETE", f"/v3/config/paths/delete/{name}")


def test_path_names_may_hold_slashes_but_not_odd_characters(media_server):
    response = api(media_server, "POST", "/v3/config/paths/add/site/gate", json={"source": SOURCE})
    assert response.status_code == 200
    assert api(media_server, "GET", "/v3/paths/get/site/gate").json()["name"] == "site/gate"
    assert api(media_server, "DELETE", "/v3/config/paths/delete/site/gate").status_code == 200

    response = api(media_server, "POST", "/v3/config/paths/add/bad%20name", json={"source": SOURCE})
    assert response.status_code == 400 and "invalid path name" in response.json()["error"]


def test_missing_body_and_unknown_routes(media_server):
    response = api(media_server, "POST", f"/v3/config/paths/add/{unique_path_name()}")
    assert response.status_code == 400 and response.json()["status"] == "error"
    assert api(media_server, "GET", "/v3/nothing/here").status_code == 404
    assert api(media_server, "GET", "/v3/config/paths/add/x").status_code == 404  # wrong method


def run_command(*args, timeout=20):
    return subprocess.run(
        [sys.executable, "manage.py", "mediaserver", "--server", "standin", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )


def test_bad_flags_exit_non_zero_with_a_clear_line():
    result = run_command("--api-port", "many")
    assert result.returncode != 0 and "--api-port: invalid int value" in result.stderr
    result = run_command("--api-user", "only-user")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == "CommandError: --api-user and --api-password go together"


@pytest.mark.parametrize("busy", ["api", "rtsp", "hls", "playback"])
def test_a_port_in_use_is_one_clear_line(busy):
    from tests.processes import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        ports = {kind: busy_port if kind == busy else free_port() for kind in ("api", "rtsp", "hls", "playback")}
        result = run_command(*[arg for kind, port in ports.items() for arg in (f"--{kind}-port", str(port))])
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("CommandError: cannot start the media server:") and str(busy_port) in last_line


def test_sigterm_stops_it_cleanly():
    server = StandInMediaServer(name="mediaserver-sigterm")
    server.process.popen.send_signal(signal.SIGTERM)
    assert server.process.popen.wait(10) == 0
    assert "stopping" in server.process.output()
    server.stop()
