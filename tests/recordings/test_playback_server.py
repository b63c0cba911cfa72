"""The playback server's own answers, as VMS reads them, the same from the stand-in and from real MediaMTX:
`/list` bodies and their `/get` links, each refusal with its status and words, and the recorder's cleaner
(recordDeleteAfter)."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings

from apps.streaming.client import media_server as media_server_client
from apps.streaming.client import rfc3339
from tests.recordings.conftest import wait_until_recorded
from tests.streaming.conftest import unique_path_name

pytestmark = pytest.mark.django_db(transaction=True)


def playback(server, route, **params):
    return requests.get(f"{server.playback_url}{route}", params=params, timeout=10)


def error_of(response):
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error"
    return response.status_code, body["error"]


def test_list_gives_the_recorded_span_with_a_get_link_that_plays(recording_camera, recording_server):
    wait_until_recorded(recording_camera, 4, timeout=20)
    response = playback(recording_server, "/list", path=recording_camera.path_name)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    [entry] = response.json()
    assert set(entry) == {"start", "duration", "url"} and entry["duration"] >= 4
    link = urlsplit(entry["url"])
    assert (link.scheme, link.netloc, link.path) == ("http", urlsplit(recording_server.playback_url).netloc, "/get")
    query = parse_qs(link.query)
    assert list(query) == ["duration", "path", "start"]  # Go's url.Values.Encode: sorted
    assert query["path"] == [recording_camera.path_name] and query["start"] == [entry["start"]]
    clip = requests.get(entry["url"], params={"format": "mp4"}, timeout=20)
    assert clip.status_code == 200 and clip.headers["Content-Type"] == "video/mp4"
    assert clip.headers["Accept-Ranges"] == "none" and clip.content[4:8] == b"ftyp"

    # A window: the span cut to it, its start as given.
    first = datetime.fromisoformat(entry["start"].replace("Z", "+00:00"))
    [window] = playback(recording_server, "/list", path=recording_camera.path_name,
                        start=rfc3339(first + timedelta(seconds=1)), end=rfc3339(first + timedelta(seconds=3))).json()
    assert datetime.fromisoformat(window["start"].replace("Z", "+00:00")) == first + timedelta(seconds=1)
    assert abs(window["duration"] - 2) < 0.01


def test_each_refusal_is_worded_as_mediamtx_words_it(recording_camera, recording_server):
    wait_until_recorded(recording_camera, 2, timeout=20)
    name = recording_camera.path_name
    assert error_of(playback(recording_server, "/list", path="../etc")) == (
        400, "invalid path name: can't contain dot path segments (../etc)")
    assert error_of(playback(recording_server, "/list", path="nowhere")) == (400, "path 'nowhere' is not configured")
    assert error_of(playback(recording_server, "/get", path=name, start="2026-01-01T00:00:00Z", duration="5",
                             format="avi")) == (400, "invalid format: avi")
    assert error_of(playback(recording_server, "/get", path=name, start="2026-01-01T00:00:00Z", duration="x")) == (
        400, 'invalid duration: time: invalid duration "x"')
    status, message = error_of(playback(recording_server, "/get", path=name, start="yesterday", duration="5"))
    assert status == 400 and message.startswith('invalid start: parsing time "yesterday"')
    for start in ("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z"):  # before anything was recorded; after
        assert error_of(playback(recording_server, "/get", path=name, start=start, duration="5")) == (
            404, "no recording segments found")
    assert error_of(playback(recording_server, "/list", path=name, start="2999-01-01T00:00:00Z")) == (
        404, "no recording segments found")
    other = playback(recording_server, "/elsewhere")
    assert (other.status_code, other.text) == (404, "404 page not found")


def test_a_path_that_never_recorded_lists_an_error_naming_its_missing_folder(recording_server):
    from apps.cameras.models import Camera
    from apps.streaming.services import record_conf

    camera = Camera(name="Never", rtsp_url="rtsp://127.0.0.1:9/nothing", recording_mode="continuous")
    name = unique_path_name("never")  # a camera that never answers: nothing recorded, no folder
    media_server_client().path_add(name, {"source": camera.rtsp_url, "rtspTransport": "tcp", **record_conf(camera)})
    try:
        status, message = error_of(playback(recording_server, "/list", path=name))
        assert status == 400 and message == f"lstat {settings.RECORDINGS_ROOT}/{name}: no such file or directory"
    finally:
        media_server_client().path_delete(name)


def test_segments_older_than_record_delete_after_are_deleted(recording_server):
    import time

    from apps.recordings import segments
    from apps.streaming.services import go_duration
    from tests.streaming.conftest import RtspTestCamera

    source = RtspTestCamera()
    name = unique_path_name("cam")
    media_server_client().path_add(name, {
        "source": source.url, "rtspTransport": "tcp", "sourceOnDemand": False, "record": True,
        "recordPath": f"{settings.RECORDINGS_ROOT}/%path/%Y-%m-%d_%H-%M-%S-%f", "recordFormat": "fmp4",
        "recordSegmentDuration": go_duration(1), "recordDeleteAfter": go_duration(4),
    })
    try:
        deadline = time.monotonic() + 30
        first = None
        while time.monotonic() < deadline:
            found = segments.camera_segments(name)
            first = first or (found[0].path if found else None)
            if first and not first.exists():
                break
            time.sleep(0.5)
        assert first and not first.exists(), "the oldest segment was never deleted"
        oldest = segments.camera_segments(name)[0].start
        assert (datetime.now(oldest.tzinfo) - oldest).total_seconds() < 4 + 3  # the rest: younger, give or take a pass
    finally:
        media_server_client().path_delete(name)
        source.stop()
