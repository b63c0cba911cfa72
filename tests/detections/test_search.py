"""Detection search: by plate (exact, prefix, tolerant of OCR's confusions), camera, vehicle class
and time range; the same in the console, the API and the CSV export; bad input is a message or a 400."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.cameras.models import Camera
from apps.detections.models import Detection, plate_key
from apps.detections.selectors import detection_count, detection_search
from tests.watchlists.conftest import api_as

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def cameras(db):
    return Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/a"), Camera.objects.create(
        name="Yard", rtsp_url="rtsp://192.0.2.2/a"
    )


def make(camera, plate, *, minutes_ago=0, vehicle="car"):
    at = NOW - timedelta(minutes=minutes_ago)
    return Detection.objects.create(
        camera=camera, first_seen=at, last_seen=at, frame_time=at, plate_text=plate, vehicle_class=vehicle
    )


@pytest.fixture
def seen(cameras):
    gate, yard = cameras
    return {
        "ABC1234": make(gate, "ABC1234", minutes_ago=50),
        "A8C1Z34": make(yard, "A8C1Z34", minutes_ago=40, vehicle="truck"),
        "ABC1299": make(gate, "ABC1299", minutes_ago=30),
        "XYZ9876": make(yard, "XYZ9876", minutes_ago=20),
        "": make(gate, "", minutes_ago=10, vehicle="motorcycle"),
    }


def plates(detections):
    return [d.plate_text for d in detections]


def test_the_plate_key_is_stored_on_save_and_folds_confusable_characters(cameras):
    assert make(cameras[0], "A8C1Z34").plate_key == make(cameras[0], "ABC1234").plate_key == "A8C1234"
    assert plate_key("OISBZG") == "015826"


class TestSelector:
    def test_a_tolerant_search_finds_readings_with_confused_characters(self, seen):
        assert plates(detection_search(plate="ABC1234")) == ["A8C1Z34", "ABC1234"]
        assert plates(detection_search(plate="A8C1Z34")) == ["A8C1Z34", "ABC1234"]

    def test_an_exact_search_finds_only_the_text_as_read(self, seen):
        assert plates(detection_search(plate="ABC1234", match="exact")) == ["ABC1234"]

    def test_a_prefix_search_strict_or_tolerant(self, seen):
        assert plates(detection_search(plate="ABC12", match="prefix")) == ["ABC1299", "ABC1234"]
        assert plates(detection_search(plate="ABC12", match="similar_prefix")) == ["ABC1299", "A8C1Z34", "ABC1234"]

    def test_any_part_finds_the_end_the_middle_or_the_start_of_a_plate_tolerantly(self, seen):
        assert plates(detection_search(plate="9876", match="similar_contains")) == ["XYZ9876"]
        assert plates(detection_search(plate="C12", match="similar_contains")) == ["ABC1299", "A8C1Z34", "ABC1234"]
        assert plates(detection_search(plate="1Z34", match="similar_contains")) == ["A8C1Z34", "ABC1234"]  # Z/2
        assert plates(detection_search(plate="XYZ", match="similar_contains")) == ["XYZ9876"]

    def test_the_count_stops_at_its_limit(self, seen):
        assert detection_count(detection_search(plate="ABC12", match="similar_prefix")) == {"count": 3, "more": False}
        assert detection_count(detection_search(), limit=3) == {"count": 3, "more": True}
        assert detection_count(detection_search(), limit=5) == {"count": 5, "more": False}

    def test_camera_vehicle_class_and_time_range_narrow_the_search(self, seen, cameras):
        gate, yard = cameras
        assert plates(detection_search(camera_id=yard.pk)) == ["XYZ9876", "A8C1Z34"]
        assert plates(detection_search(vehicle_class="truck")) == ["A8C1Z34"]
        since, until = NOW - timedelta(minutes=45), NOW - timedelta(minutes=25)
        assert plates(detection_search(since=since, until=until)) == ["ABC1299", "A8C1Z34"]

    def test_every_plate_search_is_an_index_lookup(self, seen):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            for match in ("similar", "similar_prefix", "exact", "prefix"):
                sql, params = detection_search(plate="ABC12", match=match).query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan on detections_detection" not in plan, (match, plan)
                assert "Index" in plan
            cursor.execute("SET enable_seqscan = on")


class TestConsole:
    def test_the_search_page_lists_matches_with_links_to_each_detection(self, client, victor, seen):
        client.force_login(victor)
        page = client.get("/detections/", {"plate": "abc-1234"})
        html = page.content.decode()
        assert page.status_code == 200
        assert f'/detections/{seen["A8C1Z34"].pk}/' in html and f'/detections/{seen["ABC1234"].pk}/' in html
        assert "XYZ9876" not in html

    def test_the_page_finds_the_end_of_a_plate_and_says_how_many_it_found(self, client, victor, seen):
        client.force_login(victor)
        html = client.get("/detections/", {"plate": "9876", "match": "similar_contains"}).content.decode()
        assert f"/detections/{seen['XYZ9876'].pk}/" in html and f"/detections/{seen['ABC1234'].pk}/" not in html
        assert '<p id="result-count" role="status">1 detection for' in html
        html = client.get("/detections/", {"plate": "abc-1234"}).content.decode()
        assert '<p id="result-count" role="status">2 detections for' in html

    def test_a_count_past_the_limit_says_more_than(self, client, victor, seen, monkeypatch):
        from apps.detections import selectors

        monkeypatch.setattr(selectors.detection_count, "__kwdefaults__", {"limit": 2})
        client.force_login(victor)
        assert "More than 2 detections." in client.get("/detections/").content.decode()

    def test_an_empty_search_lists_the_newest_detections_a_page_at_a_time(self, client, victor, cameras):
        for minute in range(55):
            make(cameras[0], f"PAG{minute:04d}", minutes_ago=minute)
        client.force_login(victor)
        first = client.get("/detections/").content.decode()
        assert "PAG0000" in first and "PAG0049" in first and "PAG0050" not in first and 'rel="next"' in first
        second = client.get("/detections/", {"page": "2"}).content.decode()
        assert "PAG0050" in second and "PAG0054" in second and 'rel="next"' not in second
        assert client.get("/detections/", {"page": "banana"}).status_code == 200

    @pytest.mark.parametrize(
        "query, message",
        [
            ({"plate": "ABC$123"}, "letters A–Z and digits 0–9 only"),
            ({"plate": "A" * 17}, "at most 16 characters"),
            ({"since": "2026-05-02T10:00", "until": "2026-05-01T10:00"}, "is before"),
            ({"since": "1850-01-01T00:00"}, "Pick a date between"),
            ({"until": "9999-12-31T23:59"}, "Pick a date between"),
            ({"since": "99999-01-01"}, "Enter a valid date/time"),
            ({"camera": "999999"}, "Select a valid choice"),
            ({"camera": "x"}, "Select a valid choice"),
            ({"match": "regex"}, "Select a valid choice"),
            ({"vehicle_class": "tank"}, "Select a valid choice"),
        ],
    )
    def test_bad_searches_get_a_clear_message_and_a_400(self, client, victor, query, message):
        client.force_login(victor)
        response = client.get("/detections/", query)
        assert response.status_code == 400
        assert message in response.content.decode()
        export = client.get("/detections/export.csv", query)
        assert export.status_code == 400 and message in export.content.decode()

    def test_the_detail_page_draws_the_boxes_over_the_snapshot(self, client, victor, cameras):
        from django.core.files.base import ContentFile

        detection = make(cameras[0], "ABC1234")
        detection.vehicle_box = [0.1, 0.2, 0.6, 0.9]
        detection.plate_box = [0.3, 0.7, 0.4, 0.75]
        detection.plate_format = "br"
        detection.snapshot.save("frame.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
        client.force_login(victor)
        html = client.get(f"/detections/{detection.pk}/").content.decode()
        assert detection.snapshot.url in html
        assert "<dt>Format</dt><dd>Brazil, old grey plate (br)</dd>" in html
        assert '<rect class="box-vehicle" x="0.1000" y="0.2000" width="0.5000" height="0.7000"' in html
        assert '<rect class="box-plate" x="0.3000" y="0.7000" width="0.1000" height="0.0500"' in html
        assert client.get("/detections/999999/").status_code == 404
        legend = html[html.index('id="box-legend"'):]
        assert "box-vehicle-swatch" in legend and "box-plate-swatch" in legend[: legend.index("</figcaption>")]

    def test_the_legend_names_only_the_boxes_drawn(self, client, victor, cameras):
        from django.core.files.base import ContentFile

        plate_only = make(cameras[0], "ABC1234")  # a plate read with no vehicle found around it
        plate_only.plate_box = [0.3, 0.7, 0.4, 0.75]
        plate_only.snapshot.save("frame.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
        client.force_login(victor)
        html = client.get(f"/detections/{plate_only.pk}/").content.decode()
        assert 'class="box-plate"' in html and "box-plate-swatch" in html
        assert "box-vehicle" not in html
        no_boxes = make(cameras[0], "XYZ9876")
        no_boxes.snapshot.save("frame.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=True)
        html = client.get(f"/detections/{no_boxes.pk}/").content.decode()
        assert 'id="box-legend"' not in html and "swatch" not in html


class TestApi:
    def test_the_api_searches_with_the_same_tolerance(self, victor, seen):
        response = api_as(victor).get("/api/detections/", {"plate": "ABC1234"})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2 and [d["plate_text"] for d in body["results"]] == ["A8C1Z34", "ABC1234"]
        assert {"camera_name", "plate_box", "vehicle_box", "snapshot_url"} <= set(body["results"][0])
        exact = api_as(victor).get("/api/detections/", {"plate": "ABC1234", "match": "exact"}).json()
        assert [d["plate_text"] for d in exact["results"]] == ["ABC1234"]
        one = api_as(victor).get(f"/api/detections/{seen['XYZ9876'].pk}/").json()
        assert one["plate_text"] == "XYZ9876"

    @pytest.mark.parametrize(
        "query", [{"plate": "AB!"}, {"since": "2999-01-01T00:00:00Z"}, {"since": "2026-02-01", "until": "2026-01-01"},
                  {"camera": "0"}, {"match": "fuzzy"}]
    )
    def test_bad_filters_are_400s_naming_the_field(self, victor, query):
        response = api_as(victor).get("/api/detections/", query)
        assert response.status_code == 400
        assert set(response.json()) & {"plate", "since", "until", "camera", "match"}

    def test_the_api_is_read_only_and_needs_a_login(self, victor, seen):
        from rest_framework.test import APIClient

        assert api_as(victor).post("/api/detections/", {}, format="json").status_code == 405
        assert APIClient().get("/api/detections/").status_code == 401
