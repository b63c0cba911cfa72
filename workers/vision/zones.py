"""ROI zones: polygons in normalised coordinates, `[[x, y], ...]` with 0–1 values.

No zones (None or empty) means the whole frame.
"""

import cv2
import numpy as np


def inside_zones(x, y, zones):
    """Whether the normalised point (x, y) lies inside any zone (always, when there are none)."""
    if not zones:
        return True
    return any(_inside_polygon(x, y, zone) for zone in zones)


def _inside_polygon(x, y, polygon):
    # Ray casting: count the edges a horizontal ray from the point crosses.
    inside = False
    count = len(polygon)
    for i in range(count):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % count]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def zone_mask(zones, width, height):
    """A `height`×`width` bool mask of the zones (all True when there are none)."""
    if not zones:
        return np.ones((height, width), dtype=bool)
    mask = np.zeros((height, width), dtype=np.uint8)
    for zone in zones:
        points = np.array([[x * width, y * height] for x, y in zone], dtype=np.float32)
        cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask.astype(bool)
