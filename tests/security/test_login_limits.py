"""Failed logins are limited per username and per client IP, on the console and on /api/auth/token/."""

import pytest
import redis
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):  # noqa: F811 (pytest-django's fixture)
    settings.LOGIN_FAILURES_PER_USER = 5
    settings.LOGIN_FAILURES_PER_IP = 20
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    _clear()
    yield
    _clear()


def _clear():
    # The counters live in the test cache (shared by the whole suite); leave none behind.
    from tests.settings import REDIS_CACHE_URL  # the real one, also while a test points the cache elsewhere

    client = redis.Redis.from_url(REDIS_CACHE_URL)
    keys = list(client.scan_iter(match="*login-failures:*"))
    if keys:
        client.delete(*keys)
    client.close()


def console_login(username, password, ip="198.51.100.7"):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def token(username, password, ip="198.51.100.7"):
    return Client(REMOTE_ADDR=ip).post(
        "/api/auth/token/", {"username": username, "password": password}, content_type="application/json"
    )


class TestConsoleLogin:
    def test_it_refuses_even_the_right_password_after_five_failures_for_the_user(self, alice):
        for _ in range(5):
            assert console_login("alice", "wrong").status_code == 200
        response = console_login("alice", PASSWORD)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 900
        assert "Too many failed login attempts. Try again in 15 minutes." in response.content.decode()
        assert "_auth_user_id" not in response.client.session

    def test_four_failures_then_success_resets_the_user_count(self, alice):
        for _ in range(4):
            console_login("alice", "wrong")
        assert console_login("alice", PASSWORD).status_code == 302
        for _ in range(4):
            console_login("alice", "wrong")
        assert console_login("alice", PASSWORD).status_code == 302

    def test_the_limit_is_per_username_whatever_the_case_and_address(self, alice, olivia):
        for i in range(5):
            console_login("ALICE", "wrong", ip=f"203.0.113.{i}")
        assert console_login("alice", PASSWORD, ip="203.0.113.99").status_code == 429
        # Another user from the same addresses is not affected.
        assert console_login("olivia", PASSWORD, ip="203.0.113.1").status_code == 302

    def test_twenty_failures_from_one_address_block_every_username_from_it(self, alice):
        for i in range(20):
            console_login(f"guess{i}", "wrong", ip="192.0.2.50")
        assert console_login("alice", PASSWORD, ip="192.0.2.50").status_code == 429
        assert console_login("alice", PASSWORD, ip="192.0.2.51").status_code == 302

    def test_the_window_ends(self, alice, settings):
        settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
        for _ in range(5):
            console_login("alice", "wrong")
        assert console_login("alice", PASSWORD).status_code == 429
        import time

        time.sleep(2.1)
        assert console_login("alice", PASSWORD).status_code == 302


class TestTokenEndpoint:
    def test_it_answers_429_with_retry_after_after_five_failures(self, olivia):
        for _ in range(5):
            assert token("olivia", "wrong").status_code == 401
        response = token("olivia", PASSWORD)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 900
        assert response.json()["detail"].startswith("Too many failed login attempts")

    def test_success_resets_the_user_count(self, olivia):
        for _ in range(4):
            token("olivia", "wrong")
        assert token("olivia", PASSWORD).status_code == 200
        for _ in range(4):
            token("olivia", "wrong")
        assert token("olivia", PASSWORD).status_code == 200

    def test_console_and_api_failures_count_together(self, olivia):
        for _ in range(3):
            console_login("olivia", "wrong")
        for _ in range(2):
            token("olivia", "wrong")
        assert token("olivia", PASSWORD).status_code == 429
        assert console_login("olivia", PASSWORD).status_code == 429

    def test_a_body_that_is_not_an_object_is_a_400_not_a_crash(self):
        response = Client().post("/api/auth/token/", "[1, 2]", content_type="application/json")
        assert response.status_code == 400


class TestWhileRedisIsDown:
    """The limits' Redis does not answer (a port nothing listens on): counted in the process, never open."""

    @pytest.fixture(autouse=True)
    def redis_down(self, settings):
        from django.core.cache import caches

        from tests.processes import free_port
        from vms.counters import limits

        nowhere = f"redis://127.0.0.1:{free_port()}/1"
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": nowhere},
            "limits": {**settings.CACHES["limits"], "LOCATION": nowhere},
        }
        limits.down_until = 0.0
        yield
        caches["limits_fallback"].clear()
        limits.down_until = 0.0

    def test_the_right_password_still_logs_in(self, alice, olivia):
        assert token("olivia", PASSWORD).status_code == 200

    def test_five_failures_still_block_the_user_on_the_api_and_the_console(self, olivia):
        for _ in range(5):
            assert token("olivia", "wrong").status_code == 401
        assert token("olivia", PASSWORD).status_code == 429
        assert console_login("olivia", PASSWORD).status_code == 429

    def test_the_api_rate_limit_still_holds(self, olivia, settings):
        settings.API_RATE_LIMIT = "3/min"
        from rest_framework_simplejwt.tokens import AccessToken

        client = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(olivia)}")
        assert [client.get("/api/cameras/").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert client.get("/api/ai/models").status_code == 429  # ninja shares the budget
