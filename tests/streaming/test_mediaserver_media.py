"""The stand-in's media outputs with a real RTSP camera: relay, HLS, readers, failures."""

import re
import signal
import subprocess
import time

import requests
import yaml

from tests.processes import free_port, wait_for

from .conftest import OPENAPI_SPEC, ffprobe_streams, unique_path_name
from .test_client_contract import ValidatingAdapter, openapi_for


def add_camera_path(media_server, camera_url, on_demand=True):
    name = unique_path_name()
    media_server.client().path_add(name, {"source": camera_url, "sourceOnDemand": on_demand})
    return name


def start_reader(url, seconds=None):
    """An FFmpeg reading the stream; with `seconds`, it stops by itself. Prints one line per packet."""
    args = ["ffmpeg", "-v", "error", "-nostdin", "-rtsp_transport", "tcp", "-i", url]
    if seconds:
        args += ["-t", str(seconds)]
    return subprocess.Popen(
        [*args, "-c", "copy", "-f", "framecrc", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def packets_read(reader, timeout=20):
    out, _ = reader.communicate(timeout=timeout)
    return sum(1 for line in out.splitlines() if line and not line.startswith("#"))


def test_a_path_serves_rtsp_and_hls(media_server, make_camera, tmp_path):
    camera = make_camera()
    name = add_camera_path(media_server, camera.url)

    streams = wait_for(lambda: ffprobe_streams(media_server.rtsp_url(name)), timeout=5, what="RTSP stream")
    assert (streams["codec_name"], streams["width"], streams["height"]) == ("h264", "640", "360")

    started = time.monotonic()
    playlist = requests.get(media_server.hls_url(name), timeout=10)
    assert playlist.status_code == 200, playlist.text
    assert time.monotonic() - started < 5
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert playlist.headers["Access-Control-Allow-Origin"] == "*"
    segment_name = re.search(r"^(\S+\.ts)$", playlist.text, re.M).group(1)
    segment = requests.get(f"{media_server.hls_url(name).rsplit('/', 1)[0]}/{segment_name}", timeout=5)
    assert segment.status_code == 200 and segment.headers["Content-Type"] == "video/mp2t"
    assert segment.headers["Access-Control-Allow-Origin"] == "*"

    segment_file = tmp_path / "segment.ts"
    segment_file.write_bytes(segment.content)
    decoded = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,nb_read_frames", "-of", "default=noprint_wrappers=1", str(segment_file)],
        capture_output=True, text=True, timeout=20,
    )
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    assert "codec_name=h264" in decoded.stdout
    assert int(re.search(r"nb_read_frames=(\d+)", decoded.stdout).group(1)) >= 10  # 1 s segments at 25 fps

    client = media_server.client()
    client.session.mount("http://", ValidatingAdapter(openapi_for(yaml.safe_load(OPENAPI_SPEC.read_text()),
                                                                  media_server.api_url)))
    state = client.path_state(name)  # a ready path's full state holds to the spec too
    assert state["ready"] and state["tracks"] == ["H264"] and state["source"] == {"type": "rtspSource", "id": ""}
    assert state["tracks2"][0]["codecProps"]["width"] == 640
    assert [reader["type"] for reader in state["readers"]] == ["hlsSession"]
    assert state["bytesReceived"] > 0


def test_readers_share_one_pull_made_only_on_demand(media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(media_server, camera.url)
    time.sleep(1.0)
    assert camera.connections() == 0, "pulled with no reader"
    assert not media_server.client().path_state(name)["ready"]

    url = media_server.rtsp_url(name)
    readers = [start_reader(url, seconds=4), start_reader(url, seconds=4)]
    state = wait_for(
        lambda: (s := media_server.client().path_state(name))["ready"] and len(s["readers"]) == 2 and s,
        timeout=5, what="two readers",
    )
    assert [reader["type"] for reader in state["readers"]] == ["rtspSession", "rtspSession"]
    assert all(packets_read(reader) >= 40 for reader in readers)  # 4 s at 25 fps, minus the start
    assert camera.connections() == 1

    # The pull stops after the last reader leaves.
    wait_for(lambda: media_server.client().path_state(name)["source"] is None, timeout=5, what="pull stopped")
    assert media_server.client().path_state(name)["readers"] == []


def test_a_path_not_on_demand_is_pulled_without_readers(media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(media_server, camera.url, on_demand=False)
    wait_for(lambda: media_server.client().path_state(name)["ready"], timeout=8, what="always-on path ready")
    assert camera.connections() == 1
    assert media_server.client().path_state(name)["readers"] == []  # the stand-in's own hold is no reader
    media_server.client().path_delete(name)


def test_deleting_a_path_disconnects_its_readers(media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(media_server, camera.url)
    reader = start_reader(media_server.rtsp_url(name))
    assert requests.get(media_server.hls_url(name), timeout=10).status_code == 200
    wait_for(lambda: len(media_server.client().path_state(name)["readers"]) == 2, timeout=5, what="readers")

    media_server.client().path_delete(name)
    reader.wait(5)  # raises if the reader is still connected
    assert requests.get(media_server.hls_url(name), timeout=10).status_code == 404
    assert ffprobe_streams(media_server.rtsp_url(name)) is None
    assert name not in [path["name"] for path in media_server.client().paths()]


def test_an_unreachable_camera_leaves_other_paths_alone(media_server, make_camera):
    dead = add_camera_path(media_server, f"rtsp://127.0.0.1:{free_port()}/stream")
    camera = make_camera()
    alive = add_camera_path(media_server, camera.url)

    assert ffprobe_streams(media_server.rtsp_url(dead)) is None
    assert requests.get(media_server.hls_url(dead), timeout=10).status_code == 404
    state = media_server.client().path_state(dead)
    assert not state["ready"] and state["tracks"] == []
    assert media_server.client().path_config(dead)["source"].startswith("rtsp://")

    assert ffprobe_streams(media_server.rtsp_url(alive))["codec_name"] == "h264"
    assert requests.get(media_server.hls_url(alive), timeout=10).status_code == 200


def test_a_camera_that_dies_closes_its_readers_and_comes_back(media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(media_server, camera.url)
    reader = start_reader(media_server.rtsp_url(name))
    wait_for(lambda: media_server.client().path_state(name)["ready"], timeout=5, what="ready")

    # A camera that hangs: rtspsrc's tcp-timeout ends the stream (EOS), and the
    # relay must close the readers of the dead shared media.
    camera.process.popen.send_signal(signal.SIGSTOP)
    reader.wait(12)
    camera.stop(signal.SIGKILL)
    wait_for(lambda: not media_server.client().path_state(name)["ready"], timeout=5, what="not ready")
    started = time.monotonic()
    assert ffprobe_streams(media_server.rtsp_url(name)) is None
    assert time.monotonic() - started < 3  # refused at once, not held until a timeout

    camera.start()
    streams = wait_for(lambda: ffprobe_streams(media_server.rtsp_url(name)), timeout=5, what="camera back")
    assert streams["codec_name"] == "h264"


def test_hls_of_an_unknown_path_is_404(media_server):
    response = requests.get(media_server.hls_url("no_such_path"), timeout=5)
    assert response.status_code == 404 and response.headers["Access-Control-Allow-Origin"] == "*"
