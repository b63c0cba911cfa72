"""Writing detections: one event per vehicle passage, idempotent per frame.

Watch-list matching is not called from here: the pipeline's persist task runs it
on what `detection_record` wrote, so detections know nothing of watch lists.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from PIL import Image

from apps.cameras.models import Camera
from apps.detections.models import Detection, ProcessedFrame, Reading
from apps.detections.plates import consensus_plate
from apps.detections.tracking import Track, assign, plausible
from apps.detections.presenters import detection_public
from vms import events, live


def passages(vehicles, plates):
    """One reading per vehicle (with the best plate it holds), plus plates that no vehicle holds.

    A plate the OCR could not read is no reading of its own.
    """
    plates = [plate for plate in plates if plate.get("text")]
    readings = []
    for index, vehicle in enumerate(vehicles):
        held = [p for p in plates if p.get("vehicle") == index]
        plate = max(held, key=lambda p: p.get("confidence") or 0, default=None)
        readings.append({"vehicle": vehicle, "plate": plate})
    for plate in plates:
        if plate.get("vehicle") is None:
            readings.append({"vehicle": None, "plate": plate})
    return readings


def _tracks(passages_open):
    """Each open passage's track: its last reading's boxes (the passage's own before readings were kept)."""
    last = {
        reading.detection_id: reading
        for reading in Reading.objects.filter(detection__in=passages_open)
        .order_by("detection_id", "-frame_time", "-id")
        .distinct("detection_id")
    }
    tracks = []
    for passage in passages_open:
        reading = last.get(passage.pk)
        source = reading or passage
        tracks.append(Track(passage, source.vehicle_box, source.plate_box, passage.plate_text))
    return tracks


def _better(passage, reading, best_before):
    """Whether this reading's frame should become the passage's snapshot: a counted plate surer than any
    before it."""
    plate = reading["plate"]
    return plausible(plate) and (best_before is None or (plate.get("confidence") or 0) > best_before)


def _vote_class(rows):
    votes = {}
    for label, confidence in rows:
        if label:
            votes[label] = votes.get(label, 0.0) + (confidence or 1e-6)
    if not votes:
        return "", None
    label = max(votes, key=votes.get)
    return label, max(confidence or 0 for seen, confidence in rows if seen == label) or None


def _reading_row(passage, reading, frame_time):
    vehicle, plate = reading["vehicle"] or {}, reading["plate"] or {}
    return Reading(
        detection=passage, frame_time=frame_time,
        vehicle_class=vehicle.get("label") or "", vehicle_confidence=vehicle.get("confidence"),
        vehicle_box=vehicle.get("box"),
        plate_text=plate.get("text") or "", plate_format=plate.get("format") or "",
        plate_confidence=plate.get("confidence"), plate_box=plate.get("box"),
        counted=plausible(reading["plate"]),
    )


def _take_consensus(passage):
    """The passage's plate and vehicle class from all its readings (apps/detections/plates.consensus_plate)."""
    rows = list(passage.frame_readings.values_list(
        "plate_text", "plate_format", "plate_confidence", "counted", "vehicle_class", "vehicle_confidence"
    ))
    counted = [(text, plate_format, confidence) for text, plate_format, confidence, is_counted, _, _ in rows if is_counted]
    if counted:
        passage.plate_text, passage.plate_format, passage.plate_confidence = consensus_plate(counted)
    label, confidence = _vote_class([(row[4], row[5]) for row in rows])
    if label:
        passage.vehicle_class, passage.vehicle_confidence = label, confidence


def _crop_jpeg(frame_jpeg, box):
    image = Image.open(io.BytesIO(frame_jpeg))
    width, height = image.size
    crop = image.crop((int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height)))
    out = io.BytesIO()
    crop.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _apply_reading(detection, reading, frame_time, frame_jpeg):
    """Take the reading's values and frame; returns the names of the files the new ones replace."""
    vehicle, plate = reading["vehicle"], reading["plate"]
    replaced = []
    detection.frame_time = frame_time
    if vehicle:
        detection.vehicle_class = vehicle.get("label") or ""
        detection.vehicle_confidence = vehicle.get("confidence")
        detection.vehicle_box = vehicle.get("box")
    if plate:
        detection.plate_text = plate.get("text") or ""
        detection.plate_format = plate.get("format") or ""
        detection.plate_confidence = plate.get("confidence")
        detection.plate_box = plate.get("box")
    if frame_jpeg:
        if not vehicle:
            detection.vehicle_box = None  # the boxes are drawn over this frame, which shows no vehicle found
        name = uuid.uuid4().hex
        replaced.append(detection.snapshot.name)
        detection.snapshot.save(f"{name}.jpg", ContentFile(frame_jpeg), save=False)
        if plate and plate.get("box"):
            replaced.append(detection.plate_crop.name)
            detection.plate_crop.save(f"{name}.jpg", ContentFile(_crop_jpeg(frame_jpeg, plate["box"])), save=False)
    return [name for name in replaced if name]


