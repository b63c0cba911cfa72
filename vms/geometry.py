"""Boxes as [x1, y1, x2, y2] (pixels or 0–1, the same for both)."""


def box_iou(a, b):
    """Intersection over union of two boxes; 0.0 when either is missing or they do not overlap."""
    if not a or not b:
        return 0.0
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    intersection = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return intersection / union if union > 0 else 0.0
