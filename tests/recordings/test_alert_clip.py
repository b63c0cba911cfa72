"""An alert opens its clip: the alerts page links to it, and the pushed alert (what the toast is made from)
carries its URL — the console's, behind login — for a camera that records, and nothing for one that does not."""

import pytest

from apps.cameras.models import Camera
from apps.watchlists.models import Alert
from apps.watchlists.services import watchlist_create
from tests.watchlists.conftest import GroupListener, see

pytestmark = pytest.mark.django_db


@pytest.fixture
def notifications():
    listener = GroupListener("notifications")
    yield listener
    listener.close()


def test_the_alerts_page_and_the_pushed_alert_open_the_clip_where_the_camera_records(
    olivia, client, notifications, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_DEDUP_SECONDS = 0  # two cameras, two alerts (one passage would be one: test_alert_console.py)
    gate = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live", recording_mode="continuous")
    yard = Camera.objects.create(name="Yard", rtsp_url="rtsp://192.0.2.11/live", recording_mode="off")
    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"])
    with django_capture_on_commit_callbacks(execute=True):
        recorded = see(gate, "ABC1234")
        unrecorded = see(yard, "ABC1234")
    clip = f"/recordings/detections/{recorded.pk}/clip.mp4"

    client.force_login(olivia)
    page = client.get("/watchlists/alerts/").content.decode()
    assert f'<a href="{clip}" data-clip>Play clip</a>' in page
    assert page.count("data-clip>") == 1  # none for the camera that does not record
    assert f"/recordings/detections/{unrecorded.pk}/clip.mp4" not in page

    pushed = {m["payload"]["detection"]["id"]: m["payload"] for m in notifications.events() if m["event"] == "alert.created"}
    assert pushed[recorded.pk]["detection"]["clip_url"] == clip
    assert pushed[unrecorded.pk]["detection"]["clip_url"] is None
    assert Alert.objects.count() == 2

    # The link is the clip itself: a signed-in viewer's request reaches the clip view, an anonymous one does not.
    client.logout()
    anonymous = client.get(clip)
    assert anonymous.status_code in (302, 401) and not anonymous.get("Content-Type", "").startswith("video/")
