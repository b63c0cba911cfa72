"""The site's time zone (TIME_ZONE): pages show every time in it with its offset, in one format; the search reads
its date and time inputs in it; a name that is not a zone stops start-up with one line."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from apps.cameras.models import Camera
from apps.detections.models import Detection
from vms.times import site_time

pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, 5, tzinfo=UTC)


@pytest.fixture
def detection(db):
    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/a")
    return Detection.objects.create(camera=camera, first_seen=LATE_EVENING_UTC, last_seen=LATE_EVENING_UTC,
                                    frame_time=LATE_EVENING_UTC, plate_text="ABC1D23", vehicle_class="car")


@pytest.fixture
def console(victor):
    client = Client()
    client.force_login(victor)
    return client


def test_a_detection_s_time_is_shown_in_the_site_zone_with_its_offset(settings, detection, console):
    settings.TIME_ZONE = "America/Sao_Paulo"
    expected = "2026-12-01 20:30:05 -03"
    detail = console.get(f"/detections/{detection.pk}/").content.decode()
    assert f"<dt>First seen</dt><dd>{expected}</dd>" in detail and f"<dt>Last seen</dt><dd>{expected}</dd>" in detail
    # The search rows and the live feed's first rows, the same text; the page tells time.js the zone.
    assert detail.count('data-time-zone="America/Sao_Paulo"') == 1
    assert f"<td>{expected}</td>" in console.get("/detections/").content.decode()
    assert f">{expected}</time>" in console.get("/detections/feed/").content.decode()


def test_the_offset_label_is_utc_at_zero_and_has_minutes_where_the_zone_does(settings):
    assert site_time(LATE_EVENING_UTC) == "2026-12-01 23:30:05 UTC"
    settings.TIME_ZONE = "Asia/Kolkata"
    assert site_time(LATE_EVENING_UTC) == "2026-12-02 05:00:05 +05:30"
    settings.TIME_ZONE = "Europe/Berlin"
    assert site_time(LATE_EVENING_UTC.isoformat()) == "2026-12-02 00:30:05 +01"  # ISO strings too (event bodies)
    assert site_time(LATE_EVENING_UTC - timedelta(days=150)) == "2026-07-05 01:30:05 +02"  # summer time
    assert site_time(None) == ""


def _found(console, since, until):
    response = console.get("/detections/", {"since": since, "until": until})
    assert response.status_code == 200
    return "ABC1D23" in response.content.decode()


def test_the_search_reads_its_dates_and_times_in_the_site_zone(settings, detection, console):
    # 23:30 UTC on 1 December is 08:30 on 2 December in Tokyo: the local date is the one that finds it.
    settings.TIME_ZONE = "Asia/Tokyo"
    assert _found(console, "2026-12-02T00:00", "2026-12-02T23:59")
    assert not _found(console, "2026-12-01T00:00", "2026-12-01T23:59")
    assert _found(console, "2026-12-02T08:30", "2026-12-02T08:31")
    assert not _found(console, "2026-12-01T23:00", "2026-12-01T23:59")  # what it is in UTC: not the site's time
    # A day alone as the end is all of that day.
    assert _found(console, "2026-12-02", "2026-12-02")
    assert "Site time (Asia/Tokyo)." in console.get("/detections/").content.decode()


def test_a_time_zone_that_does_not_exist_stops_start_up_with_one_line_naming_the_setting():
    from tests.processes import test_env

    result = subprocess.run([sys.executable, "manage.py", "check"], env=test_env(TIME_ZONE="Mars/Olympus_Mons"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["TIME_ZONE: 'Mars/Olympus_Mons' is not a time zone name (e.g. UTC, America/Sao_Paulo)"]
