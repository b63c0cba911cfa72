"""The media server asks Django who may read video (POST /internal/media-auth, as MediaMTX's
`authMethod: http` sends it): a watch token per camera and user, short-lived, checked afresh."""

import time

import pytest
from django.test import Client

from apps.streaming.media_auth import watch_token
from tests.security.conftest import nobody, users  # noqa: F401 (fixtures: one user per role)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cameras(db):
    from apps.cameras.models import Camera

    return [Camera.objects.create(name=f"Cam {i}", rtsp_url=f"rtsp://192.0.2.{i}/live") for i in (1, 2)]


def ask(**fields):
    """What MediaMTX sends: every field present, empty when unknown."""
    body = {"user": "", "password": "", "token": "", "ip": "127.0.0.1", "action": "read", "path": "",
            "protocol": "hls", "id": None, "query": ""} | fields
    return Client().post("/internal/media-auth", body, content_type="application/json").status_code


def test_a_token_for_camera_1_opens_camera_1_and_not_camera_2(victor, cameras):
    token = watch_token(user=victor, camera=cameras[0])
    assert ask(token=token, path=cameras[0].path_name) == 204
    assert ask(token=token, path=cameras[0].path_name, protocol="webrtc") == 204
    assert ask(token=token, path=cameras[0].path_name, action="playback") == 204
    assert ask(token=token, path=cameras[1].path_name) == 401


def test_a_forged_or_altered_token_is_refused(victor, cameras):
    token = watch_token(user=victor, camera=cameras[0])
    payload, _, signature = token.rpartition(":")
    assert ask(token=f"{payload}:{'A' * len(signature)}", path=cameras[0].path_name) == 401
    assert ask(token="made-up", path=cameras[0].path_name) == 401
    other = watch_token(user=victor, camera=cameras[1])
    # camera 2's grant with camera 1's path does not pass either
    assert ask(token=other, path=cameras[0].path_name) == 401


def test_an_expired_token_is_refused(victor, cameras, settings):
    # Django's signing stamps whole seconds: a 1 s token checked 50 ms later may already be 1.05 s old.
    settings.MEDIA_TOKEN_SECONDS = 2
    token = watch_token(user=victor, camera=cameras[0])
    assert ask(token=token, path=cameras[0].path_name) == 204
    time.sleep(3.1)
    assert ask(token=token, path=cameras[0].path_name) == 401


def test_a_token_stops_working_when_its_user_may_no_longer_watch(victor, cameras):
    token = watch_token(user=victor, camera=cameras[0])
    victor.groups.clear()
    assert ask(token=token, path=cameras[0].path_name) == 401


def test_no_token_for_a_user_without_a_role_or_anonymous(cameras, db):
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User

    assert watch_token(user=User.objects.create_user("nobody", password="x-irrelevant-1"), camera=cameras[0]) is None
    assert watch_token(user=AnonymousUser(), camera=cameras[0]) is None


def test_nobody_reads_without_a_credential_and_nobody_publishes(victor, cameras):
    assert ask(path=cameras[0].path_name) == 401
    assert ask(path=cameras[0].path_name, user="any") == 401
    token = watch_token(user=victor, camera=cameras[0])
    assert ask(token=token, path=cameras[0].path_name, action="publish") == 401


def test_the_readers_and_the_app_have_credentials_of_their_own(settings, cameras):
    settings.MEDIA_READER_USER, settings.MEDIA_READER_PASSWORD = "vms-reader", "reader-S3cret"
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = "vms-api", "api-S3cret"
    path = cameras[0].path_name
    assert ask(user="vms-reader", password="reader-S3cret", path=path, protocol="rtsp") == 204
    assert ask(user="vms-reader", password="wrong", path=path, protocol="rtsp") == 401
    # A reader reads; it neither publishes nor drives the API.
    assert ask(user="vms-reader", password="reader-S3cret", path=path, action="publish") == 401
    assert ask(user="vms-reader", password="reader-S3cret", action="api") == 401
    assert ask(user="vms-api", password="api-S3cret", action="api") == 204
    assert ask(user="vms-api", password="api-S3cret", path=path, action="read") == 401


