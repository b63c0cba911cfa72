"""One event per vehicle passage; a redelivered frame changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.detections.models import Detection
from apps.detections.services import detection_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(alice, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    return camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")


def car(box=(0.2, 0.3, 0.6, 0.9)):
    return {"label": "car", "confidence": 0.9, "box": list(box)}


def plate(text, confidence=0.9, vehicle=0):
    return {"text": text, "format": "br", "confidence": confidence, "box": [0.35, 0.75, 0.45, 0.8], "vehicle": vehicle}


def record(camera, second, text="ABC1234", confidence=0.9, frame_id=None, start=None):
    return detection_record(
        camera_id=camera.pk,
        frame_id=frame_id or f"f{second}-{text}",
        frame_time=start + timedelta(seconds=second),
        vehicles=[car()],
        plates=[plate(text, confidence)] if text else [],
    )


def test_a_vehicle_standing_in_view_for_30_seconds_makes_one_event(camera):
    start = timezone.now()
    for second in range(30):
        record(camera, second, start=start)
    detection = Detection.objects.get()
    assert detection.readings == 30
    assert detection.last_seen - detection.first_seen == timedelta(seconds=29)


def test_near_identical_readings_merge_and_the_best_is_kept(camera):
    start = timezone.now()
    record(camera, 0, "A8C1234", confidence=0.6, start=start)
    record(camera, 1, "ABC1234", confidence=0.95, start=start)
    record(camera, 2, "ABC1Z34", confidence=0.7, start=start)
    detection = Detection.objects.get()
    assert (detection.plate_text, detection.plate_confidence, detection.readings) == ("ABC1234", 0.95, 3)


def test_another_plate_or_a_later_passage_is_another_event(camera):
    start = timezone.now()
    record(camera, 0, "ABC1234", start=start)
    record(camera, 1, "XYZ9876", start=start)
    record(camera, 25, "ABC1234", start=start)  # came back after the window
    assert sorted(Detection.objects.values_list("plate_text", flat=True)) == ["ABC1234", "ABC1234", "XYZ9876"]


def test_a_redelivered_frame_changes_nothing(camera):
    start = timezone.now()
    assert len(record(camera, 0, frame_id="same", start=start)) == 1
    assert record(camera, 0, frame_id="same", start=start) == []
    assert Detection.objects.get().readings == 1


def test_a_plate_read_later_fills_in_the_plateless_passage(camera):
    start = timezone.now()
    record(camera, 0, text="", start=start)
    record(camera, 1, text="BRA2E19", start=start)
    detection = Detection.objects.get()
    assert detection.plate_text == "BRA2E19" and detection.readings == 2


def test_an_unreadable_plate_without_a_vehicle_makes_no_event(camera):
    detection_record(camera_id=camera.pk, frame_id="blank", frame_time=timezone.now(), vehicles=[],
                     plates=[plate("", vehicle=None)])
    assert not Detection.objects.exists()


def jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(out, "JPEG")
    return out.getvalue()


def test_a_better_reading_deletes_the_files_it_replaces_once_committed(camera, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    start = timezone.now()

    def seen(second, confidence, box=True):
        reading = plate("ABC1234", confidence)
        if not box:
            reading.pop("box")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            detection_record(camera_id=camera.pk, frame_id=f"jpeg-{second}", frame_time=start + timedelta(seconds=second),
                             vehicles=[car()], plates=[reading], frame_jpeg=jpeg())
        detection = Detection.objects.get()
        return detection.snapshot.name, detection.plate_crop.name, callbacks

    first_snapshot, first_crop, _ = seen(0, 0.6)
    assert default_storage.exists(first_snapshot) and default_storage.exists(first_crop)

    # A worse reading replaces nothing.
    assert seen(1, 0.5)[:2] == (first_snapshot, first_crop)
    assert default_storage.exists(first_snapshot) and default_storage.exists(first_crop)

    # A better one: the old files go, and only after the commit (the callback does it, not the write).
    snapshot, crop, callbacks = seen(2, 0.9)
    assert (snapshot, crop) != (first_snapshot, first_crop) and callbacks
    assert not default_storage.exists(first_snapshot) and not default_storage.exists(first_crop)
    assert default_storage.exists(snapshot) and default_storage.exists(crop)

    # A better reading with no plate box keeps the crop it cannot replace: a file still referenced stays.
    newest_snapshot, same_crop, _ = seen(3, 0.95, box=False)
    assert same_crop == crop and default_storage.exists(crop)
    assert not default_storage.exists(snapshot) and default_storage.exists(newest_snapshot)


def test_the_boxes_kept_are_the_snapshot_frames_own(camera):
    """A surer plate seen without its vehicle takes the snapshot: the older frame's vehicle box is not drawn on it."""
    start = timezone.now()
    detection_record(camera_id=camera.pk, frame_id="with-car", frame_time=start, vehicles=[car()],
                     plates=[plate("ABC1234", 0.6)], frame_jpeg=jpeg())
    assert Detection.objects.get().vehicle_box == car()["box"]
    detection_record(camera_id=camera.pk, frame_id="plate-alone", frame_time=start + timedelta(seconds=1), vehicles=[],
                     plates=[plate("ABC1234", 0.9, vehicle=None)], frame_jpeg=jpeg())
    detection = Detection.objects.get()
    assert detection.plate_confidence == 0.9 and detection.plate_box == plate("ABC1234")["box"]
    assert detection.vehicle_box is None and detection.vehicle_class == "car"


def test_a_replacement_rolled_back_deletes_nothing(camera):
    from django.core.files.storage import default_storage
    from django.db import transaction

    start = timezone.now()
    detection_record(camera_id=camera.pk, frame_id="keep-0", frame_time=start, vehicles=[car()],
                     plates=[plate("ABC1234", 0.6)], frame_jpeg=jpeg())
    kept = Detection.objects.get().snapshot.name

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            detection_record(camera_id=camera.pk, frame_id="keep-1", frame_time=start + timedelta(seconds=1),
                             vehicles=[car()], plates=[plate("ABC1234", 0.9)], frame_jpeg=jpeg())
            raise Abort
    except Abort:
        pass
    assert Detection.objects.get().snapshot.name == kept and default_storage.exists(kept)
