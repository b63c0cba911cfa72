"""Watch lists are managed by operators from the console, the API and the admin; viewers only look.
Bad patterns and webhook URLs get clear messages, never a 500."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEntry
from apps.watchlists.models import WatchList
from apps.watchlists.services import watchlist_create, watchlist_delete, watchlist_update
from tests.watchlists.conftest import api_as

pytestmark = pytest.mark.django_db


class TestWatchListCreate:
    def test_it_keeps_patterns_upper_cased_and_distinct_and_audits(self, olivia):
        watchlist = watchlist_create(
            actor=olivia, name="Stolen", entries=[" abc1234 ", {"pattern": "XYZ*", "note": "fleet"}, "ABC1234"]
        )
        assert list(watchlist.entries.values_list("pattern", "note")) == [("ABC1234", ""), ("XYZ*", "fleet")]
        assert AuditEntry.objects.get(action="watchlist.create").changes["entries"] == ["ABC1234", "XYZ*"]

    @pytest.mark.parametrize("pattern", ["AB-1234", "ABC 123", "ÄBC123", "A" * 17, "*", "**?", "", "ABC%", "A_C"])
    def test_a_bad_pattern_is_refused_with_a_message_naming_it(self, olivia, pattern):
        with pytest.raises(ValidationError) as exc:
            watchlist_create(actor=olivia, name="Bad", entries=[pattern])
        assert exc.value.message_dict["entries"]
        assert not WatchList.objects.exists()

    @pytest.mark.parametrize("url", ["ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd", "example.org", "http://"])
    def test_a_webhook_url_other_than_http_or_https_is_refused(self, olivia, url):
        with pytest.raises(ValidationError) as exc:
            watchlist_create(actor=olivia, name="Hook", webhook_url=url)
        assert "http://" in exc.value.message_dict["webhook_url"][0]

    def test_a_viewer_may_not_create_change_or_delete(self, victor, olivia):
        with pytest.raises(PermissionDenied):
            watchlist_create(actor=victor, name="Mine")
        watchlist = watchlist_create(actor=olivia, name="Theirs")
        with pytest.raises(PermissionDenied):
            watchlist_update(actor=victor, watchlist=watchlist, name="Mine")
        with pytest.raises(PermissionDenied):
            watchlist_delete(actor=victor, watchlist=watchlist)

    def test_names_are_unique_ignoring_case(self, olivia):
        watchlist_create(actor=olivia, name="Stolen")
        with pytest.raises(ValidationError) as exc:
            watchlist_create(actor=olivia, name="stolen")
        assert "already" in exc.value.message_dict["name"][0]


def test_updating_entries_keeps_the_rows_of_patterns_that_stay(olivia):
    watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9999"])
    kept = watchlist.entries.get(pattern="ABC1234")
    watchlist_update(actor=olivia, watchlist=watchlist, entries=["ABC1234", "NEW0001"])
    assert sorted(watchlist.entries.values_list("pattern", flat=True)) == ["ABC1234", "NEW0001"]
    assert watchlist.entries.get(pattern="ABC1234").pk == kept.pk


class TestConsole:
    def test_a_viewer_sees_lists_but_gets_403_on_every_edit_page(self, client, victor, olivia):
        watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"])
        client.force_login(victor)
        assert client.get("/watchlists/").status_code == 200
        page = client.get(f"/watchlists/{watchlist.pk}/")
        assert page.status_code == 200 and b"ABC1234" in page.content and b"/edit/" not in page.content
        for path in ("/watchlists/add/", f"/watchlists/{watchlist.pk}/edit/", f"/watchlists/{watchlist.pk}/delete/"):
            assert client.get(path).status_code == 403
            assert client.post(path, {"name": "Mine", "kind": "alert"}).status_code == 403
        assert WatchList.objects.get().name == "Stolen"

    def test_an_operator_creates_a_list_with_entries_from_the_form(self, client, olivia):
        client.force_login(olivia)
        response = client.post(
            "/watchlists/add/",
            {"name": "Stolen", "kind": "alert", "enabled": "on", "entries": "abc1234 reported\n\nXYZ*\n", "webhook_url": ""},
        )
        watchlist = WatchList.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/watchlists/{watchlist.pk}/"
        assert list(watchlist.entries.values_list("pattern", "note")) == [("ABC1234", "reported"), ("XYZ*", "")]

    def test_bad_patterns_and_urls_come_back_as_form_messages(self, client, olivia):
        client.force_login(olivia)
        response = client.post(
            "/watchlists/add/",
            {"name": "Bad", "kind": "alert", "entries": "AB-12\nOK123", "webhook_url": "ftp://example.org/"},
        )
        assert response.status_code == 200
        assert "use only letters A–Z" in response.content.decode()
        assert "http:// or https://" in response.content.decode()
        assert not WatchList.objects.exists()


class TestApi:
    def test_operators_create_update_and_delete_lists_with_entries(self, olivia):
        api = api_as(olivia)
        created = api.post(
            "/api/watchlists/",
            {"name": "Stolen", "kind": "alert", "entries": [{"pattern": "abc1234", "note": "x"}, {"pattern": "XY?1"}],
             "webhook_url": "https://example.org/hook"},
            format="json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert [e["pattern"] for e in body["entries"]] == ["ABC1234", "XY?1"]
        assert body["webhook_url"] == "https://example.org/hook" and body["last_webhook_error"] is None
        url = f"/api/watchlists/{body['id']}/"
        patched = api.patch(url, {"entries": [{"pattern": "NEW1234"}], "enabled": False}, format="json")
        assert patched.status_code == 200
        assert [e["pattern"] for e in patched.json()["entries"]] == ["NEW1234"] and patched.json()["enabled"] is False
        assert api.get("/api/watchlists/").json()["count"] == 1
        assert api.delete(url).status_code == 204
        assert not WatchList.objects.exists()

    def test_a_viewer_reads_but_cannot_write(self, victor, olivia):
        watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"])
        api = api_as(victor)
        assert api.get("/api/watchlists/").status_code == 200
        assert api.get(f"/api/watchlists/{watchlist.pk}/").json()["entries"][0]["pattern"] == "ABC1234"
        assert api.post("/api/watchlists/", {"name": "Mine"}, format="json").status_code == 403
        assert api.patch(f"/api/watchlists/{watchlist.pk}/", {"name": "Mine"}, format="json").status_code == 403
        assert api.delete(f"/api/watchlists/{watchlist.pk}/").status_code == 403
        assert WatchList.objects.get().name == "Stolen"

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"name": "Bad", "entries": [{"pattern": "AB CD"}]}, "entries"),
            ({"name": "Bad", "entries": "ABC1234"}, "entries"),
            ({"name": "Bad", "webhook_url": "gopher://example.org"}, "webhook_url"),
            ({"name": "Bad", "kind": "block"}, "kind"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, olivia, body, field):
        response = api_as(olivia).post("/api/watchlists/", body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not WatchList.objects.exists()
