"""A cheap motion check before any model runs.

The caller keeps the previous small frame (raw bytes, 160×90 grey = 14 400
bytes) in Redis between frames; nothing moved inside the ROI zones → it stops
before YOLO. This is what keeps a parked car from being read every second.
"""

import cv2
import numpy as np

from .zones import zone_mask

SMALL_WIDTH, SMALL_HEIGHT = 160, 90
# A pixel changed when its blurred grey level moved by more than this (sensor noise stays below).
PIXEL_THRESHOLD = 25
# Motion when at least this share of the zone's pixels changed (~7 pixels of a whole 160×90 frame).
MIN_CHANGED_SHARE = 0.0005
MIN_CHANGED_PIXELS = 4


def small_grey(frame_bgr):
    """The frame as a blurred 160×90 grey image (uint8)."""
    grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
    small = cv2.resize(grey, (SMALL_WIDTH, SMALL_HEIGHT), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (3, 3), 0)


def check_motion(frame_bgr, previous=None, zones=None):
    """Compare the frame with the previous small frame, inside the zones.

    `previous` is the bytes returned by the last call (or None). Returns
    (moved, small_frame_bytes); the first frame counts as motion.
    """
    small = small_grey(frame_bgr)
    if previous is None or len(previous) != small.size:
        return True, small.tobytes()
    before = np.frombuffer(previous, dtype=np.uint8).reshape(small.shape)
    changed = cv2.absdiff(small, before) > PIXEL_THRESHOLD
    mask = zone_mask(zones, SMALL_WIDTH, SMALL_HEIGHT)
    changed_count = int(np.count_nonzero(changed & mask))
    needed = max(MIN_CHANGED_PIXELS, MIN_CHANGED_SHARE * np.count_nonzero(mask))
    return changed_count >= needed, small.tobytes()


class MotionDetector:
    """Keeps the previous small frame itself, for callers that live across frames."""

    def __init__(self, zones=None):
        self.zones = zones
        self.previous = None

    def moved(self, frame_bgr):
        moved, self.previous = check_motion(frame_bgr, self.previous, self.zones)
        return moved
