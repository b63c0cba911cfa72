"""A POST without a CSRF token is refused on every console URL and on the APIs' session login."""

import pytest

from tests.security.access_rules import RULES
from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db

# Every console URL (not the token-authenticated APIs): POST is where forms go. The media server's auth
# callback is no console URL: no session counts there, only the credential in its body (never routed from
# outside; tests/streaming/test_media_auth.py).
CONSOLE_ROUTES = [route for route in RULES if not route.startswith(("api/", "internal/"))]


def _url(route, objects):
    ids = {name: (value if isinstance(value, str) else value.pk) for name, value in objects.items()}
    return RULES[route][0].format(**ids)


def test_every_console_url_refuses_a_post_without_a_csrf_token(objects, users):
    admin = client_as(users["admin"], enforce_csrf_checks=True)
    anonymous = client_as(None, enforce_csrf_checks=True)
    accepted = []
    for route in CONSOLE_ROUTES:
        url = _url(route, objects)
        for who, client in (("admin", admin), ("anonymous", anonymous)):
            response = client.post(url, {"name": "x"})
            if response.status_code != 403:
                accepted.append(f"{who} POST {url} → {response.status_code}")
    assert not accepted
    # Nothing happened: the camera and mosaic are still there.
    objects["camera"].refresh_from_db()
    objects["mosaic"].refresh_from_db()


def test_a_console_form_with_its_token_is_accepted(objects, users):
    """The control: the same client with the page's token gets through (so the 403s above are CSRF's)."""
    client = client_as(users["admin"], enforce_csrf_checks=True)
    client.get(f"/cameras/{objects['camera'].pk}/edit/")
    response = client.post(
        f"/cameras/{objects['camera'].pk}/delete/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/api/cameras/", "/api/streaming/cameras/{camera}/provision"])
def test_the_apis_refuse_a_session_post_without_a_csrf_token(url, objects, users):
    client = client_as(users["admin"], enforce_csrf_checks=True)
    response = client.post(url.format(camera=objects["camera"].pk), {}, content_type="application/json")
    assert response.status_code == 403
