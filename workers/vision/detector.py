"""Vehicles, plates and plate text in one frame, cheapest first.

1. vehicles with YOLO (COCO car, motorcycle, bus, truck), kept when their
   centre is inside the ROI zones;
2. plates with the plate model on the whole frame downscaled to 640 px, only
   when a vehicle is there (always on a plate camera); per-vehicle-crop
   detection only as a fallback when the whole frame gave no plate;
3. OCR on each tight plate crop (cut to its main line of characters, without
   the EU blue band: `crop.py`), then cleaning and the site's plate formats;
4. each plate attached to the vehicle box that holds it.

Plain Python: no Django. Boxes are normalised `[x1, y1, x2, y2]` in 0–1.
"""

import time
from dataclasses import asdict, dataclass, field

import cv2

from apps.detections.plates import normalise_plate, plate_formats
from vms.geometry import box_iou
from vms.vision_config import vision_plate_formats

from .crop import main_line
from .zones import inside_zones

# COCO class ids of the vehicles we report.
VEHICLE_CLASSES = {2: "car", 3: "motorcycle", 5: "bus", 7: "truck"}
VEHICLE_CONFIDENCE = 0.3
PLATE_CONFIDENCE = 0.25
# The plate model often finds a plate twice: the plate, and the plate with its frame or mount (IoU ~0.65,
# over ultralytics' 0.7 default). Two plates never overlap this much, so keep only the surer box.
PLATE_NMS_IOU = 0.5
MODEL_SIZE = 640
# Crop rule (measured): a side margin pulls in city/state names and slogans, and
# the top and bottom edges of the box carry frame and text: trim them.
PLATE_TRIM_TOP_BOTTOM = 0.10
# The fallback costs a plate-model run per vehicle: bound it (largest vehicles
# first) and skip vehicles too small to hold a readable plate.
MAX_FALLBACK_CROPS = 2
MIN_FALLBACK_VEHICLE_PX = 64


def _box(values):
    return [round(float(value), 4) for value in values]


@dataclass
class Plate:
    text: str  # cleaned and fixed by position; "" when unreadable
    raw_text: str  # as the OCR engine read it
    format: str  # the site's format it fits (apps/detections/plates.py names them), or other
    confidence: float  # OCR
    box_confidence: float  # plate model
    box: list  # normalised x1, y1, x2, y2
    vehicle: int | None = None  # index into Result.vehicles

    def to_dict(self):
        return asdict(self)


@dataclass
class Vehicle:
    label: str
    confidence: float
    box: list
    plate: Plate | None = None

    def to_dict(self):
        return {
            "label": self.label,
            "confidence": self.confidence,
            "box": self.box,
            "plate": self.plate.to_dict() if self.plate else None,
        }


@dataclass
class Result:
    width: int
    height: int
    vehicles: list = field(default_factory=list)
    plates: list = field(default_factory=list)  # every plate read, attached or not
    timings: dict = field(default_factory=dict)  # ms per stage

    def to_dict(self):
        return {
            "width": self.width,
            "height": self.height,
            "vehicles": [vehicle.to_dict() for vehicle in self.vehicles],
            "plates": [plate.to_dict() for plate in self.plates],
            "timings": self.timings,
        }


def downscale(image, size=MODEL_SIZE):
    """The image with its longer side at most `size` px (same pixels otherwise)."""
    height, width = image.shape[:2]
    scale = size / max(height, width)
    if scale >= 1:
        return image
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)


def plate_crop(frame, box_px):
    """The tight crop for OCR: the box's full width, 10 % trimmed top and bottom."""
    x1, y1, x2, y2 = box_px
    trim = (y2 - y1) * PLATE_TRIM_TOP_BOTTOM
    height, width = frame.shape[:2]
    left, right = max(0, int(round(x1))), min(width, int(round(x2)))
    top, bottom = max(0, int(round(y1 + trim))), min(height, int(round(y2 - trim)))
    if right - left < 2 or bottom - top < 2:
        return None
    return frame[top:bottom, left:right]


