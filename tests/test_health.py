"""/health and /health/ready, checked afresh on each call."""

import socket

import pytest
import requests

from tests import processes


def test_health_says_the_process_is_alive(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_is_200_when_every_dependency_is_up(client, db, media_server, settings):
    settings.MEDIAMTX_API_URL = media_server.api_url
    from apps.streaming.client import media_server as client_factory

    client_factory.cache_clear()
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "channel_layer": "ok",
        "media_server": "ok",
    }


@pytest.mark.django_db(transaction=True)
def test_ready_is_503_naming_the_broker_when_rabbitmq_is_unreachable(media_server):
    # Bound, never listening: connections are refused, and no process started below can take the port.
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    env = processes.test_env(
        TEST_CELERY_BROKER_URL=f"amqp://guest:guest@127.0.0.1:{closed_port}//",
        MEDIAMTX_API_URL=media_server.api_url,
    )
    server = processes.start_asgi_server(env=env, name="asgi-no-broker")
    try:
        response = requests.get(f"{server.base_url}/health/ready", timeout=15)
        body = response.json()
        assert response.status_code == 503
        assert body["checks"]["broker"] != "ok"
        assert "Connection" in body["checks"]["broker"] or "refused" in body["checks"]["broker"]
        assert all(body["checks"][name] == "ok" for name in ("database", "cache", "channel_layer", "media_server"))
        # The web keeps answering.
        assert requests.get(f"{server.base_url}/health", timeout=5).status_code == 200
    finally:
        server.stop()
        closed.close()


def test_ready_names_the_media_server_when_it_is_down(client, db, settings):
    settings.MEDIAMTX_API_URL = f"http://127.0.0.1:{processes.free_port()}"
    from apps.streaming.client import media_server as client_factory

    client_factory.cache_clear()
    try:
        response = client.get("/health/ready")
    finally:
        client_factory.cache_clear()
    assert response.status_code == 503
    assert "unreachable" in response.json()["checks"]["media_server"]
