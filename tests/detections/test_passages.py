"""One passage per vehicle: readings joined by box continuity, the plate their consensus, the class their vote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.detections.models import Detection, Reading
from apps.detections.plates import consensus_plate
from apps.detections.services import detection_record

pytestmark = pytest.mark.django_db

LEFT, RIGHT = (0.05, 0.3, 0.4, 0.9), (0.55, 0.35, 0.95, 0.9)


@pytest.fixture
def camera(db):
    from apps.cameras.models import Camera

    return Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")


def vehicle(box=LEFT, label="car", confidence=0.9):
    return {"label": label, "confidence": confidence, "box": list(box)}


def plate(text, confidence=0.95, vehicle=0, plate_format="br", box=None):
    return {"text": text, "format": plate_format, "confidence": confidence, "vehicle": vehicle,
            "box": list(box) if box else [0.15, 0.75, 0.3, 0.8]}


class Frames:
    def __init__(self, camera):
        self.camera, self.start, self.count = camera, timezone.now(), 0

    def see(self, vehicles=(), plates=(), second=None):
        self.count += 1
        return detection_record(
            camera_id=self.camera.pk, frame_id=f"passages-{self.count}",
            frame_time=self.start + timedelta(seconds=self.count if second is None else second),
            vehicles=list(vehicles), plates=list(plates),
        )


def test_a_junk_reading_joins_its_vehicles_passage_and_the_consensus_keeps_the_plate(camera):
    frames = Frames(camera)
    frames.see([vehicle()], [plate("QWE9876", 0.93)])
    frames.see([vehicle()], [plate("OME9876", 0.49)])  # below the floor: a reading, never a passage
    frames.see([vehicle()], [plate("QWE9876", 0.91)])
    frames.see([vehicle()], [plate("PRAAETO", 0.8, plate_format="other")])  # fits no format
    passage = Detection.objects.get()
    assert (passage.plate_text, passage.readings) == ("QWE9876", 4)
    assert list(passage.frame_readings.values_list("plate_text", "counted")) == [
        ("QWE9876", True), ("OME9876", False), ("QWE9876", True), ("PRAAETO", False),
    ]


def test_a_misread_is_outvoted_character_by_character(camera):
    frames = Frames(camera)
    frames.see([vehicle()], [plate("OWE9876", 0.85)])
    frames.see([vehicle()], [plate("QWE9B76", 0.8)])
    frames.see([vehicle()], [plate("QWE9876", 0.7)])
    assert Detection.objects.get().plate_text == "QWE9876"


def test_two_vehicles_queued_stay_two_passages_even_when_the_second_plate_is_not_read(camera):
    frames = Frames(camera)
    for _ in range(3):
        frames.see([vehicle(LEFT), vehicle(RIGHT)], [plate("ABC1234", vehicle=0)])
    passages = Detection.objects.order_by("plate_text")
    assert [(p.plate_text, p.readings) for p in passages] == [("", 3), ("ABC1234", 3)]


def test_the_next_car_where_the_last_one_stood_is_another_passage(camera):
    frames = Frames(camera)
    frames.see([vehicle()], [plate("ABC1234", 0.95)])
    frames.see([vehicle()], [plate("XYZ9876", 0.95)])
    assert sorted(Detection.objects.values_list("plate_text", flat=True)) == ["ABC1234", "XYZ9876"]


def test_a_fast_car_is_followed_by_its_plate_when_its_boxes_do_not_overlap(camera):
    frames = Frames(camera)
    frames.see([vehicle(LEFT)], [plate("ABC1234")])
    frames.see([vehicle(RIGHT)], [plate("A8C1234")])
    assert Detection.objects.get().readings == 2


def test_an_unsure_plate_alone_makes_no_passage(camera):
    frames = Frames(camera)
    assert frames.see([], [plate("ONE9876", 0.4, vehicle=None)]) == []
    assert frames.see([], [plate("XX", 0.95, vehicle=None, plate_format="other")]) == []
    assert not Detection.objects.exists() and not Reading.objects.exists()


def test_a_vehicle_with_only_unsure_readings_is_a_passage_without_a_plate(camera):
    frames = Frames(camera)
    frames.see([vehicle()], [plate("DTOAE21", 0.5)])
    passage = Detection.objects.get()
    assert passage.plate_text == "" and passage.plate_confidence is None and passage.vehicle_class == "car"


def test_a_plate_camera_follows_a_plate_without_a_vehicle_by_its_box(camera):
    frames = Frames(camera)
    box = (0.4, 0.5, 0.6, 0.6)
    frames.see([], [plate("ABC1234", 0.95, vehicle=None, box=box)])
    frames.see([], [plate("ABC1Z99", 0.7, vehicle=None, box=box)])  # 2 edits off, same place: the same plate
    assert Detection.objects.get().readings == 2


def test_the_vehicle_class_is_the_vote_of_its_frames(camera):
    frames = Frames(camera)
    frames.see([vehicle(label="bus", confidence=0.6)], [plate("ABC1234")])
    frames.see([vehicle(label="truck", confidence=0.7)], [])
    frames.see([vehicle(label="truck", confidence=0.8)], [])
    assert Detection.objects.get().vehicle_class == "truck"


def test_a_watch_list_entry_alerts_on_the_consensus_plate(camera, alice):
    from apps.watchlists.models import Alert
    from apps.watchlists.services import watchlist_create
    from workers.pipeline import persist_readings

    watchlist_create(actor=alice, name="Stolen", entries=[{"pattern": "QWE9876", "note": "reported stolen"}])
    start = timezone.now()
    for second, (text, confidence) in enumerate([("OME9876", 0.49), ("QWE9876", 0.92)]):
        persist_readings(camera_id=camera.pk, frame_id=f"alert-{second}", frame_time=start + timedelta(seconds=second),
                         vehicles=[vehicle()], plates=[plate(text, confidence)])
    assert list(Alert.objects.values_list("plate_text", flat=True)) == ["QWE9876"]
    assert Detection.objects.count() == 1


def test_consensus_takes_the_length_most_readings_have():
    readings = [("ABC1234", "br", 0.9), ("ABC12345", "generic", 0.99), ("ABC1234", "br", 0.8)]
    assert consensus_plate(readings) == ("ABC1234", "br", 0.9)
    assert consensus_plate([]) == ("", "", None)


def test_the_detail_page_lists_the_readings_the_plate_was_voted_from(camera, client, alice):
    frames = Frames(camera)
    frames.see([vehicle()], [plate("QWE9876", 0.93)])
    frames.see([vehicle()], [plate("OME9876", 0.49)])
    client.force_login(alice)
    page = client.get(f"/detections/{Detection.objects.get().pk}/").content.decode()
    readings = page[page.index('id="frame-readings"'):]
    assert "OME9876" in readings and "QWE9876" in readings and "0.49" in readings
