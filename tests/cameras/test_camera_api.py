"""/api/cameras/ (DRF) and /api/streaming/ (ninja): roles, validation, secrets."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.cameras.models import Camera

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    from apps.streaming import tasks

    sent = []
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: sent.append(("provision", camera_id)))
    monkeypatch.setattr(tasks.deprovision_path, "delay", lambda path: sent.append(("deprovision", path)))
    return sent


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


NEW_CAMERA = {"name": "Gate", "rtsp_url": "rtsp://192.0.2.10:554/live", "username": "cam", "password": "hunter2"}


def test_an_admin_creates_a_camera_and_never_sees_its_password(alice):
    response = api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rtsp_url"] == "rtsp://cam:***@192.0.2.10:554/live"
    assert body["has_password"] is True and "password" not in body
    assert body["provision_state"] == "pending"
    assert body["urls"]["hls"].endswith(f"/cam_{body['id']}/index.m3u8")
    listing = api_as(alice).get("/api/cameras/")
    assert "hunter2" not in listing.content.decode()
    assert listing.json()["count"] == 1


def test_a_viewer_reads_but_cannot_write(alice, victor):
    api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json")
    viewer = api_as(victor)
    assert viewer.get("/api/cameras/").status_code == 200
    assert viewer.post("/api/cameras/", NEW_CAMERA | {"name": "Other"}, format="json").status_code == 403
    camera_id = Camera.objects.get().pk
    assert viewer.patch(f"/api/cameras/{camera_id}/", {"name": "x"}, format="json").status_code == 403
    assert viewer.delete(f"/api/cameras/{camera_id}/").status_code == 403


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "Gate", "rtsp_url": "http://192.0.2.10/live"}, "rtsp_url"),
        ({"name": "Gate", "rtsp_url": "rtsp://"}, "rtsp_url"),
        ({"name": "x" * 300, "rtsp_url": "rtsp://192.0.2.10/live"}, "name"),
        ({"name": "Gate", "rtsp_url": "rtsp://192.0.2.10/live", "ai_fps": 10}, "ai_fps"),
        ({"rtsp_url": "rtsp://192.0.2.10/live"}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_created(alice, queued, payload, field):
    response = api_as(alice).post("/api/cameras/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Camera.objects.exists() and queued == []


def test_a_duplicate_name_is_a_400_with_a_message(alice):
    api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json")
    response = api_as(alice).post("/api/cameras/", NEW_CAMERA | {"rtsp_url": "rtsp://192.0.2.11/x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A camera named 'Gate' already exists."]}


def test_zones_are_replaced_and_invalid_ones_refused(alice):
    camera_id = api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json").json()["id"]
    ok = api_as(alice).put(
        f"/api/cameras/{camera_id}/zones/", [{"name": "lane", "points": [[0, 0], [1, 0], [1, 1]]}], format="json"
    )
    assert ok.status_code == 200 and ok.json()[0]["name"] == "lane"
    bad = api_as(alice).put(
        f"/api/cameras/{camera_id}/zones/", [{"name": "x", "points": [[0, 0], [1, 1], [1, 0], [0, 1]]}], format="json"
    )
    assert bad.status_code == 400 and "crosses itself" in str(bad.json())
    assert [z["name"] for z in api_as(alice).get(f"/api/cameras/{camera_id}/").json()["zones"]] == ["lane"]


def test_unknown_camera_ids_are_404(alice):
    assert api_as(alice).get("/api/cameras/999999/").status_code == 404
    assert api_as(alice).get("/api/streaming/cameras/999999").status_code == 404
    assert api_as(alice).get("/api/cameras/not-a-number/").status_code == 404


def test_a_bad_filter_is_a_400(alice):
    response = api_as(alice).get("/api/cameras/?stream_state=sleeping")
    assert response.status_code == 400 and "stream_state" in response.json()


def test_streaming_api_gives_urls_and_state_and_only_admins_reprovision(
    alice, victor, queued, django_capture_on_commit_callbacks
):
    camera_id = api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json").json()["id"]
    queued.clear()
    state = api_as(victor).get(f"/api/streaming/cameras/{camera_id}")
    assert state.status_code == 200
    assert state.json()["path"] == f"cam_{camera_id}" and state.json()["urls"]["rtsp"].endswith(f"/cam_{camera_id}")
    assert "hunter2" not in state.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(victor).post(f"/api/streaming/cameras/{camera_id}/provision").status_code == 403
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(alice).post(f"/api/streaming/cameras/{camera_id}/provision").status_code == 202
    assert queued == [("provision", camera_id)]


def test_both_apis_publish_an_openapi_schema(alice):
    from django.test import Client

    ninja = Client().get("/api/openapi.json")
    assert ninja.status_code == 200 and "/api/streaming/cameras/{camera_id}" in ninja.json()["paths"]
    drf = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert drf.status_code == 200
    assert "/api/cameras/{id}/zones/" in drf.json()["paths"]


def test_an_admin_sets_a_cameras_recording_mode_and_retention_and_it_is_reprovisioned(
    alice, queued, django_capture_on_commit_callbacks
):
    created = api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json").json()
    assert created["recording_mode"] == "off" and created["recording_retention_days"] == 7
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).patch(
            f"/api/cameras/{created['id']}/", {"recording_mode": "continuous", "recording_retention_days": 30},
            format="json",
        )
    assert response.status_code == 200, response.json()
    camera = Camera.objects.get()
    assert (camera.recording_mode, camera.recording_retention_days) == ("continuous", 30)
    assert camera.provision_state == "pending" and queued == [("provision", camera.pk)]


@pytest.mark.parametrize(
    "change, field",
    [({"recording_mode": "always"}, "recording_mode"), ({"recording_retention_days": 0}, "recording_retention_days"),
     ({"recording_retention_days": 1000}, "recording_retention_days")],
)
def test_a_bad_recording_setting_is_a_400_naming_it_and_changes_nothing(alice, queued, change, field):
    created = api_as(alice).post("/api/cameras/", NEW_CAMERA, format="json").json()
    response = api_as(alice).patch(f"/api/cameras/{created['id']}/", change, format="json")
    assert response.status_code == 400 and field in response.json()
    camera = Camera.objects.get()
    assert (camera.recording_mode, camera.recording_retention_days) == ("off", 7)
