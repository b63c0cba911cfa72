"""Sessions and JWTs end: an expired one is refused, on the console and on both APIs."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

pytestmark = pytest.mark.django_db


def test_the_lifetimes_are_bounded():
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert timedelta(0) < settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] <= timedelta(hours=1)
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] <= timedelta(days=7)


def test_a_session_past_its_age_is_refused(victor, settings):
    settings.SESSION_COOKIE_AGE = 3
    client = Client()
    client.force_login(victor)
    assert client.get("/cameras/").status_code == 200
    time.sleep(4)
    response = client.get("/cameras/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/api/cameras/", "/api/me"])
def test_an_expired_access_token_is_refused_by_both_apis(url, victor):
    fresh = AccessToken.for_user(victor)
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200
    expired = AccessToken.for_user(victor)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {expired}").status_code == 401


def test_an_expired_refresh_token_gets_no_new_access_token(victor):
    refresh = RefreshToken.for_user(victor)
    refresh.set_exp(lifetime=-timedelta(seconds=1))
    response = Client().post("/api/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json")
    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(victor):
    token = AccessToken.for_user(victor)
    victor.is_active = False
    victor.save()
    assert Client().get("/api/cameras/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
