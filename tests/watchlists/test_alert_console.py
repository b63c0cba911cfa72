"""What an operator on duty gets of an alert: the entry's note and the list's name everywhere (push, event,
webhook body with absolute console links), one alert per passage across cameras (race-safe), the alerts page
paged and filtered with "Acknowledge all shown", and each user's own alert sound."""

import html
import re
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.watchlists import services
from apps.watchlists.models import Alert, AlertPreference, WebhookDelivery
from apps.watchlists.services import alert_sound_enabled, watchlist_create, webhook_body
from tests.watchlists.conftest import later, see
from tests.watchlists.test_webhooks import run_tasks_here

NOTE = "reported stolen 12/11"


@pytest.fixture
def yard(db):
    return Camera.objects.create(name="Yard", rtsp_url="rtsp://192.0.2.11/live", recording_mode="continuous")


@pytest.fixture
def stolen(olivia):
    return watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": NOTE}])


def pushed(notifications, event):
    return [m["payload"] for m in notifications.events() if m["event"] == event]


# --- the note and the list, everywhere ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_entrys_note_and_list_reach_the_push_and_the_event_with_absolute_console_links(
    camera, stolen, notifications, system_notifications, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://vms.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        detection = see(camera, "ABC1234")
    [payload] = pushed(notifications, "alert.created")
    assert (payload["note"], payload["watchlist_name"], payload["cameras"], payload["sightings"]) == (
        NOTE, "Stolen", ["Gate"], 1
    )
    [event] = system_notifications(1)
    assert event["alert"]["note"] == NOTE and NOTE in event["title"] and NOTE in event["message"]
    assert event["links"]["detection"] == f"https://vms.example.com/detections/{detection.pk}/"
    assert event["links"]["snapshot"] is None  # the test detection has no picture
    assert event["links"]["clip"] is None  # Gate does not record


@pytest.mark.django_db
def test_the_webhook_body_carries_the_note_and_access_checked_absolute_links(
    yard, olivia, allow_loopback, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from tests.watchlists.test_webhooks import Receiver

    settings.PUBLIC_BASE_URL = "https://vms.example.com/".rstrip("/")
    run_tasks_here(monkeypatch, settings)
    receiver = Receiver([200])
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": NOTE}],
                         webhook_url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            detection = see(yard, "ABC1234")
            detection.snapshot.name = "snapshots/2026/12/02/x.jpg"
            detection.save(update_fields=["snapshot"])
    finally:
        receiver.stop()
    [request] = receiver.requests
    body = request["body"]
    assert body["alert"]["note"] == NOTE and body["alert"]["watchlist_name"] == "Stolen"
    links = body["links"]
    assert links["clip"] == f"https://vms.example.com/recordings/detections/{detection.pk}/clip.mp4"
    assert links["snapshot"] == "https://vms.example.com/media/snapshots/2026/12/02/x.jpg"  # behind the role check
    assert links["alerts"].startswith("https://vms.example.com/watchlists/alerts/?")
    for url in links.values():
        assert settings.MEDIA_HLS_BASE_URL not in url and ":8888" not in url and ":9996" not in url


def test_the_public_base_url_has_a_working_default():
    from django.conf import settings

    assert settings.PUBLIC_BASE_URL.startswith("http") and not settings.PUBLIC_BASE_URL.endswith("/")


# --- one alert per passage -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_camera_within_the_window_joins_the_first_alert_with_no_second_webhook(
    camera, yard, olivia, notifications, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_DEDUP_SECONDS = 60
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": NOTE}],
                     webhook_url="https://example.org/hook")
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
        see(yard, "A8C1234", at=later(30))  # another camera, a confusable misread: the same plate
    alert = Alert.objects.get()
    assert alert.sighting_count == 2 and alert.sightings.count() == 2
    assert WebhookDelivery.objects.count() == 1
    events = notifications.events()
    assert [m["event"] for m in events].count("alert.created") == 1
    [update] = [m["payload"] for m in events if m["event"] == "alert.updated"]
    assert update["cameras"] == ["Gate", "Yard"] and update["sightings"] == 2

def test_a_joined_sighting_shows_its_alert_on_its_own_page(camera, yard, stolen, settings, client, olivia):
    settings.ALERT_DEDUP_SECONDS = 60
    see(camera, "ABC1234")
    joined = see(yard, "ABC1234", at=later(30))
    client.force_login(olivia)
    page = client.get(f"/detections/{joined.pk}/").content.decode()
    assert f'href="/watchlists/{stolen.pk}/">Stolen</a>' in page