def test_an_empty_reader_password_opens_nothing(settings, cameras):
    settings.MEDIA_READER_PASSWORD = ""
    assert ask(user=settings.MEDIA_READER_USER, password="", path=cameras[0].path_name) == 401


def test_a_body_that_is_not_an_object_is_a_400():
    assert Client().post("/internal/media-auth", "[1]", content_type="application/json").status_code == 400
    assert Client().post("/internal/media-auth", "{", content_type="application/json").status_code == 400


def test_each_role_gets_what_the_media_rules_say(users, cameras):  # noqa: F811 (the imported fixture)
    from tests.security.access_rules import MEDIA_RULES
    from tests.security.conftest import ROLES

    wrong = []
    for (action, protocol), expected in MEDIA_RULES.items():
        found = []
        for role in ROLES:
            user = users[role]
            token = watch_token(user=user, camera=cameras[0]) if user is not None else None
            found.append(ask(token=token or "", path=cameras[0].path_name, action=action, protocol=protocol))
        if tuple(found) != expected:
            wrong.append(f"{action}/{protocol}: expected {dict(zip(ROLES, expected))}, got {dict(zip(ROLES, found))}")
    assert not wrong, "\n".join(wrong)


def watch_grant(client, camera):
    """What the camera page's player asks for (GET /api/streaming/cameras/{id}/watch-token)."""
    return client.get(f"/api/streaming/cameras/{camera.pk}/watch-token")


def test_the_player_gets_a_token_only_where_the_policy_lets_it_watch(victor, cameras):
    from django.contrib.auth import get_user_model

    from tests.conftest import PASSWORD

    assert watch_grant(Client(), cameras[0]).status_code == 401
    get_user_model().objects.create_user("nobody", password=PASSWORD)
    no_role = Client()
    no_role.login(username="nobody", password=PASSWORD)
    assert watch_grant(no_role, cameras[0]).status_code == 403
    viewer = Client()
    viewer.login(username="victor", password=PASSWORD)
    response = watch_grant(viewer, cameras[0])
    assert response.status_code == 200, response.content
    grant = response.json()
    assert grant["expires_in"] == 120 and grant["urls"]["hls"].endswith(f"/{cameras[0].path_name}/index.m3u8")
    assert ask(token=grant["token"], path=cameras[0].path_name) == 204
    assert ask(token=grant["token"], path=cameras[1].path_name) == 401
    assert watch_grant(viewer, type(cameras[0])(pk=999999)).status_code == 404


def test_a_logout_ends_the_tokens_of_that_login_and_no_other(victor, cameras):
    from tests.conftest import PASSWORD

    here, there = Client(), Client()
    for client in (here, there):
        client.login(username="victor", password=PASSWORD)
    token_here = watch_grant(here, cameras[0]).json()["token"]
    token_there = watch_grant(there, cameras[0]).json()["token"]
    assert ask(token=token_here, path=cameras[0].path_name) == 204
    here.post("/logout/")
    assert ask(token=token_here, path=cameras[0].path_name) == 401
    assert ask(token=token_there, path=cameras[0].path_name) == 204


def test_a_token_stops_when_its_user_loses_the_role_or_is_deactivated(victor, cameras):
    from tests.conftest import PASSWORD

    client = Client()
    client.login(username="victor", password=PASSWORD)
    token = watch_grant(client, cameras[0]).json()["token"]
    victor.groups.clear()
    assert ask(token=token, path=cameras[0].path_name) == 401
    api_token = watch_token(user=victor, camera=cameras[0])
    assert api_token is None  # and no new one is given


def test_with_redis_away_tokens_are_refused_and_the_apps_credential_still_works(victor, cameras, settings, monkeypatch):
    import redis

    from apps.streaming import media_auth

    token = watch_token(user=victor, camera=cameras[0], grant="a-grant")

    def away():
        raise redis.ConnectionError("connection refused")

    monkeypatch.setattr(media_auth, "status_store", away)
    assert ask(token=token, path=cameras[0].path_name) == 503
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = "vms-api", "Api-S3cret-1"
    assert ask(action="api", user="vms-api", password="Api-S3cret-1", protocol="") == 204
