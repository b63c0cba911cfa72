"""The console home: cameras by state, detections per camera (last hour, today), detections per hour over 24 h,
top plates, pipeline health; the same figures at /api/dashboard/; a fragment the page swaps in live."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.dashboard.selectors import chart, dashboard_figures
from apps.detections.models import Detection
from tests.watchlists.conftest import api_as
from vms import pipeline_metrics

pytestmark = pytest.mark.django_db

# Noon, local time: "today" and "the last hour" don't depend on when the test runs.
NOON = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def cameras(db):
    def cam(name, **fields):
        return Camera.objects.create(name=name, rtsp_url=f"rtsp://192.0.2.1/{name}", **fields)

    return {
        "gate": cam("Gate", stream_state="online", ai_enabled=True),
        "yard": cam("Yard", stream_state="offline"),
        "lane": cam("Lane", stream_state="frozen"),
        "door": cam("Door", stream_state="online", provision_state="error", provision_error="unreachable"),
    }


def seen(camera, plate, ago):
    at = NOON - ago
    return Detection.objects.create(camera=camera, first_seen=at, last_seen=at, frame_time=at, plate_text=plate)


@pytest.fixture
def traffic(cameras):
    gate, yard = cameras["gate"], cameras["yard"]
    seen(gate, "ABC1234", timedelta(minutes=10))
    seen(gate, "ABC1234", timedelta(minutes=50))
    seen(yard, "XYZ9876", timedelta(minutes=20))
    seen(gate, "ABC1234", timedelta(hours=3))
    seen(yard, "QWE1111", timedelta(hours=3, minutes=5))
    seen(gate, "ABC1234", timedelta(hours=20))  # yesterday, still in the 24 h chart
    seen(gate, "OLD0001", timedelta(hours=30))  # outside everything
    seen(gate, "FUT0001", -timedelta(minutes=30))  # after "now": not counted


def test_the_figures_count_by_state_camera_hour_and_plate(traffic, cameras):
    figures = dashboard_figures(now=NOON)
    assert figures["state_counts"] == {"online": 1, "offline": 1, "frozen": 1, "error": 1, "unknown": 0}
    assert [c.name for c in figures["by_state"]["error"]] == ["Door"]
    rows = {row["camera"].name: (row["last_hour"], row["today"]) for row in figures["cameras"]}
    assert rows == {"Door": (0, 0), "Gate": (2, 3), "Lane": (0, 0), "Yard": (1, 2)}
    assert (figures["detections_last_hour"], figures["detections_today"]) == (3, 5)

    hourly = figures["hourly"]
    assert len(hourly) == 24 and hourly[-1]["hour"] == NOON.replace(minute=0)
    counts = {point["hour"]: point["count"] for point in hourly}
    assert counts[NOON - timedelta(hours=1)] == 3  # 11:10, 11:40 and 11:50
    assert counts[NOON - timedelta(hours=3)] == 1 and counts[NOON - timedelta(hours=4)] == 1
    assert counts[NOON - timedelta(hours=20)] == 1
    assert sum(counts.values()) == 6

    assert [(row["plate_text"], row["count"]) for row in figures["top_plates"]][:1] == [("ABC1234", 3)]
    assert {row["plate_text"] for row in figures["top_plates"]} == {"ABC1234", "XYZ9876", "QWE1111"}


def test_the_chart_scales_bars_to_the_busiest_hour(traffic):
    bars = chart(dashboard_figures(now=NOON)["hourly"])["bars"]
    assert len(bars) == 24
    tallest = max(bars, key=lambda bar: bar["height"])
    assert tallest["count"] == 3 and tallest["height"] == pytest.approx(140.0)
    assert all(bar["height"] == 0 for bar in bars if bar["count"] == 0)


def test_pipeline_health_comes_from_the_worker_metrics(cameras):
    gate = cameras["gate"]
    before = dashboard_figures()["pipeline"]
    base = {row["camera_id"]: row for row in before}.get(gate.pk, {"grabbed": 0, "processed": 0, "dropped": 0})
    pipeline_metrics.incr(gate.pk, "grabbed", 10)
    pipeline_metrics.incr(gate.pk, "detected", 7)
    pipeline_metrics.dropped(gate.pk, "expired")
    pipeline_metrics.observe(gate.pk, "frame_to_persisted", 420.0)
    pipeline_metrics.mark(gate.pk, "last_frame_at")
    [row] = dashboard_figures()["pipeline"]  # only cameras with AI
    assert row["camera_name"] == "Gate"
    assert (row["grabbed"], row["processed"], row["dropped"]) == (
        base["grabbed"] + 10, base["processed"] + 7, base["dropped"] + 1
    )
    assert row["latency_p95_ms"]["frame_to_persisted"] is not None
    assert timezone.now() - row["last_frame_at"] < timedelta(minutes=1)


def test_the_page_and_its_live_fragment_are_server_rendered(client, victor, cameras):
    now = timezone.now()
    Detection.objects.create(camera=cameras["gate"], first_seen=now, last_seen=now, frame_time=now, plate_text="LIV3001")
    client.force_login(victor)
    html = client.get("/").content.decode()
    assert '<svg class="chart"' in html and html.count('class="bar"') == 24
    assert f'href="/cameras/{cameras["door"].pk}/"' in html  # cameras by state link to their pages
    assert "LIV3001" in html  # in the top plates and in the live feed
    assert 'data-live-feed' in html and "js/live-feed.js" in html and "js/dashboard.js" in html
    # HTMX fetches the fragment: once a minute, and when dashboard.js says the figures are stale.
    assert 'hx-get="/?fragment=stats"' in html and 'hx-trigger="every 60s, stats-stale"' in html
    fragment = client.get("/", {"fragment": "stats"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode() and "LIV3001" in fragment.content.decode()


def test_the_dashboard_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_api_serves_the_same_figures_as_json(victor, traffic, cameras):
    response = api_as(victor).get("/api/dashboard/")
    assert response.status_code == 200
    body = response.json()
    assert {"detections_today", "detections_last_hour", "cameras_by_state", "cameras", "hourly", "top_plates",
            "pipeline"} <= set(body)
    assert [c["name"] for c in body["cameras_by_state"]["error"]] == ["Door"]
    assert len(body["hourly"]) == 24
    assert APIClient().get("/api/dashboard/").status_code == 401


def test_the_live_feed_fragment_shows_the_newest_first_and_only_the_asked_camera(client, victor, cameras):
    now = timezone.now()
    for minutes, camera, plate in ((3, "gate", "GAT0003"), (1, "gate", "GAT0001"), (2, "yard", "YAR0002")):
        at = now - timedelta(minutes=minutes)
        Detection.objects.create(camera=cameras[camera], first_seen=at, last_seen=at, frame_time=at, plate_text=plate)
    client.force_login(victor)
    html = client.get("/detections/feed/", {"camera": cameras["gate"].pk}).content.decode()
    assert "YAR0002" not in html and html.index("GAT0001") < html.index("GAT0003")
    everything = client.get("/detections/feed/").content.decode()
    assert everything.index("GAT0001") < everything.index("YAR0002") < everything.index("GAT0003")
