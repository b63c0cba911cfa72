"""Console camera pages: admins add, edit, delete and draw zones through the services; everyone watches."""

import json
import re

import pytest

from apps.cameras.models import Camera, Zone
from apps.cameras.services import camera_create, camera_set_zones

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SECRET = "hunter2-s3cret"
SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]


@pytest.fixture
def queued(monkeypatch):
    """Tasks the services queue, recorded instead of sent."""
    from apps.streaming import tasks

    sent = []
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: sent.append(("provision", camera_id)))
    monkeypatch.setattr(tasks.deprovision_path, "delay", lambda path: sent.append(("deprovision", path)))
    return sent


@pytest.fixture
def camera(alice, queued):
    return camera_create(
        actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10:554/live", username="admin", password=SECRET
    )


def field_block(page, name, next_name):
    return page[page.index(f'id="field-{name}"'):page.index(f'id="field-{next_name}"')]


class TestAddCamera:
    def test_an_admin_adds_a_camera_through_the_form(self, client, alice, queued, django_capture_on_commit_callbacks):
        client.force_login(alice)
        assert client.get("/cameras/add/").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/cameras/add/",
                {"name": "Gate", "rtsp_url": "rtsp://admin:pw@192.0.2.10:554/live", "location": "North",
                 "enabled": "on", "ai_fps": "1"},
            )
        camera = Camera.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/cameras/{camera.pk}/"
        assert camera.name == "Gate" and camera.location == "North" and camera.enabled
        assert camera.rtsp_url == "rtsp://192.0.2.10:554/live" and camera.username == "admin" and camera.has_password
        assert queued == [("provision", camera.pk)]
        page = client.get(response["Location"]).content.decode()
        assert "Camera Gate added" in page

    def test_a_bad_url_is_shown_next_to_the_field_and_nothing_is_saved(self, client, alice, queued):
        client.force_login(alice)
        response = client.post("/cameras/add/", {"name": "Gate", "rtsp_url": "http://192.0.2.10/live", "ai_fps": "1"})
        assert response.status_code == 200
        block = field_block(response.content.decode(), "rtsp_url", "username")
        assert "Only rtsp:// and rtsps:// URLs are supported." in block and "errorlist" in block
        assert not Camera.objects.exists() and queued == []

    def test_a_duplicate_name_is_shown_next_to_the_name(self, client, alice, camera):
        client.force_login(alice)
        response = client.post("/cameras/add/", {"name": "Gate", "rtsp_url": "rtsp://192.0.2.11/live", "ai_fps": "1"})
        block = field_block(response.content.decode(), "name", "rtsp_url")
        assert "A camera named &#x27;Gate&#x27; already exists." in block
        assert Camera.objects.count() == 1


