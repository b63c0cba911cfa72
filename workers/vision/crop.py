"""The plate crop the reader sees: the main line of characters only.

The plate model's box holds more than the registration: the EU blue band
(country letters), registration stickers, a US state's name and slogan,
stacked small characters, the frame. Each becomes extra characters in the
reading. Here the crop is cut to the characters of the main line:

1. blue columns at either end (the EU band; IT/FR/PT have one on both sides)
   are cut off;
2. dark-on-light (or light-on-dark) blobs are found; the main line is the
   row of blobs of about the same height, the tallest such row: characters
   much shorter (stacked text, slogans) or off that line (stickers, screws)
   do not count;
3. the crop is cut to that row's top and bottom, with a margin, or left as
   it was when fewer than MIN_CHARACTERS blobs line up (a blurred or tiny
   plate).

Only top and bottom: cutting the sides to the row too lost edge characters
that touch the frame or a sticker (their blobs merge and fail the filter),
and cost more reads than it saved (docs/benchmarks.md).
"""

import cv2
import numpy as np

# OpenCV hue is 0–180: blue is about 100–130.
BLUE_HUE = (95, 135)
BLUE_MIN_SATURATION = 90
BLUE_MIN_VALUE = 50
# A column belongs to the band when this share of its pixels is blue.
BLUE_COLUMN_SHARE = 0.35
# The band is never wider than this share of the plate.
BLUE_MAX_SHARE = 0.2

# Character blobs: their height as a share of the crop's height.
CHARACTER_MIN_HEIGHT = 0.3
CHARACTER_MAX_HEIGHT = 0.98
# Blobs of the main line: height within this ratio of the line's, centre within this share of it.
SAME_HEIGHT = 0.75
SAME_LINE = 0.35
MIN_CHARACTERS = 3
# Margin kept around the line, as a share of its height (the reader wants a little background).
MARGIN = 0.25


def without_blue_band(crop):
    """The crop without blue columns at its left and right ends."""
    height, width = crop.shape[:2]
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    blue = (hue >= BLUE_HUE[0]) & (hue <= BLUE_HUE[1]) & (saturation >= BLUE_MIN_SATURATION) & (value >= BLUE_MIN_VALUE)
    share = blue.mean(axis=0)
    limit = int(width * BLUE_MAX_SHARE)
    left = 0
    while left < limit and share[left] >= BLUE_COLUMN_SHARE:
        left += 1
    right = width
    while width - right < limit and share[right - 1] >= BLUE_COLUMN_SHARE:
        right -= 1
    if right - left < width // 2:
        return crop
    return crop[:, left:right]


def _character_boxes(grey):
    """(x, y, w, h) of blobs of character height, for dark characters on light ground."""
    height, width = grey.shape
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    boxes = []
    for x, y, w, h, area in stats[1:count]:
        if not CHARACTER_MIN_HEIGHT * height <= h <= CHARACTER_MAX_HEIGHT * height:
            continue
        if w > 1.2 * h or w * h > 0.5 * height * width:  # a bar or the frame, not a character
            continue
        boxes.append((int(x), int(y), int(w), int(h)))
    return boxes


def _main_line(boxes):
    """The blobs of the tallest row of at least MIN_CHARACTERS blobs of one height, or []."""
    best = []
    for _, y, _, h in sorted(boxes, key=lambda box: -box[3]):
        centre = y + h / 2
        row = [box for box in boxes if SAME_HEIGHT * h <= box[3] <= h / SAME_HEIGHT and abs(box[1] + box[3] / 2 - centre) <= SAME_LINE * h]
        if len(row) >= MIN_CHARACTERS and len(row) > len(best):
            best = row
    return best


def main_line(crop):
    """The crop without its blue band, cut to the rows of its main line of characters (see the module's notes)."""
    if crop is None or crop.size == 0:
        return crop
    crop = without_blue_band(crop)
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    height = grey.shape[0]
    # Characters are dark on most plates and light on some: keep the polarity that lines up more of them.
    line = max((_main_line(_character_boxes(grey)), _main_line(_character_boxes(255 - grey))), key=len)
    if not line:
        return crop
    margin = MARGIN * float(np.median([box[3] for box in line]))
    top = max(0, int(min(y for _, y, _, _ in line) - margin))
    bottom = min(height, int(max(y + h for _, y, _, h in line) + margin))
    return crop[top:bottom]