class Detector:
    def __init__(self, vehicle_model, plate_model, reader):
        self.vehicle_model = vehicle_model
        self.plate_model = plate_model
        self.reader = reader

    def detect(self, frame_bgr, *, plate_camera=False, zones=None, formats=None):
        """`formats`: the plate format names this camera expects (None: the site's `VISION_PLATE_FORMATS`)."""
        expected = plate_formats(vision_plate_formats() if formats is None else formats)
        height, width = frame_bgr.shape[:2]
        result = Result(width=width, height=height)
        started = time.perf_counter()
        mark = started

        def lap(stage):
            nonlocal mark
            now = time.perf_counter()
            result.timings[stage] = result.timings.get(stage, 0) + round((now - mark) * 1000, 1)
            mark = now

        result.vehicles = [v for v in self._vehicles(frame_bgr) if inside_zones(*_centre(v.box), zones)]
        lap("vehicles")
        if not result.vehicles and not plate_camera:
            result.timings["total"] = round((time.perf_counter() - started) * 1000, 1)
            return result

        boxes = self._plate_boxes(frame_bgr, (0, 0, width, height))
        lap("plates")
        if not boxes:
            boxes = self._fallback_plate_boxes(frame_bgr, result.vehicles)
            lap("plates_fallback")
        boxes = [(box, conf) for box, conf in boxes if inside_zones(*_centre(_normalised(box, width, height)), zones)]

        for box_px, box_confidence in boxes:
            crop = plate_crop(frame_bgr, box_px)
            if crop is None:
                continue
            crop = main_line(crop)
            # A plate read as "" is still reported: the caller decides; the eval counts it as an OCR miss.
            raw_text, confidence = self.reader.read(crop)
            text, plate_format = normalise_plate(raw_text, expected)
            result.plates.append(
                Plate(
                    text=text,
                    raw_text=raw_text,
                    format=plate_format,
                    confidence=round(confidence, 4),
                    box_confidence=round(box_confidence, 4),
                    box=_box(_normalised(box_px, width, height)),
                )
            )
        lap("ocr")
        _attach_plates(result)
        result.timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    def _vehicles(self, frame):
        found = self.vehicle_model.predict(
            frame,
            imgsz=MODEL_SIZE,
            conf=VEHICLE_CONFIDENCE,
            classes=list(VEHICLE_CLASSES),
            agnostic_nms=True,  # one box per vehicle, not a car and a truck on top of each other
            verbose=False,
        )[0]
        return [
            Vehicle(label=VEHICLE_CLASSES[int(cls)], confidence=round(float(conf), 4), box=_box(box))
            for cls, conf, box in zip(found.boxes.cls.tolist(), found.boxes.conf.tolist(), found.boxes.xyxyn.tolist())
        ]

    def _plate_boxes(self, frame, region):
        """Plate boxes in frame pixels, found in `region` (x1, y1, x2, y2 px) of the frame."""
        x1, y1, x2, y2 = region
        image = downscale(frame[y1:y2, x1:x2])
        found = self.plate_model.predict(image, imgsz=MODEL_SIZE, conf=PLATE_CONFIDENCE, iou=PLATE_NMS_IOU, verbose=False,
                                         retina_masks=False)[0]
        region_width, region_height = x2 - x1, y2 - y1
        return [
            ((x1 + bx1 * region_width, y1 + by1 * region_height, x1 + bx2 * region_width, y1 + by2 * region_height), float(conf))
            for (bx1, by1, bx2, by2), conf in zip(found.boxes.xyxyn.tolist(), found.boxes.conf.tolist())
        ]

    def _fallback_plate_boxes(self, frame, vehicles):
        height, width = frame.shape[:2]
        regions = []
        for vehicle in vehicles:
            x1, y1, x2, y2 = vehicle.box
            region = (int(x1 * width), int(y1 * height), int(x2 * width), int(y2 * height))
            if min(region[2] - region[0], region[3] - region[1]) >= MIN_FALLBACK_VEHICLE_PX:
                regions.append(region)
        regions.sort(key=lambda r: (r[2] - r[0]) * (r[3] - r[1]), reverse=True)
        boxes = []
        for region in regions[:MAX_FALLBACK_CROPS]:
            for box, confidence in self._plate_boxes(frame, region):
                # Overlapping vehicle boxes can find the same plate twice.
                if all(box_iou(box, kept) < 0.5 for kept, _ in boxes):
                    boxes.append((box, confidence))
        return boxes


def _normalised(box_px, width, height):
    x1, y1, x2, y2 = box_px
    return (x1 / width, y1 / height, x2 / width, y2 / height)


def _centre(box):
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _attach_plates(result):
    """Give each plate the smallest free vehicle box that holds its centre (best plates first)."""
    order = sorted(range(len(result.plates)), key=lambda i: result.plates[i].box_confidence, reverse=True)
    for plate_index in order:
        plate = result.plates[plate_index]
        x, y = _centre(plate.box)
        holders = [
            i
            for i, vehicle in enumerate(result.vehicles)
            if vehicle.plate is None and vehicle.box[0] <= x <= vehicle.box[2] and vehicle.box[1] <= y <= vehicle.box[3]
        ]
        if holders:
            best = min(holders, key=lambda i: _area(result.vehicles[i].box))
            plate.vehicle = best
            result.vehicles[best].plate = plate


def _area(box):
    return (box[2] - box[0]) * (box[3] - box[1])
