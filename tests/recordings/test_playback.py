"""A recording camera on a real media server: its spans listed, clips streamed through Django after the role check."""

from datetime import timedelta

import pytest

from apps.detections.models import Detection
from tests.recordings.conftest import probe_mp4, wait_until_recorded

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The test client reads the clip's asynchronous stream (made for ASGI) synchronously: expected here.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators"),
]


def clip_bytes(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "video/mp4"
    return b"".join(response)


def test_a_recording_cameras_span_is_listed_within_15_s_and_a_5_s_clip_of_it_decodes(
    client, victor, recording_camera, tmp_path
):
    spans = wait_until_recorded(recording_camera, 7, timeout=15 + 7)
    start = spans[0][0] + timedelta(seconds=1)
    client.force_login(victor)
    response = client.get(
        f"/recordings/cameras/{recording_camera.pk}/clip.mp4", {"start": start.isoformat(), "duration": "5"}
    )
    codec, duration = probe_mp4(clip_bytes(response), tmp_path)
    assert codec == "h264" and abs(duration - 5) <= 0.5


def test_a_detections_clip_covers_its_passage_with_the_margins(client, victor, recording_camera, tmp_path, settings):
    settings.CLIP_PRE_SECONDS, settings.CLIP_POST_SECONDS = 2, 3
    spans = wait_until_recorded(recording_camera, 3, timeout=20)
    first_seen = spans[0][0] + timedelta(seconds=2.5)
    last_seen = first_seen + timedelta(seconds=4)
    detection = Detection.objects.create(
        camera=recording_camera, first_seen=first_seen, last_seen=last_seen, frame_time=first_seen, plate_text="ABC1D23"
    )
    wait_until_recorded(recording_camera, 2.5 + 4 + 3 + 1, timeout=20)
    client.force_login(victor)
    codec, duration = probe_mp4(clip_bytes(client.get(f"/recordings/detections/{detection.pk}/clip.mp4")), tmp_path)
    assert codec == "h264" and abs(duration - (2 + 4 + 3)) <= 0.5


def test_the_timeline_lists_the_recorded_span_and_the_detection(client, victor, recording_camera):
    spans = wait_until_recorded(recording_camera, 3, timeout=20)
    detection = Detection.objects.create(
        camera=recording_camera, first_seen=spans[0][0], last_seen=spans[0][0], frame_time=spans[0][0]
    )
    client.force_login(victor)
    body = client.get(f"/recordings/cameras/{recording_camera.pk}/timeline").json()
    assert len(body["spans"]) == 1 and body["detections"][0]["id"] == detection.pk
    # Before the camera recorded, the day is a gap.
    assert body["gaps"][0]["end"] == body["spans"][0]["start"]


def test_anonymous_requests_for_clips_are_sent_to_log_in_and_get_no_bytes(client, recording_camera):
    spans = wait_until_recorded(recording_camera, 2, timeout=20)
    detection = Detection.objects.create(
        camera=recording_camera, first_seen=spans[0][0], last_seen=spans[0][0], frame_time=spans[0][0]
    )
    for url in (f"/recordings/cameras/{recording_camera.pk}/clip.mp4?start={spans[0][0].isoformat()}&duration=1",
                f"/recordings/detections/{detection.pk}/clip.mp4", f"/recordings/cameras/{recording_camera.pk}/timeline"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert b"ftyp" not in response.content


@pytest.mark.parametrize(
    "query, message",
    [({"duration": "5"}, "start must be a date"), ({"start": "2026-01-01T00:00:00Z", "duration": "x"}, "duration must be"),
     ({"start": "2026-01-01T00:00:00Z", "duration": "999999"}, "between 1 and"),
     ({"start": "2999-01-01T00:00:00Z", "duration": "5"}, "starts in the past")],
)
def test_a_bad_clip_request_is_a_400_naming_what_is_wrong(client, victor, recording_camera, query, message):
    client.force_login(victor)
    response = client.get(f"/recordings/cameras/{recording_camera.pk}/clip.mp4", query)
    assert response.status_code == 400 and message in response.content.decode()


def test_a_clip_of_a_moment_never_recorded_is_a_404_saying_so(client, victor, recording_camera):
    client.force_login(victor)
    response = client.get(
        f"/recordings/cameras/{recording_camera.pk}/clip.mp4", {"start": "2020-01-01T00:00:00Z", "duration": "5"}
    )
    assert response.status_code == 404 and "Nothing of Gate is recorded" in response.content.decode()


def test_reconcile_finds_a_recording_cameras_path_as_provisioned_and_repairs_a_drifted_one(recording_camera):
    from apps.streaming import services
    from apps.streaming.client import media_server

    # MediaMTX writes durations back in its own form ("10m0s", "7d"): what we send must compare equal.
    assert services.paths_reconcile()["replaced"] == []
    media_server().path_patch(recording_camera.path_name, {"record": False})
    assert services.paths_reconcile()["replaced"] == [recording_camera.path_name]
    assert media_server().path_config(recording_camera.path_name)["record"] is True


def test_an_operator_keeps_a_detections_clip_and_retention_never_removes_it(
    client, olivia, victor, recording_camera, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from apps.audit.models import AuditEntry
    from apps.recordings.models import KeptClip
    from apps.recordings.retention import retention_prune

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLIP_PRE_SECONDS, settings.CLIP_POST_SECONDS = 1, 1
    spans = wait_until_recorded(recording_camera, 5, timeout=20)
    seen = spans[0][0] + timedelta(seconds=2)
    detection = Detection.objects.create(camera=recording_camera, first_seen=seen, last_seen=seen, frame_time=seen)
    client.force_login(victor)
    assert client.post(f"/recordings/detections/{detection.pk}/keep/", {"reason": "x"}).status_code == 403
    client.force_login(olivia)
    refused = client.post(f"/recordings/detections/{detection.pk}/keep/", {"reason": " "})
    assert refused.status_code == 400 and "Say why" in refused.content.decode() and not KeptClip.objects.exists()
    kept = client.post(f"/recordings/detections/{detection.pk}/keep/", {"reason": "Police request 4711"})
    assert kept.status_code == 302
    clip = KeptClip.objects.get()
    assert clip.kept_by == olivia and clip.reason == "Police request 4711"
    codec, duration = probe_mp4(default_storage.open(clip.file.name).read(), tmp_path)
    assert codec == "h264" and abs(duration - 2) <= 0.5
    entry = AuditEntry.objects.get(action="clip.keep")
    assert entry.actor == olivia and entry.changes["reason"] == "Police request 4711"
    assert "Police request 4711" in client.get(f"/detections/{detection.pk}/").content.decode()
    # Everything older than a day goes, in a day — but not what is kept.
    settings.RETENTION_DETECTION_DAYS = 1
    retention_prune(now=seen + timedelta(days=2))
    assert Detection.objects.filter(pk=detection.pk).exists() and default_storage.exists(clip.file.name)
