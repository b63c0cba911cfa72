"""Every URL pattern × anonymous, no role, viewer, operator, admin → the status the rules table says."""

import pytest
from django.db import transaction

from tests.security.access_rules import RULES
from tests.security.conftest import ROLES, client_as
from tests.security.urlwalk import readable, routes, walk

pytestmark = pytest.mark.django_db


def test_every_url_pattern_has_an_access_rule():
    missing = [route for route in routes() if route not in RULES]
    assert not missing, f"new endpoints without a rule in tests/security/access_rules.py: {missing}"


def test_every_access_rule_names_a_url_pattern_that_exists():
    stale = [route for route in RULES if route not in routes()]
    assert not stale, f"rules for URL patterns that are gone: {stale}"


def _url(route, objects):
    example, _ = RULES[route]
    ids = {name: (value if isinstance(value, str) else value.pk) for name, value in objects.items()}
    return example.format(**ids)


def _statuses(route, method, url, users):
    found = []
    for role in ROLES:
        client = client_as(users[role], api=route.startswith("api/"))
        with transaction.atomic():
            response = client.generic(method, url, content_type="application/json")
            transaction.set_rollback(True)
        found.append(response.status_code)
    return tuple(found)


def test_each_role_gets_what_the_rules_say(objects, users):
    # One test for the whole table (the objects are made once); every difference is listed.
    wrong = []
    for route, (_, expected) in RULES.items():
        url = _url(route, objects)
        for method, statuses in expected.items():
            found = _statuses(route, method, url, users)
            if found != statuses:
                wrong.append(f"{method} {url}: expected {dict(zip(ROLES, statuses))}, got {dict(zip(ROLES, found))}")
    assert not wrong, "\n".join(wrong)


def test_the_rest_api_has_no_format_suffix_urls():
    """`/api/cameras/1/zones.json` reached the @action views with a `format` they do not take: a 500."""
    assert not [route for route, _ in walk() if "<format>" in readable(route)]


def test_an_anonymous_console_request_is_sent_to_the_login_page(objects):
    response = client_as(None).get(f"/cameras/{objects['camera'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_a_user_without_a_role_sees_only_the_page_saying_an_admin_must_give_one(nobody, objects):
    for page in ("/", "/cameras/", f"/cameras/{objects['camera'].pk}/", "/detections/", "/watchlists/alerts/"):
        response = client_as(nobody).get(page)
        text = response.content.decode()
        assert response.status_code == 403 and "An admin must give you one" in text, page
        # Nothing of the site: no navigation, no live socket, no plates.
        assert "/cameras/" not in text and "live-status.js" not in text and "ABC1D23" not in text, page
    assert client_as(nobody, api=True).get("/api/cameras/").status_code == 403
    assert client_as(nobody, api=True).get("/api/ai/recent").status_code == 403
    assert client_as(nobody).get(f"/media/{objects['snapshot']}").status_code == 403


def test_a_viewer_asking_for_an_admin_page_gets_the_plain_refusal_not_the_no_role_page(victor):
    response = client_as(victor).get("/users/")
    assert response.status_code == 403 and "An admin must give you one" not in response.content.decode()
