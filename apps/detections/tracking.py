"""Which open passage each of a frame's readings belongs to: box continuity first, the plate text second.

A camera's frames come about a second apart. A reading continues a passage when its vehicle (or, without a
vehicle, its plate) overlaps the passage's last box; failing that, when its plausible plate is near-identical
to the passage's plate (a fast car moves further than its own width in a second). A sure reading of a plainly
different plate never continues a passage, whatever the boxes say (the next car stops where the last one
stood). Each passage takes at most one reading of a frame, the best-matching first, so two cars queued at a
gate stay two passages even when the second plate is not read.
"""

from dataclasses import dataclass

from django.conf import settings

from apps.detections.plates import DIFFERENT_PLATE_EDITS, near_identical, plate_distance
from vms.geometry import box_iou

# Boxes of one vehicle in consecutive frames overlap at least this much.
SAME_VEHICLE_IOU = 0.3
# A reading at least this sure of a plainly different plate is another vehicle (junk reads are less sure).
SURE_CONFIDENCE = 0.9


@dataclass
class Track:
    """Where a passage was last seen: its last reading's boxes, and its plate so far."""

    passage: object
    vehicle_box: list | None
    plate_box: list | None
    plate_text: str


def plausible(plate):
    """A plate reading that may name a passage: read, at least PLATE_CONFIDENCE_FLOOR sure, and of one of the
    site's formats. Others only join their vehicle's passage."""
    return bool(
        plate
        and plate.get("text")
        and (plate.get("confidence") or 0) >= settings.PLATE_CONFIDENCE_FLOOR
        and plate.get("format") != "other"
    )


def _score(reading, track):
    plate, vehicle = reading["plate"], reading["vehicle"]
    sure = plausible(plate) and (plate.get("confidence") or 0) >= SURE_CONFIDENCE
    if sure and track.plate_text and plate_distance(plate["text"], track.plate_text) >= DIFFERENT_PLATE_EDITS:
        return None
    overlap = max(
        box_iou(vehicle and vehicle.get("box"), track.vehicle_box),
        box_iou(plate and plate.get("box"), track.plate_box) if not vehicle else 0.0,
    )
    if overlap >= SAME_VEHICLE_IOU:
        return 1.0 + overlap
    if plausible(plate) and track.plate_text and near_identical(plate["text"], track.plate_text):
        return 1.0
    return None


def assign(readings, tracks):
    """[track or None] for each reading: greedy one-to-one by match score."""
    pairs = sorted(
        ((score, r, t) for r, reading in enumerate(readings) for t, track in enumerate(tracks)
         if (score := _score(reading, track)) is not None),
        key=lambda pair: -pair[0],
    )
    chosen, taken = [None] * len(readings), set()
    for _, r, t in pairs:
        if chosen[r] is None and t not in taken:
            chosen[r] = tracks[t]
            taken.add(t)
    return chosen
