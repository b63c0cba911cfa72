"""A detection of a watched plate raises one alert per list: a row, a `system.notification` event on
`vms.events`, a push to every console; tolerant of OCR confusions, never twice for one passage."""

import pytest

from apps.watchlists.models import Alert
from apps.watchlists.services import alert_acknowledge, alert_match, watchlist_create, watchlist_update
from tests.watchlists.conftest import later, see

pytestmark = pytest.mark.django_db


@pytest.fixture
def stolen(olivia):
    return watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": "reported 12/11"}])


def test_a_detection_of_a_watched_plate_raises_an_alert_published_and_pushed(
    camera, stolen, notifications, system_notifications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        detection = see(camera, "ABC1234")

    alert = Alert.objects.get()
    assert (alert.detection, alert.watchlist, alert.entry.pattern, alert.plate_text) == (
        detection, stolen, "ABC1234", "ABC1234"
    )
    assert alert.acknowledged_at is None

    [event] = system_notifications(1)
    assert event["type"] == "system.notification" and event["version"] == 1
    assert event["kind"] == "watchlist.alert"
    assert event["alert"]["id"] == alert.pk and event["alert"]["plate_text"] == "ABC1234"
    assert event["alert"]["detection"]["id"] == detection.pk and event["alert"]["camera_name"] == "Gate"

    pushed = [m for m in notifications.events() if m["event"] == "alert.created"]
    assert [m["payload"]["id"] for m in pushed] == [alert.pk]
    assert pushed[0]["payload"]["watchlist_name"] == "Stolen"


def test_a_plate_misread_with_confusable_characters_still_alerts(camera, stolen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "A8C1Z34")
    assert Alert.objects.get().plate_text == "A8C1Z34"


@pytest.mark.parametrize(
    "pattern, plate, alerts",
    [
        ("ABC*", "ABC9999", True),
        ("ABC*", "XABC999", False),
        ("?BC1234", "XBC1234", True),
        ("?BC1234", "XXBC1234", False),
        ("*9E*", "BRA9E19", True),
        ("ABC1234", "ABC12345", False),
    ],
)
def test_wildcards_match_any_run_or_exactly_one_character(camera, olivia, pattern, plate, alerts):
    watchlist_create(actor=olivia, name="Patterns", entries=[pattern])
    detection = see(camera, plate, watchlists=False)
    assert bool(alert_match(detection=detection)) is alerts


def test_an_updated_detection_does_not_alert_again(camera, stolen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = see(camera, "ABC1234", confidence=0.6)
        again = see(camera, "ABC1234", at=later(1), confidence=0.95)  # the same passage, a better reading
    assert again.pk == first.pk and again.readings == 2
    assert Alert.objects.count() == 1


def test_one_alert_per_list_that_matches(camera, olivia, stolen, django_capture_on_commit_callbacks):
    watchlist_create(actor=olivia, name="Company cars", entries=["ABC*", "XYZ*"])
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    assert sorted(Alert.objects.values_list("watchlist__name", flat=True)) == ["Company cars", "Stolen"]


def test_allow_lists_and_disabled_lists_raise_nothing(camera, olivia, stolen, django_capture_on_commit_callbacks):
    watchlist_create(actor=olivia, name="Residents", kind="allow", entries=["ABC1234"])
    watchlist_update(actor=olivia, watchlist=stolen, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    assert not Alert.objects.exists()


def test_acknowledging_records_who_and_when_once_and_tells_every_console(
    camera, stolen, olivia, alice, victor, notifications, django_capture_on_commit_callbacks
):
    from django.core.exceptions import PermissionDenied

    detection = see(camera, "ABC1234", watchlists=False)
    [alert] = alert_match(detection=detection)
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=victor, alert=alert)
    with django_capture_on_commit_callbacks(execute=True):
        alert_acknowledge(actor=olivia, alert=alert)
    alert_acknowledge(actor=alice, alert=alert)  # already done: keeps the first
    alert.refresh_from_db()
    assert alert.acknowledged_by == olivia and alert.acknowledged_at is not None
    acked = [m for m in notifications.events() if m["event"] == "alert.acknowledged"]
    assert [m["payload"]["acknowledged_by"] for m in acked] == ["olivia"]
