"""Scoring one ALPR reading against ground truth, and naming why it failed.

Failure taxonomy, in pipeline order:
- `detection`: no reported plate box overlaps the true box with IoU ≥ 0.5;
- `crop_ocr`: a box was found but the engine read the wrong text;
- `cleaning`: the raw OCR text was right (ignoring separators and case) but
  cleaning or position fixing broke it.
"""

from dataclasses import dataclass

from apps.detections.plates import clean_plate, edit_distance
from vms.geometry import box_iou

IOU_MATCH = 0.5


@dataclass
class Score:
    iou: float  # best IoU of a reported plate box with the true box
    read: str  # text of the reported plate overlapping the truth most ("" if none)
    raw: str  # its raw OCR text
    exact: bool  # some reported plate's text equals the truth
    char_accuracy: float  # 1 − edit distance / length, for the best-overlapping plate
    failure: str | None  # None, detection, crop_ocr or cleaning


def score_reading(truth, truth_box, plates):
    """Score the plates of one image (`[(box, text, raw_text), ...]`, boxes in the truth's units)."""
    best = max(plates, key=lambda plate: box_iou(plate[0], truth_box), default=None)
    iou = box_iou(best[0], truth_box) if best else 0.0
    if not best or iou <= 0:
        read, raw = "", ""
    else:
        _, read, raw = best
    exact = any(text == truth for _, text, _ in plates)
    char_accuracy = max(0.0, 1 - edit_distance(read, truth) / len(truth)) if read else 0.0
    return Score(
        iou=iou,
        read=read,
        raw=raw,
        exact=exact,
        char_accuracy=char_accuracy,
        failure=classify_failure(truth, iou, read, raw, exact),
    )


def classify_failure(truth, iou, read, raw, exact):
    """Why a reading failed, or None when it is right."""
    if exact:
        return None
    if iou < IOU_MATCH:
        return "detection"
    if clean_plate(raw) == truth and read != truth:
        return "cleaning"
    return "crop_ocr"