def _delete_unreferenced(names):
    """Delete the files of replaced readings that no detection names (after the commit, so a rolled-back
    replacement keeps the files its row still points to)."""
    names = set(names)
    if not names:
        return
    referenced = set()
    for pair in Detection.objects.filter(Q(snapshot__in=names) | Q(plate_crop__in=names)).values_list(
        "snapshot", "plate_crop"
    ):
        referenced.update(pair)
    for name in names - referenced:
        default_storage.delete(name)


def detection_record(*, camera_id, frame_id, frame_time, vehicles, plates, frame_jpeg=None):
    """Persist one frame's results. Returns [(detection, created)]; [] if this frame was already persisted."""
    window = timezone.timedelta(seconds=settings.DETECTION_MERGE_SECONDS)
    readings = passages(vehicles, plates)
    written = []
    replaced = []
    with transaction.atomic():
        # One persist at a time per camera, so two frames of one car never make two events.
        camera = Camera.objects.select_for_update().filter(pk=camera_id).first()
        if camera is None:
            return []
        try:
            with transaction.atomic():
                ProcessedFrame.objects.create(frame_id=frame_id, camera=camera)
        except IntegrityError:
            return []
        recent = list(
            Detection.objects.filter(camera=camera, last_seen__gte=frame_time - window).order_by("-last_seen")
        )
        for reading, track in zip(readings, assign(readings, _tracks(recent))):
            if track is None:
                if reading["vehicle"] is None and not plausible(reading["plate"]):
                    continue  # an unsure plate alone is nobody's passage
                passage = Detection(camera=camera, first_seen=frame_time, last_seen=frame_time, readings=1)
                replaced += _apply_reading(passage, reading, frame_time, frame_jpeg)
                passage.plate_text = passage.plate_format = ""
                passage.plate_confidence = None
                passage.save()
                created = True
            else:
                passage = track.passage
                best_before = passage.frame_readings.filter(counted=True).aggregate(best=Max("plate_confidence"))["best"]
                passage.readings += 1
                passage.last_seen = max(passage.last_seen, frame_time)
                if _better(passage, reading, best_before):
                    replaced += _apply_reading(passage, reading, frame_time, frame_jpeg)
                created = False
            _reading_row(passage, reading, frame_time).save()
            _take_consensus(passage)
            passage.save()
            if created:
                recent.insert(0, passage)
            written.append((passage, created))

        def notify():
            for detection, created in written:
                payload = detection_public(detection)
                if created:
                    events.publish("detection.created", {"detection": payload})
                kind = "detection.created" if created else "detection.updated"
                live.push(live.DETECTIONS, kind, payload)
                live.push(f"camera.{camera_id}", kind, payload)

        transaction.on_commit(notify)
        transaction.on_commit(lambda: _delete_unreferenced(replaced))
    return written


def detection_mark_allow_list(*, detection, allow_list):
    """Record the allow list the detection's plate is on ("" for none), in the caller's transaction, so the mark
    commits with the passage. The live push sent on commit carries it (it reads this same object)."""
    allow_list = allow_list or ""
    if detection.allow_list != allow_list:
        detection.allow_list = allow_list
        Detection.objects.filter(pk=detection.pk).update(allow_list=allow_list)
    return detection
