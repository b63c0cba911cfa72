"""Mosaics: at most four cameras everywhere (service, console form, API), and who sees and changes what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.mosaics.models import Mosaic
from apps.mosaics.selectors import mosaic_list_for
from apps.mosaics.services import mosaic_create, mosaic_delete, mosaic_update

pytestmark = pytest.mark.django_db

TOO_MANY = "A mosaic shows at most 4 cameras."


@pytest.fixture
def cameras(db):
    return [Camera.objects.create(name=f"Cam {i}", rtsp_url=f"rtsp://192.0.2.{i}/live") for i in range(1, 6)]


def ids(cameras):
    return [camera.pk for camera in cameras]


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


class TestMosaicCreate:
    def test_it_keeps_up_to_four_cameras_in_the_order_given(self, olivia, cameras):
        order = [cameras[3], cameras[0], cameras[2], cameras[1]]
        mosaic = mosaic_create(actor=olivia, name="Gates", camera_ids=ids(order))
        assert mosaic.owner == olivia and not mosaic.shared
        assert mosaic.ordered_cameras() == order
        entry = AuditEntry.objects.get(action="mosaic.create")
        assert entry.actor == olivia and entry.changes["cameras"] == ids(order)

    def test_a_fifth_camera_is_refused_with_a_clear_message_and_nothing_is_saved(self, olivia, cameras):
        with pytest.raises(ValidationError) as exc:
            mosaic_create(actor=olivia, name="Too many", camera_ids=ids(cameras))
        assert exc.value.message_dict == {"cameras": [TOO_MANY]}
        assert not Mosaic.objects.exists()

    def test_unknown_and_repeated_cameras_are_refused(self, olivia, cameras):
        with pytest.raises(ValidationError) as exc:
            mosaic_create(actor=olivia, name="Ghost", camera_ids=[cameras[0].pk, 999999])
        assert exc.value.message_dict["cameras"] == ["Unknown camera id: 999999."]
        with pytest.raises(ValidationError) as exc:
            mosaic_create(actor=olivia, name="Twice", camera_ids=[cameras[0].pk, cameras[0].pk])
        assert "only once" in exc.value.message_dict["cameras"][0]
        with pytest.raises(ValidationError) as exc:
            mosaic_create(actor=olivia, name="Empty", camera_ids=[])
        assert "at least one" in exc.value.message_dict["cameras"][0]
        assert not Mosaic.objects.exists()

    def test_a_name_is_unique_per_owner_only(self, olivia, alice, cameras):
        mosaic_create(actor=olivia, name="Gates", camera_ids=ids(cameras[:1]))
        with pytest.raises(ValidationError) as exc:
            mosaic_create(actor=olivia, name=" Gates ", camera_ids=ids(cameras[:2]))
        assert exc.value.message_dict == {"name": ["You already have a mosaic named 'Gates'."]}
        assert mosaic_create(actor=alice, name="Gates", camera_ids=ids(cameras[:2])).owner == alice

    def test_a_viewer_cannot_create_one(self, victor, cameras):
        with pytest.raises(PermissionDenied):
            mosaic_create(actor=victor, name="Mine", camera_ids=ids(cameras[:1]))


class TestMosaicUpdateAndDelete:
    def test_a_fifth_camera_is_refused_on_update_and_the_old_ones_stay(self, olivia, cameras):
        mosaic = mosaic_create(actor=olivia, name="Gates", camera_ids=ids(cameras[:4]))
        with pytest.raises(ValidationError) as exc:
            mosaic_update(actor=olivia, mosaic=mosaic, camera_ids=ids(cameras))
        assert exc.value.message_dict == {"cameras": [TOO_MANY]}
        assert Mosaic.objects.get(pk=mosaic.pk).ordered_cameras() == cameras[:4]

    def test_an_operator_changes_only_their_own_and_an_admin_any(self, olivia, alice, make_user, cameras):
        other = make_user("oscar", "operator")
        mosaic = mosaic_create(actor=olivia, name="Gates", camera_ids=ids(cameras[:2]), shared=True)
        with pytest.raises(PermissionDenied):
            mosaic_update(actor=other, mosaic=mosaic, name="Mine now")
        mosaic_update(actor=alice, mosaic=mosaic, name="Front gates", camera_ids=ids(cameras[2:4]))
        mosaic.refresh_from_db()
        assert mosaic.name == "Front gates" and mosaic.ordered_cameras() == cameras[2:4]
        with pytest.raises(PermissionDenied):
            mosaic_delete(actor=other, mosaic=mosaic)
        mosaic_delete(actor=olivia, mosaic=mosaic)
        assert not Mosaic.objects.exists()


class TestVisibility:
    def test_a_user_does_not_see_another_users_private_mosaic(self, olivia, make_user, victor, cameras):
        other = make_user("oscar", "operator")
        private = mosaic_create(actor=olivia, name="Private", camera_ids=ids(cameras[:1]))
        shared = mosaic_create(actor=olivia, name="Shared", camera_ids=ids(cameras[:1]), shared=True)
        assert list(mosaic_list_for(olivia)) == [private, shared]
        assert list(mosaic_list_for(other)) == [shared]
        assert list(mosaic_list_for(victor)) == [shared]

    def test_the_api_and_the_console_hide_another_users_private_mosaic(self, client, olivia, make_user, cameras):
        other = make_user("oscar", "operator")
        private = mosaic_create(actor=olivia, name="Olivia's private", camera_ids=ids(cameras[:1]))
        api = api_as(other)
        assert api.get("/api/mosaics/").json()["results"] == []
        assert api.get(f"/api/mosaics/{private.pk}/").status_code == 404
        assert api.patch(f"/api/mosaics/{private.pk}/", {"name": "x"}, format="json").status_code == 404
        client.force_login(other)
        assert "Olivia&#x27;s private" not in client.get("/mosaics/").content.decode()
        assert client.get(f"/mosaics/{private.pk}/").status_code == 404


class TestMosaicApi:
    def test_an_operator_creates_one_and_reads_it_back_with_stream_urls(self, olivia, cameras):
        api = api_as(olivia)
        response = api.post("/api/mosaics/", {"name": "Gates", "cameras": ids(cameras[:4])}, format="json")
        assert response.status_code == 201, response.content
        body = api.get(f"/api/mosaics/{response.json()['id']}/").json()
        assert body["cameras"] == ids(cameras[:4]) and body["owner"] == "olivia" and body["editable"] is True
        assert [s["urls"]["hls"].endswith(f"/cam_{s['camera']}/index.m3u8") for s in body["streams"]] == [True] * 4

    def test_a_fifth_camera_gets_400_with_the_clear_message(self, olivia, cameras):
        response = api_as(olivia).post("/api/mosaics/", {"name": "Too many", "cameras": ids(cameras)}, format="json")
        assert response.status_code == 400
        assert response.json() == {"cameras": [TOO_MANY]}
        assert not Mosaic.objects.exists()

    def test_a_fifth_camera_on_update_gets_400(self, olivia, cameras):
        mosaic = mosaic_create(actor=olivia, name="Gates", camera_ids=ids(cameras[:1]))
        response = api_as(olivia).patch(f"/api/mosaics/{mosaic.pk}/", {"cameras": ids(cameras)}, format="json")
        assert response.status_code == 400 and response.json() == {"cameras": [TOO_MANY]}

    def test_a_viewer_cannot_create_but_reads_shared_ones(self, victor, olivia, cameras):
        api = api_as(victor)
        response = api.post("/api/mosaics/", {"name": "Mine", "cameras": ids(cameras[:1])}, format="json")
        assert response.status_code == 403
        assert not Mosaic.objects.exists()
        shared = mosaic_create(actor=olivia, name="Shared", camera_ids=ids(cameras[:2]), shared=True)
        assert [m["id"] for m in api.get("/api/mosaics/").json()["results"]] == [shared.pk]
        assert api.delete(f"/api/mosaics/{shared.pk}/").status_code == 403

    def test_an_operator_cannot_change_a_shared_mosaic_of_someone_else_but_an_admin_can(
        self, olivia, alice, make_user, cameras
    ):
        other = make_user("oscar", "operator")
        shared = mosaic_create(actor=olivia, name="Shared", camera_ids=ids(cameras[:2]), shared=True)
        assert api_as(other).patch(f"/api/mosaics/{shared.pk}/", {"name": "x"}, format="json").status_code == 403
        response = api_as(alice).patch(f"/api/mosaics/{shared.pk}/", {"name": "Renamed"}, format="json")
        assert response.status_code == 200 and response.json()["name"] == "Renamed"
        assert api_as(alice).delete(f"/api/mosaics/{shared.pk}/").status_code == 204

    def test_without_a_token_it_is_401(self, cameras):
        assert APIClient().get("/api/mosaics/").status_code == 401


class TestMosaicConsole:
    def test_a_fifth_camera_in_the_form_shows_the_message_and_saves_nothing(self, client, olivia, cameras):
        client.force_login(olivia)
        response = client.post("/mosaics/add/", {"name": "Too many", "cameras": ids(cameras)})
        assert response.status_code == 200
        page = response.content.decode()
        # Next to the cameras field: between its block and the next field's.
        cameras_block = page[page.index('id="field-cameras"'):page.index('id="field-shared"')]
        assert f'<ul class="errorlist" id="id_cameras_error"><li>{TOO_MANY}</li></ul>' in cameras_block
        assert not Mosaic.objects.exists()

    def test_the_form_creates_a_mosaic_and_its_page_plays_every_camera(self, client, olivia, cameras):
        client.force_login(olivia)
        response = client.post("/mosaics/add/", {"name": "Gates", "cameras": ids(cameras[:4]), "shared": "on"})
        mosaic = Mosaic.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/mosaics/{mosaic.pk}/"
        assert mosaic.shared and mosaic.ordered_cameras() == cameras[:4]
        page = client.get(response["Location"]).content.decode()
        assert "mosaic-grid count-4" in page
        assert page.count("<video") == 4
        for camera in cameras[:4]:
            assert f'data-hls="http://127.0.0.1:8888/cam_{camera.pk}/index.m3u8"' in page or f"/cam_{camera.pk}/index.m3u8" in page
        assert "hls-1.7.4.min.js" in page

    def test_one_camera_fills_the_width(self, client, olivia, cameras):
        mosaic = mosaic_create(actor=olivia, name="One", camera_ids=ids(cameras[:1]))
        client.force_login(olivia)
        assert "mosaic-grid count-1" in client.get(f"/mosaics/{mosaic.pk}/").content.decode()

    def test_a_viewer_sees_shared_mosaics_but_cannot_create_or_edit(self, client, victor, olivia, cameras):
        shared = mosaic_create(actor=olivia, name="Shared", camera_ids=ids(cameras[:2]), shared=True)
        client.force_login(victor)
        assert client.get(f"/mosaics/{shared.pk}/").status_code == 200
        assert client.get("/mosaics/add/").status_code == 403
        assert client.post("/mosaics/add/", {"name": "x", "cameras": ids(cameras[:1])}).status_code == 403
        assert client.post(f"/mosaics/{shared.pk}/delete/").status_code == 403
        assert Mosaic.objects.count() == 1

    def test_editing_and_deleting_through_the_console(self, client, olivia, cameras):
        mosaic = mosaic_create(actor=olivia, name="Gates", camera_ids=ids(cameras[:1]))
        client.force_login(olivia)
        response = client.post(f"/mosaics/{mosaic.pk}/edit/", {"name": "Gates 2", "cameras": ids(cameras[1:3])})
        assert response.status_code == 302
        mosaic.refresh_from_db()
        assert mosaic.name == "Gates 2" and mosaic.ordered_cameras() == cameras[1:3]
        assert client.get(f"/mosaics/{mosaic.pk}/delete/").status_code == 200 and Mosaic.objects.exists()
        assert client.post(f"/mosaics/{mosaic.pk}/delete/").status_code == 302
        assert not Mosaic.objects.exists()
