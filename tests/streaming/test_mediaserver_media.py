"""The media server's outputs with a real RTSP camera: relay, HLS, readers, failures.

Each test runs against the stand-in and real MediaMTX (`each_media_server`), so the stand-in is held to the
real thing; where MediaMTX is slower by design (it waits `sourceOnDemandStartTimeout`, 10 s, for a dead source,
and closes an idle pull after `sourceOnDemandCloseAfter`, 10 s) the bounds allow for it.
"""

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


def hls_first_segment(session, playlist_url):
    """(the segment's response, its bytes with the fMP4 init segment first where there is one) of the first
    media segment of an HLS stream; a multivariant playlist (MediaMTX) is followed to its variant."""
    base = playlist_url.rsplit("/", 1)[0]
    text = session.get(playlist_url, timeout=15).text
    variant = re.search(r"^([^#\s]\S*\.m3u8\S*)$", text, re.M)
    if variant:
        text = wait_for(
            lambda: (t := session.get(f"{base}/{variant.group(1)}", timeout=10).text) and "#EXTINF" in t and t,
            timeout=10, what="segments in the variant playlist",
        )
    init = re.search(r'#EXT-X-MAP:URI="([^"]+)"', text)
    name = re.search(r"^([^#\s]\S*\.(?:ts|mp4|m4s)\S*)$", text, re.M).group(1)
    segment = session.get(f"{base}/{name}", timeout=10)
    head = session.get(f"{base}/{init.group(1)}", timeout=10).content if init else b""
    return segment, head + segment.content


def test_a_path_serves_rtsp_and_hls(each_media_server, make_camera, tmp_path):
    camera = make_camera()
    name = add_camera_path(each_media_server, camera.url)

    streams = wait_for(lambda: ffprobe_streams(each_media_server.rtsp_url(name)), timeout=5, what="RTSP stream")
    assert (streams["codec_name"], streams["width"], streams["height"]) == ("h264", "640", "360")

    session = requests.Session()  # MediaMTX sets a cookie on the first playlist request (302 ?cookieCheck=1)
    started = time.monotonic()
    playlist = session.get(each_media_server.hls_url(name), timeout=10)
    assert playlist.status_code == 200, playlist.text
    assert time.monotonic() - started < 5
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert playlist.headers["Access-Control-Allow-Origin"] == "*"
    segment, data = hls_first_segment(session, each_media_server.hls_url(name))
    assert segment.status_code == 200 and segment.headers["Content-Type"] in ("video/mp2t", "video/mp4")
    assert segment.headers["Access-Control-Allow-Origin"] == "*"

    segment_file = tmp_path / "segment"
    segment_file.write_bytes(data)
    decoded = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,nb_read_frames", "-of", "default=noprint_wrappers=1", str(segment_file)],
        capture_output=True, text=True, timeout=20,
    )
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    assert "codec_name=h264" in decoded.stdout
    assert int(re.search(r"nb_read_frames=(\d+)", decoded.stdout).group(1)) >= 10  # 1 s segments at 25 fps

    client = each_media_server.client()
    client.session.mount("http://", ValidatingAdapter(openapi_for(yaml.safe_load(OPENAPI_SPEC.read_text()),
                                                                  each_media_server.api_url)))
    state = client.path_state(name)  # a ready path's full state holds to the spec too
    assert state["ready"] and state["tracks"] == ["H264"] and state["source"] == {"type": "rtspSource", "id": ""}
    assert state["tracks2"][0]["codecProps"]["width"] == 640
    assert {reader["type"] for reader in state["readers"]} == {"hlsSession"}
    assert state["bytesReceived"] > 0


def test_readers_share_one_pull_made_only_on_demand(each_media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(each_media_server, camera.url)
    time.sleep(1.0)
    assert camera.connections() == 0, "pulled with no reader"
    assert not each_media_server.client().path_state(name)["ready"]

    url = each_media_server.rtsp_url(name)
    readers = [start_reader(url, seconds=4), start_reader(url, seconds=4)]
    state = wait_for(
        lambda: (s := each_media_server.client().path_state(name))["ready"] and len(s["readers"]) == 2 and s,
        timeout=5, what="two readers",
    )
    assert [reader["type"] for reader in state["readers"]] == ["rtspSession", "rtspSession"]
    assert all(packets_read(reader) >= 40 for reader in readers)  # 4 s at 25 fps, minus the start
    assert camera.connections() == 1

    # The pull stops after the last reader leaves.
    wait_for(lambda: not each_media_server.client().path_state(name)["ready"], timeout=15, what="pull stopped")
    assert each_media_server.client().path_state(name)["readers"] == []


def test_a_path_not_on_demand_is_pulled_without_readers(each_media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(each_media_server, camera.url, on_demand=False)
    wait_for(lambda: each_media_server.client().path_state(name)["ready"], timeout=8, what="always-on path ready")
    assert camera.connections() == 1
    assert each_media_server.client().path_state(name)["readers"] == []  # the stand-in's own hold is no reader
    each_media_server.client().path_delete(name)


def test_deleting_a_path_disconnects_its_readers(each_media_server, make_camera):
    camera = make_camera()
    name = add_camera_path(each_media_server, camera.url)
    reader = start_reader(each_media_server.rtsp_url(name))
    assert requests.Session().get(each_media_server.hls_url(name), timeout=10).status_code == 200
    wait_for(lambda: len(each_media_server.client().path_state(name)["readers"]) == 2, timeout=5, what="readers")

    each_media_server.client().path_delete(name)
    reader.wait(5)  # raises if the reader is still connected
    assert hls_refused(each_media_server, name)
    assert ffprobe_streams(each_media_server.rtsp_url(name)) is None
    assert name not in [path["name"] for path in each_media_server.client().paths()]


def test_an_unreachable_camera_leaves_other_paths_alone(each_media_server, make_camera):
    dead = add_camera_path(each_media_server, f"rtsp://127.0.0.1:{free_port()}/stream")
    camera = make_camera()
    alive = add_camera_path(each_media_server, camera.url)

    assert ffprobe_streams(each_media_server.rtsp_url(dead), timeout=20) is None
    assert hls_refused(each_media_server, dead)
    state = each_media_server.client().path_state(dead)
    assert not state["ready"] and state["tracks"] == []
    assert each_media_server.client().path_config(dead)["source"].startswith("rtsp://")

    assert ffprobe_streams(each_media_server.rtsp_url(alive))["codec_name"] == "h264"
    assert requests.Session().get(each_media_server.hls_url(alive), timeout=10).status_code == 200


def hls_refused(server, name):
    """No playlist for the path: the stand-in answers 404, MediaMTX 500 `path '…' is not configured` (or, for a
    source that never answers, after its start timeout)."""
    response = requests.Session().get(server.hls_url(name), timeout=20)
    return response.status_code >= 400 and response.headers["Access-Control-Allow-Origin"] == "*"


# Stand-in only: MediaMTX holds a new reader of a dead on-demand source for its start timeout (10 s) rather
# than refusing at once, which is what this test checks of the stand-in's relay.
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


def test_hls_of_an_unknown_path_is_refused(each_media_server):
    assert hls_refused(each_media_server, "no_such_path")
