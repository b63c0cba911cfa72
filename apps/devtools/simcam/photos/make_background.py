"""How background.jpg was made (run once, by hand; the demo only reads the result).

    .venv/bin/python apps/devtools/simcam/photos/make_background.py /work/shared/data/alpr/us

The per-pixel median of fifteen photos of one gate camera from the openalpr
benchmark set, each pixel taken only from the photos where no vehicle covers it
(the vehicle boxes YOLO found, with a margin), after each photo's exposure is
matched to the others' (a gain per colour channel); the few pixels that every photo's
vehicle covers are filled in from around them (OpenCV's inpainting).
"""

import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
# wts-lg-NNNNNN.jpg, and the vehicle boxes (normalised x1 y1 x2 y2) YOLOv8n finds in each.
VEHICLE_BOXES = {
    121: [[0.57, 0.01, 0.93, 0.25], [0.0, 0.73, 0.93, 0.99]],
    123: [[0.33, 0.0, 0.86, 0.62]],
    124: [[0.5, 0.0, 0.86, 0.35]],
    126: [[0.46, 0.0, 0.81, 0.27]],
    131: [[0.37, 0.0, 0.84, 0.53]],
    133: [[0.32, 0.0, 0.79, 0.62]],
    134: [[0.32, 0.0, 0.82, 0.73]],
    139: [[0.5, 0.0, 0.84, 0.31]],
    140: [[0.41, 0.0, 0.83, 0.53]],
    142: [[0.16, 0.05, 0.71, 0.85]],
    143: [[0.14, 0.01, 0.76, 0.77]],
    149: [[0.33, 0.03, 0.79, 0.63]],
    161: [[0.22, 0.23, 0.75, 0.95], [0.44, 0.0, 0.56, 0.2]],
    172: [[0.28, 0.0, 0.79, 0.66]],
    173: [[0.35, 0.0, 0.84, 0.66]],
}
MARGIN = 0.05


def main(folder):
    layers = []
    for number, boxes in VEHICLE_BOXES.items():
        image = cv2.imread(str(Path(folder) / f"wts-lg-{number:06d}.jpg")).astype(np.float32)
        height, width = image.shape[:2]
        for x1, y1, x2, y2 in boxes:
            top, bottom = int(max(0, y1 - MARGIN) * height), int(min(1, y2 + MARGIN) * height)
            left, right = int(max(0, x1 - MARGIN) * width), int(min(1, x2 + MARGIN) * width)
            image[top:bottom, left:right] = np.nan
        layers.append(image)
    stack = np.stack(layers)
    uncovered = ~np.isnan(stack[..., 0]).all(axis=0)
    first = np.nanmedian(stack, axis=0)
    for layer in stack:  # match exposures: each photo's gain to the first median, over the pixels both have
        both = ~np.isnan(layer[..., 0]) & uncovered
        layer *= np.median(first[both], axis=0) / np.median(layer[both], axis=0)
    background = np.nan_to_num(np.clip(np.nanmedian(stack, axis=0), 0, 255)).astype(np.uint8)
    background = cv2.inpaint(background, (~uncovered).astype(np.uint8) * 255, 9, cv2.INPAINT_TELEA)
    cv2.imwrite(str(HERE / "background.jpg"), background, [cv2.IMWRITE_JPEG_QUALITY, 85])


if __name__ == "__main__":
    main(sys.argv[1])