class TestEditCamera:
    def test_the_password_is_never_prefilled_and_blank_keeps_it(self, client, alice, camera):
        client.force_login(alice)
        page = client.get(f"/cameras/{camera.pk}/edit/").content.decode()
        assert SECRET not in page and camera.password_encrypted not in page
        assert 'name="password"' in page and 'value="rtsp://192.0.2.10:554/live"' in page
        response = client.post(
            f"/cameras/{camera.pk}/edit/",
            {"name": "Main gate", "rtsp_url": camera.rtsp_url, "username": "admin", "password": "", "ai_fps": "1",
             "enabled": "on"},
        )
        assert response.status_code == 302
        camera.refresh_from_db()
        assert camera.name == "Main gate" and camera.source_url() == f"rtsp://admin:{SECRET}@192.0.2.10:554/live"

    def test_a_new_password_replaces_the_old_one(self, client, alice, camera):
        client.force_login(alice)
        client.post(
            f"/cameras/{camera.pk}/edit/",
            {"name": "Gate", "rtsp_url": camera.rtsp_url, "username": "admin", "password": "n3w", "ai_fps": "1"},
        )
        camera.refresh_from_db()
        assert camera.source_url() == "rtsp://admin:n3w@192.0.2.10:554/live"

    def test_an_invalid_edit_shows_the_error_and_changes_nothing(self, client, alice, camera):
        client.force_login(alice)
        response = client.post(
            f"/cameras/{camera.pk}/edit/", {"name": "Gate", "rtsp_url": "rtsp:///nohost", "ai_fps": "1"}
        )
        assert response.status_code == 200
        assert "The URL has no host." in field_block(response.content.decode(), "rtsp_url", "username")
        camera.refresh_from_db()
        assert camera.rtsp_url == "rtsp://192.0.2.10:554/live"


    def test_an_admin_turns_recording_on_in_the_form_and_the_camera_is_reprovisioned(
        self, client, alice, camera, queued, django_capture_on_commit_callbacks
    ):
        client.force_login(alice)
        page = client.get(f"/cameras/{camera.pk}/edit/").content.decode()
        assert 'name="recording_mode"' in page and 'name="recording_retention_days"' in page
        queued.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/cameras/{camera.pk}/edit/",
                {"name": "Gate", "rtsp_url": camera.rtsp_url, "username": "admin", "ai_fps": "1", "enabled": "on",
                 "recording_mode": "events", "recording_retention_days": "14"},
            )
        assert response.status_code == 302
        camera.refresh_from_db()
        assert (camera.recording_mode, camera.recording_retention_days) == ("events", 14)
        assert queued == [("provision", camera.pk)]

    def test_a_bad_retention_is_shown_next_to_the_field_and_changes_nothing(self, client, alice, camera):
        client.force_login(alice)
        response = client.post(
            f"/cameras/{camera.pk}/edit/",
            {"name": "Gate", "rtsp_url": camera.rtsp_url, "ai_fps": "1", "recording_mode": "continuous",
             "recording_retention_days": "0"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "greater than or equal to 1" in page[page.index('id="field-recording_retention_days"'):]
        camera.refresh_from_db()
        assert camera.recording_mode == "off"


class TestDeleteCamera:
    def test_delete_asks_first_and_deletes_only_on_post(self, client, alice, camera, queued):
        client.force_login(alice)
        page = client.get(f"/cameras/{camera.pk}/delete/")
        assert page.status_code == 200 and "Delete camera Gate?" in page.content.decode()
        assert "0 detections, their alerts and its recordings stay searchable" in " ".join(page.content.decode().split())
        assert Camera.objects.active().filter(pk=camera.pk).exists()
        response = client.post(f"/cameras/{camera.pk}/delete/")
        assert response.status_code == 302 and response["Location"] == "/cameras/"
        assert not Camera.objects.active().filter(pk=camera.pk).exists()
        assert f'data-camera-id="{camera.pk}"' not in client.get("/cameras/").content.decode()
        assert "Gate" in client.get("/cameras/?archived=1").content.decode()
        assert "This camera was deleted on" in client.get(f"/cameras/{camera.pk}/").content.decode()


class TestRoles:
    @pytest.mark.parametrize("user", ["victor", "olivia"])
    def test_viewers_and_operators_get_403_on_add_edit_delete(self, client, request, camera, user):
        client.force_login(request.getfixturevalue(user))
        data = {"name": "Hacked", "rtsp_url": "rtsp://192.0.2.66/x", "ai_fps": "1"}
        for url in ("/cameras/add/", f"/cameras/{camera.pk}/edit/", f"/cameras/{camera.pk}/delete/"):
            assert client.get(url).status_code == 403, url
            assert client.post(url, data).status_code == 403, url
        zones = '[{"name": "z", "points": [[0,0],[1,0],[1,1]]}]'
        assert client.post(f"/cameras/{camera.pk}/zones/", {"zones": zones}).status_code == 403
        camera.refresh_from_db()
        assert Camera.objects.count() == 1 and camera.name == "Gate" and not camera.zones.exists()

    def test_a_viewer_watches_the_list_and_the_camera_page_without_edit_links(self, client, victor, camera):
        client.force_login(victor)
        listing = client.get("/cameras/").content.decode()
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert "Gate" in listing and "Gate" in page
        assert f"/cameras/{camera.pk}/edit/" not in listing + page and "/cameras/add/" not in listing
        assert 'id="zone-editor"' not in page

    def test_anonymous_users_are_sent_to_log_in(self, client, camera):
        response = client.get(f"/cameras/{camera.pk}/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


class TestPages:
    def test_html_in_a_name_is_escaped_on_list_and_camera_pages(self, client, alice, queued):
        camera = camera_create(actor=alice, name=XSS, rtsp_url="rtsp://192.0.2.10/live", location=XSS)
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": XSS, "points": SQUARE}])
        client.force_login(alice)
        for url in ("/cameras/", f"/cameras/{camera.pk}/", f"/cameras/{camera.pk}/edit/", f"/cameras/{camera.pk}/delete/"):
            page = client.get(url).content.decode()
            assert XSS not in page, url
            assert XSS_ESCAPED in page, url

    def test_the_camera_page_shows_the_masked_url_and_never_the_password(self, client, alice, camera):
        client.force_login(alice)
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert SECRET not in page and camera.password_encrypted not in page
        assert "rtsp://admin:***@192.0.2.10:554/live" in page

    def test_the_camera_page_has_the_player_and_live_badges(self, client, victor, camera):
        client.force_login(victor)
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert f'data-hls="http://127.0.0.1:8888/cam_{camera.pk}/index.m3u8"' in page
        assert "hls-1.7.4.min.js" in page and "js/player.js" in page and "js/live-status.js" in page
        assert f'data-camera-id="{camera.pk}"' in page
        assert '<span class="badge pending" data-field="state"' in page and ">Provisioning…</span>" in page

    def test_a_provisioning_error_is_shown(self, client, victor, camera):
        Camera.objects.filter(pk=camera.pk).update(provision_state="error", provision_error="media server: 500 boom")
        client.force_login(victor)
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert "media server: 500 boom" in page and '<span class="badge error"' in page

    def test_the_list_shows_one_state_badge_per_camera(self, client, victor, camera):
        Camera.objects.filter(pk=camera.pk).update(stream_state="online", provision_state="ready")
        client.force_login(victor)
        page = client.get("/cameras/").content.decode()
        assert re.search(r'<span class="badge online" data-field="state"[^>]*>Online</span>', page)
        assert "badge ready" not in page

    def test_a_provisioned_camera_that_is_offline_shows_offline_and_why_never_a_green_ready(self, client, victor, camera):
        Camera.objects.filter(pk=camera.pk).update(
            stream_state="offline", provision_state="ready", stream_reason="source failed: connection refused"
        )
        client.force_login(victor)
        for url in (f"/cameras/{camera.pk}/", "/cameras/"):
            page = client.get(url).content.decode()
            assert re.search(r'<span class="badge offline" data-field="state"[^>]*>Offline</span>', page), url
            assert "source failed: connection refused" in page, url
            assert "badge ready" not in page and ">Ready<" not in page, url

    def test_a_provisioned_camera_not_yet_checked_says_ready_with_the_stream_state(self, client, victor, camera):
        Camera.objects.filter(pk=camera.pk).update(stream_state="unknown", provision_state="ready")
        client.force_login(victor)
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert re.search(r'<span class="badge unknown" data-field="state"[^>]*>Ready, checking video…</span>', page)


class TestZones:
    def test_an_admin_saves_zones_and_they_are_listed(self, client, alice, camera):
        client.force_login(alice)
        zones = '[{"name": "Lane 1", "points": [[0.1,0.1],[0.9,0.1],[0.9,0.9]]}, {"name": "Lane 2", "points": %s}]'
        response = client.post(f"/cameras/{camera.pk}/zones/", {"zones": zones % SQUARE})
        assert response.status_code == 302
        assert [(z.name, len(z.points)) for z in camera.zones.all()] == [("Lane 1", 3), ("Lane 2", 4)]
        page = client.get(f"/cameras/{camera.pk}/").content.decode()
        assert "Lane 1" in page and "Lane 2" in page and 'id="zone-editor"' in page

    @pytest.mark.parametrize(
        "zones, message",
        [
            ('[{"name": "Tiny", "points": [[0.1,0.1],[0.2,0.2]]}]', "Zone &#x27;Tiny&#x27; needs at least 3 points."),
            ('[{"name": "Out", "points": [[0.1,0.1],[1.5,0.1],[0.5,0.5]]}]', "points must lie inside the frame"),
            ('[{"name": "Bow", "points": [[0,0],[1,1],[1,0],[0,1]]}]', "crosses itself"),
            ("not json", "The zones could not be read."),
        ],
    )
    def test_an_invalid_zone_shows_the_error_and_keeps_the_old_zones(self, client, alice, camera, zones, message):
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": "Old lane", "points": SQUARE}])
        client.force_login(alice)
        response = client.post(f"/cameras/{camera.pk}/zones/", {"zones": zones})
        assert response.status_code == 400
        page = response.content.decode()
        errors = page[page.index('id="zone-errors"'):]
        assert message in errors[: errors.index("</div>")]
        assert list(Zone.objects.filter(camera=camera).values_list("name", "points")) == [("Old lane", SQUARE)]
        assert "Old lane" in page

    @pytest.mark.parametrize("bad", [
        {"name": "Bow", "points": [[0, 0], [1, 1], [1, 0], [0, 1]]},  # refused by the service
        {"name": "Old lane", "points": [[0.5, 0.5], [0.9, 0.5], [0.9, 0.9]]},  # a second zone of the same name
    ])
    def test_a_refused_save_gives_the_editor_back_the_zones_just_drawn(self, client, alice, camera, bad):
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": "Old lane", "points": SQUARE}])
        client.force_login(alice)
        drawn = [{"name": "Old lane", "points": SQUARE}, bad]
        response = client.post(f"/cameras/{camera.pk}/zones/", {"zones": json.dumps(drawn)})
        assert response.status_code == 400 and 'id="zone-errors" role="alert"' in response.content.decode()
        assert response.context["zones_data"] == drawn
        assert list(Zone.objects.filter(camera=camera).values_list("name", flat=True)) == ["Old lane"]

    def test_zones_are_saved_by_post_only(self, client, alice, camera):
        client.force_login(alice)
        assert client.get(f"/cameras/{camera.pk}/zones/").status_code == 405