@pytest.mark.django_db
def test_a_sighting_after_the_window_raises_a_new_alert(camera, yard, stolen, settings, django_capture_on_commit_callbacks):
    settings.ALERT_DEDUP_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
        see(yard, "ABC1234", at=later(120))
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_dedup_off_raises_one_alert_per_detection(camera, yard, stolen, settings):
    settings.ALERT_DEDUP_SECONDS = 0
    see(camera, "ABC1234")
    see(yard, "ABC1234", at=later(5))
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_a_better_reading_of_a_joined_detection_counts_it_once(camera, yard, stolen, settings):
    settings.ALERT_DEDUP_SECONDS = 60
    see(camera, "ABC1234")
    see(yard, "ABC1234", at=later(10), confidence=0.6)
    see(yard, "ABC1234", at=later(11), confidence=0.95)  # the same passage at Yard: one detection
    assert Alert.objects.get().sighting_count == 2


@pytest.mark.django_db(transaction=True)
def test_two_cameras_persisting_the_same_plate_at_once_raise_one_alert(
    olivia, monkeypatch, settings
):
    """Both persists pass matching at the same moment (a barrier), then each holds its transaction open a
    while: without the list's row lock both would see no alert and raise one each."""
    settings.ALERT_DEDUP_SECONDS = 60
    gate = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    yard = Camera.objects.create(name="Yard", rtsp_url="rtsp://192.0.2.11/live")
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "ABC1234", "note": NOTE}],
                     webhook_url="https://example.org/hook")
    monkeypatch.setattr(services.outbox, "enqueue", lambda *a, **k: None)
    barrier = threading.Barrier(2, timeout=20)
    matching = services._matching_entries

    def matching_together(detection):
        entries = matching(detection)
        barrier.wait()
        return entries

    monkeypatch.setattr(services, "_matching_entries", matching_together)
    errors = []

    def persist(camera):
        try:
            with transaction.atomic():
                see(camera, "ABC1234")
                time.sleep(0.5)  # commit late: the other persist looks meanwhile
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=persist, args=(camera,)) for camera in (gate, yard)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    alert = Alert.objects.get()
    assert alert.sighting_count == 2 and alert.sightings.count() == 2
    assert WebhookDelivery.objects.count() == 1


# --- the alerts page ---------------------------------------------------------------------------------------


_passages = iter(range(10_000))


def make_alerts(camera, count, *, plate="ABC1234"):
    """`count` passages of `plate` at `camera` (apart by more than DETECTION_MERGE_SECONDS), each alerting."""
    alerts = []
    for _ in range(count):
        detection = see(camera, plate, at=later(30 * next(_passages)), watchlists=False)
        [alert] = services.alert_match(detection=detection) or [None]
        alerts.append(alert)
    return alerts


@pytest.mark.django_db
def test_the_alerts_page_is_paged(client, olivia, camera, stolen, settings):
    settings.ALERT_DEDUP_SECONDS = 0
    make_alerts(camera, 55)
    client.force_login(olivia)
    first = client.get("/watchlists/alerts/")
    assert first.status_code == 200 and len(first.context["alerts"]) == 50
    assert "Page 1 of 2" in first.content.decode() and "55 alerts" in first.content.decode()
    second = client.get("/watchlists/alerts/?page=2")
    assert len(second.context["alerts"]) == 5
    assert client.get("/watchlists/alerts/?page=oops").status_code == 200  # a bad page number: the first


@pytest.mark.django_db
def test_the_alerts_page_filters_by_state_list_camera_plate_and_site_time(
    client, olivia, camera, yard, stolen, settings
):
    settings.ALERT_DEDUP_SECONDS = 0
    settings.TIME_ZONE = "America/Sao_Paulo"
    other = watchlist_create(actor=olivia, name="Wanted", entries=["XYZ*"])
    [old] = make_alerts(camera, 1)
    [new] = make_alerts(yard, 1)
    [wanted] = make_alerts(camera, 1, plate="XYZ9999")
    site = ZoneInfo("America/Sao_Paulo")
    Alert.objects.filter(pk=old.pk).update(created_at=datetime(2026, 11, 30, 23, 30, tzinfo=site))
    Alert.objects.filter(pk=new.pk).update(created_at=datetime(2026, 12, 1, 0, 30, tzinfo=site))
    services.alert_acknowledge(actor=olivia, alert=wanted)
    client.force_login(olivia)

    def shown(query):
        response = client.get("/watchlists/alerts/?" + query)
        assert response.status_code == 200, response.content
        return {a.pk for a in response.context["alerts"]}

    assert shown("") == {old.pk, new.pk}  # open by default
    assert shown("state=acknowledged") == {wanted.pk}
    assert shown(f"state=all&watchlist={other.pk}") == {wanted.pk}
    assert shown(f"camera={yard.pk}") == {new.pk}
    assert shown("state=all&plate=xyz") == {wanted.pk}
    assert shown("plate=A8C") == {old.pk, new.pk}  # confusables fold as matching does
    # Site time: 2026-12-01 00:00 in São Paulo is 03:00 UTC; "old" was the evening before there.
    assert shown("since=2026-12-01T00:00") == {new.pk}
    assert shown("until=2026-11-30") == {old.pk}
    bad = client.get("/watchlists/alerts/?since=2026-12-02T00:00&until=2026-12-01T00:00")
    assert bad.status_code == 400 and "is before" in bad.content.decode()


