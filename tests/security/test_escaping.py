"""Markup, scripts and control characters in every text field are stored as given and shown escaped."""

import html

import pytest

from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db

# Inside the value (leading/trailing whitespace is trimmed by design): markup, an event handler,
# a script end tag that would break out of a <script> block, quotes, BEL, ESC and a right-to-left override.
NASTY = 'A<script>alert("x")</script><img src=x onerror=alert(1)>\'"&\x07\x1b\u202eZ'
RAW_MARKERS = ("<script>alert", "<img src=x", "</script><img")


def assert_escaped(page, url):
    for marker in RAW_MARKERS:
        assert marker not in page, f"{url} shows {marker!r} unescaped"
    assert html.escape("<script>alert(") in page or "\\u003Cscript\\u003Ealert(" in page, f"{url} does not show the value"


@pytest.fixture
def nasty_objects(alice, olivia):
    api = client_as(alice, api=True)
    camera = api.post(
        "/api/cameras/",
        {"name": NASTY, "location": NASTY, "username": "ad<b>min", "rtsp_url": "rtsp://192.0.2.1/live"},
        content_type="application/json",
    )
    assert camera.status_code == 201, camera.content
    camera_id = camera.json()["id"]
    zones = api.put(
        f"/api/cameras/{camera_id}/zones/", [{"name": NASTY, "points": [[0, 0], [1, 0], [1, 1]]}],
        content_type="application/json",
    )
    assert zones.status_code == 200, zones.content
    mosaic = client_as(olivia, api=True).post(
        "/api/mosaics/", {"name": NASTY, "cameras": [camera_id], "shared": True}, content_type="application/json"
    )
    assert mosaic.status_code == 201, mosaic.content
    watchlist = client_as(olivia, api=True).post(
        "/api/watchlists/",
        {"name": NASTY, "description": NASTY, "entries": [{"pattern": "ABC1234", "note": NASTY}]},
        content_type="application/json",
    )
    assert watchlist.status_code == 201, watchlist.content
    return {"camera": camera_id, "mosaic": mosaic.json()["id"], "watchlist": watchlist.json()["id"]}


def test_text_is_stored_exactly_as_given(nasty_objects):
    from apps.cameras.models import Camera
    from apps.mosaics.models import Mosaic
    from apps.watchlists.models import WatchList

    camera = Camera.objects.get(pk=nasty_objects["camera"])
    assert camera.name == NASTY and camera.location == NASTY and camera.username == "ad<b>min"
    assert camera.zones.get().name == NASTY
    assert Mosaic.objects.get(pk=nasty_objects["mosaic"]).name == NASTY
    watchlist = WatchList.objects.get(pk=nasty_objects["watchlist"])
    assert watchlist.name == NASTY and watchlist.description == NASTY and watchlist.entries.get().note == NASTY


def test_the_api_returns_the_text_as_json_strings(nasty_objects, alice):
    data = client_as(alice, api=True).get(f"/api/cameras/{nasty_objects['camera']}/").json()
    assert data["name"] == NASTY and data["zones"][0]["name"] == NASTY


@pytest.mark.parametrize("url", [
    "/cameras/", "/cameras/{camera}/", "/cameras/{camera}/edit/", "/cameras/{camera}/delete/",
    "/mosaics/", "/mosaics/{mosaic}/", "/mosaics/{mosaic}/edit/", "/mosaics/{mosaic}/delete/", "/mosaics/add/",
    "/watchlists/", "/watchlists/{watchlist}/", "/watchlists/{watchlist}/edit/", "/watchlists/{watchlist}/delete/",
])
def test_every_console_page_shows_the_text_escaped(url, nasty_objects, alice):
    url = url.format(**nasty_objects)
    response = client_as(alice).get(url)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), url)


def test_a_refused_form_echoes_the_input_escaped(alice):
    """The form comes back with the user's own input (a reflected-XSS path)."""
    response = client_as(alice).post("/cameras/add/", {"name": NASTY, "rtsp_url": "http://not-rtsp/" + NASTY})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "/cameras/add/ (refused)")


def test_a_nul_character_is_refused_not_a_crash(alice, objects):
    api = client_as(alice, api=True)
    for url, method, body in (
        ("/api/cameras/", "post", {"name": "a\x00b", "rtsp_url": "rtsp://192.0.2.1/live"}),
        (f"/api/cameras/{objects['camera'].pk}/zones/", "put", [{"name": "a\x00b", "points": [[0, 0], [1, 0], [1, 1]]}]),
        ("/api/mosaics/", "post", {"name": "a\x00b", "cameras": []}),
        ("/api/watchlists/", "post", {"name": "a\x00b"}),
    ):
        assert getattr(api, method)(url, body, content_type="application/json").status_code == 400, url
    assert client_as(alice).post("/cameras/add/", {"name": "a\x00b", "rtsp_url": "rtsp://192.0.2.1/x"}).status_code == 200
