"""Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused with 413 before any parser reads them; never a 500."""

import json

import pytest

from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000


def big_json():
    return json.dumps({"name": "x" * 20_000, "rtsp_url": "rtsp://192.0.2.1/live"})


@pytest.mark.parametrize("url", ["/api/cameras/", "/api/streaming/cameras/{camera}/provision", "/api/auth/token/"])
def test_an_oversized_json_body_gets_a_413_json_answer_on_the_apis(url, alice, objects):
    from apps.cameras.models import Camera

    before = Camera.objects.count()
    response = client_as(alice, api=True).post(url.format(camera=objects["camera"].pk), big_json(), content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 10000 bytes."}
    assert Camera.objects.count() == before


def test_an_oversized_form_gets_a_413_page_on_the_console(alice):
    response = client_as(alice).post("/cameras/add/", {"name": "x" * 20_000, "rtsp_url": "rtsp://192.0.2.1/live"})
    assert response.status_code == 413
    assert "Request body too large" in response.content.decode()


def test_a_body_under_the_limit_still_works(alice):
    response = client_as(alice, api=True).post(
        "/api/cameras/", {"name": "Small", "rtsp_url": "rtsp://192.0.2.1/live"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_the_limit_is_set_explicitly():
    from vms import settings as project_settings

    assert project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
