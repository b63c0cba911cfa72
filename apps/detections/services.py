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
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from apps.cameras.models import Camera
from apps.detections.models import Detection, ProcessedFrame
from apps.detections.plates import near_identical
from apps.detections.presenters import detection_public
from vms import events, live
from vms.geometry import box_iou

# A plateless vehicle is the same passage as an earlier one if their boxes overlap this much.
SAME_VEHICLE_IOU = 0.3


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


def _matches(detection, reading):
    plate = reading["plate"]
    vehicle = reading["vehicle"]
    if plate and plate.get("text") and detection.plate_text:
        return near_identical(plate["text"], detection.plate_text)
    if vehicle and detection.vehicle_box:
        return box_iou(vehicle.get("box"), detection.vehicle_box) >= SAME_VEHICLE_IOU
    return False


def _better(detection, reading):
    plate = reading["plate"]
    if not plate or not plate.get("text"):
        return False
    return not detection.plate_text or (plate.get("confidence") or 0) > (detection.plate_confidence or 0)


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
        for reading in readings:
            detection = next((d for d in recent if _matches(d, reading)), None)
            if detection is None:
                detection = Detection(camera=camera, first_seen=frame_time, last_seen=frame_time, readings=1)
                _apply_reading(detection, reading, frame_time, frame_jpeg)
                detection.save()
                recent.insert(0, detection)
                written.append((detection, True))
                continue
            detection.readings += 1
            detection.last_seen = max(detection.last_seen, frame_time)
            if _better(detection, reading):
                replaced += _apply_reading(detection, reading, frame_time, frame_jpeg)
            detection.save()
            written.append((detection, False))

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
