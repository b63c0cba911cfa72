"""Migration 0003 gives alerts raised before it their note, plate key, last sighting and first sighting."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("watchlists", "0002_webhook_deliveries_outbox")]
AFTER = [("watchlists", "0003_alerts")]


def others_at_their_latest(executor, watchlists):
    return [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "watchlists"] + watchlists


@pytest.mark.django_db(transaction=True)
def test_alerts_raised_before_the_migration_get_their_note_and_first_sighting():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(others_at_their_latest(executor, BEFORE)).apps
    camera = old.get_model("cameras", "Camera").objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    now = timezone.now()
    detection = old.get_model("detections", "Detection").objects.create(
        camera=camera, plate_text="ABC1234", plate_key="A8C1234", first_seen=now, last_seen=now, frame_time=now,
    )
    watchlist = old.get_model("watchlists", "WatchList").objects.create(name="Stolen")
    entry = old.get_model("watchlists", "WatchListEntry").objects.create(
        watchlist=watchlist, pattern="ABC1234", note="reported stolen", match_like="A8C1234"
    )
    alert = old.get_model("watchlists", "Alert").objects.create(
        detection=detection, watchlist=watchlist, entry=entry, pattern="ABC1234", plate_text="ABC1234"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(others_at_their_latest(executor, AFTER)).apps
    migrated = new.get_model("watchlists", "Alert").objects.get(pk=alert.pk)
    assert (migrated.note, migrated.plate_key, migrated.sighting_count) == ("reported stolen", "A8C1234", 1)
    assert migrated.last_seen_at == now
    [sighting] = new.get_model("watchlists", "AlertSighting").objects.filter(alert_id=alert.pk)
    assert sighting.detection_id == detection.pk
    MigrationExecutor(connection).migrate(latest)  # later watchlists migrations too, for the tests after this
