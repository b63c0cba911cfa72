"""Snapshots under MEDIA_ROOT are served to console users; nothing outside it, however the path is spelled."""

import http.client
from urllib.parse import urlsplit

import pytest

from tests.security.conftest import JPEG, client_as

TRAVERSALS = [
    "/media/../vms/settings.py",
    "/media/../../vms/settings.py",
    "/media/snapshots/../../../vms/settings.py",
    "/media/%2e%2e/%2e%2e/vms/settings.py",
    "/media/..%2f..%2fvms%2fsettings.py",
    "/media/%252e%252e/%252e%252e/vms/settings.py",
    "/media/..%5c..%5cvms%5csettings.py",
    "/media//etc/passwd",
    "/media/%2fetc%2fpasswd",
    "/media/snapshots/%00../../vms/settings.py",
    "/media/.hidden",
    "/media/",
]


@pytest.mark.django_db
def test_a_snapshot_is_served_to_a_viewer_and_not_to_anonymous(objects, users):
    url = f"/media/{objects['snapshot']}"
    response = client_as(users["viewer"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    anonymous = client_as(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_file_that_is_not_a_picture_is_downloaded_not_rendered(objects, users, settings):
    page = settings.MEDIA_ROOT / "snapshots" / "page.html"
    page.write_text("<script>alert(1)</script>")
    response = client_as(users["viewer"]).get("/media/snapshots/page.html")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
@pytest.mark.parametrize("url", TRAVERSALS)
def test_a_path_leaving_media_root_is_not_found_in_process(url, objects, users, settings):
    (settings.MEDIA_ROOT / ".hidden").write_text("HIDDEN-CONTENT-7c1")
    # A file that every "../vms/settings.py" above reaches from this test's MEDIA_ROOT if it is followed.
    outside = settings.MEDIA_ROOT.parent / "vms"
    outside.mkdir(exist_ok=True)
    (outside / "settings.py").write_text("SECRET_KEY = 'x'")
    response = client_as(users["admin"]).get(url)
    assert response.status_code in (400, 404), f"{url} → {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"SECRET_KEY" not in body and b"root:" not in body and b"HIDDEN-CONTENT-7c1" not in body


@pytest.mark.django_db(transaction=True)
def test_a_path_leaving_media_root_is_not_found_through_the_real_server(asgi_server, victor):
    """Raw request targets (no client-side normalisation), through uvicorn's own decoding."""
    from django.conf import settings

    from tests.accounts.test_login import console_login

    session, _ = console_login(asgi_server.base_url, "victor")
    cookie = f"sessionid={session.cookies['sessionid']}"
    snapshots = settings.MEDIA_ROOT / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    (snapshots / "security-test.jpg").write_bytes(JPEG)
    host = urlsplit(asgi_server.base_url)
    found = {}
    for url in [*TRAVERSALS, "/media/snapshots/security-test.jpg"]:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        conn.putrequest("GET", url, skip_accept_encoding=True)
        conn.putheader("Cookie", cookie)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert b"SECRET_KEY" not in body and b"root:" not in body, url
        found[url] = response.status
    assert found.pop("/media/snapshots/security-test.jpg") == 200
    assert all(status in (400, 404) for status in found.values()), found
