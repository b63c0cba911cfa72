"""CSV export of any search: streamed from the database in chunks, so 100 000 rows never sit in memory."""

import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from apps.cameras.models import Camera
from apps.detections.models import Detection, plate_key

pytestmark = pytest.mark.django_db

ROWS = 100_000


@pytest.fixture
def gate(db):
    return Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/a")


def bulk(camera, count, start=None):
    start = start or timezone.now()
    batch = []
    for i in range(count):
        at = start - timedelta(seconds=i)
        text = f"EXP{i:05d}"[-7:] if i % 10 else "ABC1234"
        batch.append(Detection(
            camera=camera, first_seen=at, last_seen=at, frame_time=at, plate_text=text, plate_key=plate_key(text),
            plate_confidence=0.9, vehicle_class="car", vehicle_confidence=0.8,
        ))
        if len(batch) == 5000:
            Detection.objects.bulk_create(batch)
            batch = []
    Detection.objects.bulk_create(batch)


@pytest.mark.slow
def test_exporting_100000_detections_streams_with_bounded_memory(client, victor, gate):
    bulk(gate, ROWS)
    client.force_login(victor)
    # A first request imports what the view needs: module imports are not what this test measures.
    assert b"".join(client.get("/detections/export.csv", {"plate": "NOTHING"}).streaming_content).count(b"\n") == 1

    tracemalloc.start()
    try:
        response = client.get("/detections/export.csv")
        assert isinstance(response, StreamingHttpResponse)
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="detections-')
    assert lines == ROWS + 1
    # The CSV is ~11 MB; building it (or the 100 000 rows) in memory would take at least that much.
    assert size > 10_000_000
    assert peak < size / 4, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB export"


def test_the_export_holds_the_search_and_keeps_cells_from_becoming_formulas(client, victor, gate):
    hostile = Camera.objects.create(name="=HYPERLINK(\"http://x\")", rtsp_url="rtsp://192.0.2.9/a")
    now = timezone.now()
    for camera, text in ((gate, "ABC1234"), (hostile, "A8C1Z34"), (gate, "XYZ9876")):
        Detection.objects.create(camera=camera, first_seen=now, last_seen=now, frame_time=now, plate_text=text)
    client.force_login(victor)
    response = client.get("/detections/export.csv", {"plate": "ABC1234"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["plate_text"] for row in rows) == ["A8C1Z34", "ABC1234"]
    assert {row["camera"] for row in rows} == {"Gate", "'=HYPERLINK(\"http://x\")"}
    assert rows[0]["last_seen"].startswith(str(timezone.localtime(now).year))


def test_anonymous_users_cannot_export(client, gate):
    response = client.get("/detections/export.csv")
    assert response.status_code == 302 and "/login/" in response["Location"]