@pytest.mark.django_db
def test_acknowledge_all_shown_acknowledges_only_what_the_filter_shows_each_audited(
    client, olivia, victor, camera, yard, stolen, settings
):
    settings.ALERT_DEDUP_SECONDS = 0
    gate_alerts = make_alerts(camera, 3)
    [yard_alert] = make_alerts(yard, 1)
    client.force_login(olivia)
    page = client.get(f"/watchlists/alerts/?camera={camera.pk}").content.decode()
    form = re.search(r'<form[^>]*id="acknowledge-shown".*?</form>', page, re.S).group(0)
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(html.unescape(value))
    assert fields["camera"] == [str(camera.pk)] and fields.get("state", ["open"]) == ["open"]  # the filter goes along
    assert sorted(map(int, fields["alert"])) == sorted(a.pk for a in gate_alerts)
    fields["alert"].append(str(yard_alert.pk))  # a forged id outside the filter is ignored
    response = client.post("/watchlists/alerts/acknowledge-shown/", fields)
    assert response.status_code == 302 and response["Location"] == f"/watchlists/alerts/?camera={camera.pk}"
    assert set(Alert.objects.exclude(acknowledged_at=None).values_list("pk", flat=True)) == {a.pk for a in gate_alerts}
    assert Alert.objects.get(pk=yard_alert.pk).acknowledged_at is None
    audited = AuditEntry.objects.filter(action="alert.acknowledge")
    assert sorted(int(e.target_id) for e in audited) == sorted(a.pk for a in gate_alerts)
    assert {e.actor_id for e in audited} == {olivia.pk}

    client.force_login(victor)
    refused = client.post("/watchlists/alerts/acknowledge-shown/", {"alert": [yard_alert.pk]})
    assert refused.status_code == 403 and Alert.objects.get(pk=yard_alert.pk).acknowledged_at is None


@pytest.mark.django_db
def test_acknowledge_all_shown_leaves_alerts_the_page_did_not_show(client, olivia, camera, stolen, settings):
    settings.ALERT_DEDUP_SECONDS = 0
    shown_alerts = make_alerts(camera, 2)
    [arrived_later] = make_alerts(camera, 1)  # raised after the page was drawn: not in its ids
    client.force_login(olivia)
    client.post("/watchlists/alerts/acknowledge-shown/", {"alert": [a.pk for a in shown_alerts]})
    assert Alert.objects.get(pk=arrived_later.pk).acknowledged_at is None
    assert Alert.objects.filter(acknowledged_at=None).count() == 1


@pytest.mark.django_db
def test_acknowledge_all_shown_refuses_bad_ids_with_a_message(client, olivia, camera, stolen):
    make_alerts(camera, 1)
    client.force_login(olivia)
    response = client.post("/watchlists/alerts/acknowledge-shown/", {"alert": ["x"]}, follow=True)
    assert response.status_code == 200 and "Alert ids are numbers." in response.content.decode()
    assert Alert.objects.filter(acknowledged_at=None).count() == 1


# --- each user's alert sound ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_alert_sound_is_on_for_operators_by_default_and_each_user_turns_their_own(client, olivia, victor, alice):
    assert alert_sound_enabled(olivia) and alert_sound_enabled(alice) and not alert_sound_enabled(victor)
    client.force_login(olivia)
    assert 'data-sound="1"' in client.get("/watchlists/alerts/").content.decode()
    answer = client.post("/watchlists/alerts/sound/", {"sound": "0"}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json() == {"sound": False}
    assert AlertPreference.objects.get(user=olivia).sound is False
    assert 'data-sound=""' in client.get("/").content.decode()  # every page's alerts.js is told
    assert alert_sound_enabled(alice)  # someone else's is theirs

    client.force_login(victor)
    assert client.post("/watchlists/alerts/sound/", {"sound": "1"}).status_code == 302
    assert alert_sound_enabled(victor)
    assert client.post("/watchlists/alerts/sound/", {"sound": "loud"}).status_code == 400


@pytest.mark.django_db
def test_the_webhook_body_is_as_documented(camera, stolen):
    detection = see(camera, "ABC1234")
    body = webhook_body(Alert.objects.get(detection=detection))
    assert set(body) == {"type", "version", "at", "alert", "links"}
    assert set(body["links"]) == {"alerts", "detection", "snapshot", "clip"}
    assert {"note", "watchlist_name", "cameras", "sightings", "last_seen_at"} <= set(body["alert"])
    assert timedelta(0) <= datetime.fromisoformat(body["at"]) - datetime.fromisoformat(body["alert"]["created_at"])
