"""Both OpenAPI schemas, fuzzed with schemathesis as every role: no 5xx, every response as documented.

In process (WSGI) inside the test's transaction: cameras, mosaics and watch lists the fuzzer creates
are rolled back, and `transaction.on_commit` never fires, so no provisioning task is queued for them
(only the explicit re-provision endpoint sends one per admin example: a handful). Path ids point at
real objects; bodies and query strings are generated. Every example is sent as anonymous (with the
fuzzer's own made-up credentials), viewer, operator and admin.

Checks: no server error, body matches the documented schema for its status, documented content type
and headers. Not `status_code_conformance`: neither drf-spectacular nor django-ninja document the
400/401/403/404/405/429 answers, and listing them on every operation is a schema-wide change of its own.
Bounded: 5 examples per operation, derandomized (the same inputs on every run), no shrinking.
"""

import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from django.core import signals
from django.db import close_old_connections
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.security.conftest import ROLES
from vms.wsgi import application

DRF = schemathesis.openapi.from_wsgi("/api/schema/", application)
NINJA = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, response_headers_conformance]

FUZZ = hypothesis_settings(
    max_examples=5, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def no_dns_off_this_machine(monkeypatch):
    """A fuzzed webhook URL is resolved when saved: its name must not become a query to a real resolver."""
    from tests.netstub import Resolver

    monkeypatch.setattr(socket, "getaddrinfo", Resolver(socket.getaddrinfo))


@pytest.fixture
def auth_headers(make_user, settings):
    settings.API_RATE_LIMIT = ""
    # In-process WSGI calls close the database connection after each request (request_finished);
    # Django's test client turns that off so the test's transaction survives. Do the same.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _headers_for(make_user)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _headers_for(make_user):
    tokens = {}

    def headers(role):
        if role == "anonymous":
            return {}
        if role not in tokens:
            if role == "no role":
                from apps.accounts.models import User

                user = User.objects.create_user("fuzz-no-role", password="x-irrelevant-1")
            else:
                user = make_user(f"fuzz-{role}", role)
            tokens[role] = f"Bearer {AccessToken.for_user(user)}"
        return {"Authorization": tokens[role]}

    return headers


# Path ids point at real objects (random ids would only ever test 404); the bodies and queries are fuzzed.
RESOURCES = {
    "/api/cameras/": "camera", "/api/mosaics/": "mosaic", "/api/watchlists/": "watchlist", "/api/alerts/": "alert",
    "/api/detections/": "detection", "/api/users/": "user", "/api/streaming/cameras/": "camera", "/api/ai/pipeline/": "camera",
}


def aim_at_real_objects(case, objects):
    for prefix, kind in RESOURCES.items():
        if case.path.startswith(prefix) and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = objects[kind].pk


def call_as_every_role(case, auth_headers, objects):
    aim_at_real_objects(case, objects)
    for role in ROLES:
        case.call_and_validate(headers=auth_headers(role), checks=CHECKS)


@pytest.mark.slow
@DRF.parametrize()
@FUZZ
def test_the_rest_api_answers_as_documented(case, auth_headers, objects):
    call_as_every_role(case, auth_headers, objects)


@pytest.mark.slow
@NINJA.parametrize()
@FUZZ
def test_the_ninja_api_answers_as_documented(case, auth_headers, objects):
    call_as_every_role(case, auth_headers, objects)
