"""In the app (so `make run` has them too): API rate limits, CORS on the API, request ids and log lines."""

import json
import logging
from pathlib import Path

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from vms import logging as vms_logging

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}


def test_drf_answers_429_with_retry_after_past_the_limit(settings, victor):
    settings.API_RATE_LIMIT = "5/min"
    client = Client()
    answers = [client.get("/api/cameras/", **bearer(victor)) for _ in range(6)]
    assert [r.status_code for r in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429
    assert 0 < int(answers[5]["Retry-After"]) <= 60


def test_ninja_answers_429_with_retry_after_past_the_limit(settings, victor):
    settings.API_RATE_LIMIT = "3/min"
    client = Client()
    answers = [client.get("/api/me", **bearer(victor)) for _ in range(4)]
    assert [r.status_code for r in answers[:3]] == [200] * 3
    assert answers[3].status_code == 429 and answers[3].json() == {"detail": "Too many requests."}
    assert 0 < int(answers[3]["Retry-After"]) <= 60


def test_one_budget_per_user_across_both_apis_and_separate_per_user(settings, victor, olivia):
    settings.API_RATE_LIMIT = "4/min"
    client = Client()
    assert [client.get("/api/me", **bearer(victor)).status_code for _ in range(2)] == [200, 200]
    assert [client.get("/api/cameras/", **bearer(victor)).status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/cameras/", **bearer(victor)).status_code == 429
    assert client.get("/api/me", **bearer(victor)).status_code == 429
    # Another user (same IP) has a budget of their own.
    assert client.get("/api/me", **bearer(olivia)).status_code == 200


def test_anonymous_clients_are_limited_per_ip(settings, victor):
    settings.API_RATE_LIMIT = "3/min"
    token = "/api/auth/token/"
    body = json.dumps({"username": "victor", "password": "wrong"})
    first_ip = Client(REMOTE_ADDR="10.1.1.1")
    answers = [first_ip.post(token, body, content_type="application/json").status_code for _ in range(4)]
    assert answers[:3] != [429] * 3 and answers[3] == 429
    other_ip = Client(REMOTE_ADDR="10.1.1.2")
    assert other_ip.post(token, body, content_type="application/json").status_code != 429


def test_the_limit_is_off_when_empty_and_100_a_minute_by_default(settings, victor):
    source = (Path(__file__).resolve().parents[2] / "vms" / "settings.py").read_text()
    assert 'API_RATE_LIMIT = env("API_RATE_LIMIT", "100/min")' in source
    settings.API_RATE_LIMIT = ""
    client = Client()
    assert {client.get("/api/me", **bearer(victor)).status_code for _ in range(30)} == {200}


def test_cors_headers_for_an_allowed_origin_only(settings, victor):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]
    client = Client()
    allowed = client.get("/api/me", HTTP_ORIGIN="http://localhost:5173", **bearer(victor))
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "X-Request-ID" in allowed["Access-Control-Expose-Headers"]
    other = client.get("/api/me", HTTP_ORIGIN="http://evil.example", **bearer(victor))
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        "/api/cameras/", HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    denied = client.options("/api/cameras/", HTTP_ORIGIN="http://evil.example",
                            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in denied


def test_a_request_id_is_echoed_or_made(client):
    given = client.get("/health", HTTP_X_REQUEST_ID="edge-42")
    assert given["X-Request-ID"] == "edge-42"
    made = client.get("/health")
    assert len(made["X-Request-ID"]) == 32
    junk = client.get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert junk["X-Request-ID"] != "bad id\nwith newline" and len(junk["X-Request-ID"]) == 32


class Collect(logging.Handler):
    def __init__(self, formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.addFilter(vms_logging.ContextFilter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_log_lines_carry_the_request_and_camera_ids_as_json():
    handler = Collect(vms_logging.JsonFormatter())
    logger = logging.getLogger("vms.test_probe")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def view(request):
        logger.info("inside the view", extra={"where": "camera page"})
        return HttpResponse("ok")

    try:
        middleware = vms_logging.RequestIdMiddleware(view)
        response = middleware(RequestFactory().get("/cameras/12/edit/", HTTP_X_REQUEST_ID="req-77"))
        logger.warning("after the request")
    finally:
        logger.removeHandler(handler)
    assert response["X-Request-ID"] == "req-77"
    inside, after = (json.loads(line) for line in handler.lines[-2:])
    assert inside["message"] == "inside the view" and inside["request_id"] == "req-77"
    assert inside["camera_id"] == "12" and inside["where"] == "camera page"
    assert inside["level"] == "INFO" and inside["logger"] == "vms.test_probe" and inside["time"].endswith("Z")
    # Once the request is over, its ids are gone.
    assert "request_id" not in after and "camera_id" not in after


def test_json_logs_are_what_log_format_json_configures():
    config = vms_logging.logging_config("json", "INFO")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["handlers"]["console"]["filters"] == ["per_frame", "context"]
    assert vms_logging.logging_config("plain")["handlers"]["console"]["formatter"] == "plain"


def test_plain_lines_are_one_line_each():
    formatter = vms_logging.PlainFormatter()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "two\nlines", None, None)
    vms_logging.ContextFilter().filter(record)
    assert "\n" not in formatter.format(record)


def test_celery_signals_set_the_task_and_camera_ids():
    class Request:
        camera_id = 5

    class Task:
        name = "pipeline.persist"
        request = Request()

    vms_logging.task_started(task_id="t-1", task=Task(), args=[{"camera_id": 5}], kwargs={})
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
        vms_logging.ContextFilter().filter(record)
        assert record.task_id == "t-1" and record.camera_id == "5"
    finally:
        vms_logging.task_finished(task_id="t-1")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    vms_logging.ContextFilter().filter(record)
    assert record.task_id == "-" and record.camera_id == "-"
