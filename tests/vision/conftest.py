from pathlib import Path

import cv2
import pytest

# A few labelled photos from openalpr/benchmarks, unchanged (fixtures/alpr/README.md).
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "alpr"


def load_sample(folder, name):
    """(image, truth box x1 y1 x2 y2 px, plate text) of one labelled sample."""
    fields = (SAMPLES / folder / f"{name}.txt").read_text().strip().split("\t")
    x, y, w, h = (float(v) for v in fields[1:5])
    image = cv2.imread(str(SAMPLES / folder / fields[0]))
    assert image is not None, f"missing sample {folder}/{name}"
    return image, (x, y, x + w, y + h), fields[5]


@pytest.fixture(scope="session")
def detector():
    # get_detector caches per process, so alpr_eval in the same session reuses these models.
    from workers.vision.models import get_detector

    return get_detector()
