"""An allow list (residents) marks its plates' passages when they are stored — in the feed, the detail page,
the search, the CSV export and both APIs — and, unless told otherwise, keeps alert lists from alerting on them."""

import csv
import io

import pytest
from django.urls import reverse

from apps.detections.models import Detection
from apps.detections.selectors import detection_search
from apps.watchlists.models import Alert, WatchListKind
from apps.watchlists.services import watchlist_create, watchlist_update
from tests.watchlists.conftest import api_as, see

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(olivia):
    return watchlist_create(actor=olivia, name="Residents", kind=WatchListKind.ALLOW, entries=["ABC1234", "RES*"])


@pytest.fixture
def stolen(olivia):
    return watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9876"])


def test_a_passage_of_a_plate_on_an_allow_list_is_marked_with_the_lists_name(camera, residents):
    assert see(camera, "ABC1234").allow_list == "Residents"
    assert Detection.objects.get(plate_text="ABC1234").allow_list == "Residents"
    assert see(camera, "RES0001", vehicle_box=(0.0, 0.0, 0.1, 0.1)).allow_list == "Residents"
    assert see(camera, "QQQ1111", vehicle_box=(0.7, 0.0, 0.9, 0.1)).allow_list == ""


def test_the_allow_list_matches_confusable_characters_as_alert_lists_do(camera, residents):
    assert see(camera, "A8C1Z34").allow_list == "Residents"


def test_a_disabled_allow_list_marks_nothing(camera, olivia, residents):
    watchlist_update(actor=olivia, watchlist=residents, enabled=False)
    assert see(camera, "ABC1234").allow_list == ""


def test_an_allow_listed_plate_raises_no_alert_on_an_alert_list_that_names_it(camera, residents, stolen):
    see(camera, "ABC1234")
    see(camera, "XYZ9876", vehicle_box=(0.0, 0.0, 0.1, 0.1))
    assert list(Alert.objects.values_list("plate_text", flat=True)) == ["XYZ9876"]


def test_an_allow_list_that_does_not_suppress_alerts_marks_and_still_alerts(camera, olivia, residents, stolen):
    watchlist_update(actor=olivia, watchlist=residents, suppress_alerts=False)
    detection = see(camera, "ABC1234")
    assert detection.allow_list == "Residents"
    assert Alert.objects.get().detection == detection


def test_an_entry_added_later_does_not_rewrite_earlier_passages(camera, olivia, residents):
    visitor = see(camera, "NEW0001")
    watchlist_update(actor=olivia, watchlist=residents, entries=["ABC1234", "NEW0001"])
    visitor.refresh_from_db()
    assert visitor.allow_list == ""


def test_the_live_push_carries_the_mark(camera, residents, django_capture_on_commit_callbacks):
    from tests.watchlists.conftest import GroupListener

    listener = GroupListener("detections")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            see(camera, "ABC1234")
        [message] = [m for m in listener.events() if m["event"] == "detection.created"]
    finally:
        listener.close()
    assert message["payload"]["allow_list"] == "Residents"


def test_search_filters_on_the_allow_list(camera, residents, client, alice):
    resident = see(camera, "ABC1234")
    visitor = see(camera, "QQQ1111", vehicle_box=(0.0, 0.0, 0.1, 0.1))
    assert list(detection_search(allow_listed=True)) == [resident]
    assert list(detection_search(allow_listed=False)) == [visitor]
    client.force_login(alice)
    page = client.get(reverse("detections:list"), {"allow_list": "on"}).content.decode()
    assert "ABC1234" in page and "QQQ1111" not in page and "resident · Residents" in page
    assert client.get(reverse("detections:list"), {"allow_list": "maybe"}).status_code == 400


def test_feed_detail_and_export_show_the_mark(camera, residents, client, alice):
    resident = see(camera, "ABC1234")
    see(camera, "QQQ1111", vehicle_box=(0.0, 0.0, 0.1, 0.1))
    client.force_login(alice)
    feed = client.get(reverse("detections:feed")).content.decode()
    assert feed.count("resident · Residents") == 1
    detail = client.get(reverse("detections:detail", args=[resident.pk])).content.decode()
    assert "resident · Residents" in detail
    export = b"".join(client.get(reverse("detections:export")).streaming_content).decode()
    rows = {row["plate_text"]: row["allow_list"] for row in csv.DictReader(io.StringIO(export))}
    assert rows == {"ABC1234": "Residents", "QQQ1111": ""}


def test_the_apis_give_the_mark_and_filter_on_it(camera, residents, alice):
    see(camera, "ABC1234")
    see(camera, "QQQ1111", vehicle_box=(0.0, 0.0, 0.1, 0.1))
    api = api_as(alice)
    marked = api.get("/api/detections/", {"allow_list": "on"}).json()["results"]
    assert [(d["plate_text"], d["allow_list"]) for d in marked] == [("ABC1234", "Residents")]
    unmarked = api.get("/api/detections/", {"allow_list": "off"}).json()["results"]
    assert [(d["plate_text"], d["allow_list"]) for d in unmarked] == [("QQQ1111", None)]
    recent = {d["plate_text"]: d["allow_list"] for d in api.get("/api/ai/recent").json()}
    assert recent == {"ABC1234": "Residents", "QQQ1111": None}
    bad = api.get("/api/detections/", {"allow_list": "maybe"})
    assert bad.status_code == 400 and "allow_list" in bad.json()


def test_the_suppress_option_is_saved_from_the_form_and_the_api(olivia, client):
    client.force_login(olivia)
    response = client.post(reverse("watchlists:add"), {
        "name": "Staff", "kind": "allow", "enabled": "on", "entries": "STF0001",
    })
    assert response.status_code == 302
    from apps.watchlists.models import WatchList

    assert WatchList.objects.get(name="Staff").suppress_alerts is False  # an unticked box
    created = api_as(olivia).post("/api/watchlists/", {"name": "Family", "kind": "allow", "entries": []}, format="json")
    assert created.status_code == 201 and created.json()["suppress_alerts"] is True


def test_both_api_schemas_document_the_mark(alice):
    api = api_as(alice)
    drf = api.get("/api/schema/", {"format": "json"}).json()
    assert "allow_list" in drf["components"]["schemas"]["Detection"]["properties"]
    params = {p["name"]: p for p in drf["paths"]["/api/detections/"]["get"]["parameters"]}
    assert sorted(params["allow_list"]["schema"]["enum"]) == ["off", "on"]
    assert "suppress_alerts" in drf["components"]["schemas"]["WatchList"]["properties"]
    ninja = api.get("/api/openapi.json").json()
    assert "allow_list" in ninja["components"]["schemas"]["DetectionOut"]["properties"]
