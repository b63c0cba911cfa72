"""Logging in through the real ASGI server: the console session and JWT."""

from datetime import timedelta

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def console_login(base_url, username, password=PASSWORD):
    session = requests.Session()
    session.get(f"{base_url}/login/", timeout=5)
    response = session.post(
        f"{base_url}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base_url}/login/"},
        timeout=5,
    )
    return session, response


def obtain_tokens(base_url, username, password=PASSWORD):
    return requests.post(f"{base_url}/api/auth/token/", json={"username": username, "password": password}, timeout=5)


class TestConsoleLogin:
    def test_it_logs_in_and_shows_the_dashboard(self, asgi_server, alice):
        session, response = console_login(asgi_server.base_url, "alice")
        assert response.status_code == 200
        assert response.url == f"{asgi_server.base_url}/"
        assert "Dashboard" in response.text and "alice" in response.text

    def test_it_refuses_wrong_password_with_a_message(self, asgi_server, alice):
        session, response = console_login(asgi_server.base_url, "alice", "wrong-password")
        assert response.status_code == 200
        assert "didn&#x27;t match" in response.text or "didn't match" in response.text
        assert session.get(f"{asgi_server.base_url}/", timeout=5, allow_redirects=False).status_code == 302

    def test_it_logs_out(self, asgi_server, alice):
        session, _ = console_login(asgi_server.base_url, "alice")
        session.post(
            f"{asgi_server.base_url}/logout/",
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{asgi_server.base_url}/"},
            timeout=5,
        )
        response = session.get(f"{asgi_server.base_url}/", timeout=5, allow_redirects=False)
        assert response.status_code == 302 and "/login/" in response.headers["Location"]


class TestJwt:
    def test_a_token_opens_both_apis(self, asgi_server, olivia):
        tokens = obtain_tokens(asgi_server.base_url, "olivia").json()
        headers = {"Authorization": f"Bearer {tokens['access']}"}
        me = requests.get(f"{asgi_server.base_url}/api/me", headers=headers, timeout=5)
        assert me.status_code == 200
        assert me.json() == {"id": olivia.id, "username": "olivia", "role": "operator"}
        # DRF: authenticated, but the user list is for admins.
        users = requests.get(f"{asgi_server.base_url}/api/users/", headers=headers, timeout=5)
        assert users.status_code == 403

    def test_refresh_gives_a_working_access_token(self, asgi_server, alice):
        refresh = obtain_tokens(asgi_server.base_url, "alice").json()["refresh"]
        response = requests.post(f"{asgi_server.base_url}/api/auth/token/refresh/", json={"refresh": refresh}, timeout=5)
        assert response.status_code == 200
        access = response.json()["access"]
        users = requests.get(f"{asgi_server.base_url}/api/users/", headers={"Authorization": f"Bearer {access}"}, timeout=5)
        assert users.status_code == 200
        assert [u["username"] for u in users.json()["results"]] == ["alice"]

    def test_wrong_credentials_get_401_with_a_reason(self, asgi_server, alice):
        response = obtain_tokens(asgi_server.base_url, "alice", "nope")
        assert response.status_code == 401
        assert "detail" in response.json()

    @pytest.mark.parametrize("path", ["/api/me", "/api/users/"])
    def test_malformed_token_gets_401(self, asgi_server, alice, path):
        response = requests.get(f"{asgi_server.base_url}{path}", headers={"Authorization": "Bearer not.a.jwt"}, timeout=5)
        assert response.status_code == 401
        assert "Traceback" not in response.text

    @pytest.mark.parametrize("path", ["/api/me", "/api/users/"])
    def test_expired_token_gets_401(self, asgi_server, alice, path):
        token = AccessToken.for_user(alice)
        token.set_exp(lifetime=-timedelta(minutes=1))
        response = requests.get(f"{asgi_server.base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 401


class TestErrors:
    def test_unknown_api_url_is_a_json_404(self, asgi_server):
        response = requests.get(f"{asgi_server.base_url}/api/no-such-thing", timeout=5)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}

    def test_unknown_page_is_an_html_404_without_a_trace(self, asgi_server):
        response = requests.get(f"{asgi_server.base_url}/no-such-page/", timeout=5)
        assert response.status_code == 404
        assert "text/html" in response.headers["Content-Type"]
        assert "Traceback" not in response.text and "Not found" in response.text

    def test_token_endpoint_refuses_a_malformed_body(self, asgi_server):
        response = requests.post(
            f"{asgi_server.base_url}/api/auth/token/", data="{not json", headers={"Content-Type": "application/json"}, timeout=5
        )
        assert response.status_code == 400
        assert "detail" in response.json()
