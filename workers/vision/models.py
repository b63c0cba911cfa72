"""Loading the weights once per process (which weights: `vms.vision_config`).

`VISION_PLATE_MODEL_TASK` is `segment` for platedet, `detect` for a plain
detector; only boxes are used. The OCR engine is `rapidocr` (the default) or `easyocr`.
"""

import functools
import os
import tempfile

from vms.vision_config import vision_ocr_model, vision_plate_formats, vision_settings, vision_threads


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
def get_detector(ocr=None, ocr_model=None):
    """The process's Detector (models loaded once); `ocr` and `ocr_model` override the OCR settings."""
    from .detector import Detector
    from .ocr import make_reader

    from apps.detections.plates import plate_formats

    vehicle_path, plate_path, plate_task, engine = vision_settings()
    threads = vision_threads()
    plate_formats(vision_plate_formats())  # a wrong name stops the worker here, not on every frame
    vehicle_model = load_yolo(vehicle_path, task="detect")
    plate_model = load_yolo(plate_path, task=plate_task)
    if threads:
        import torch

        torch.set_num_threads(threads)
        limit_yolo_threads(vehicle_model, os.path.abspath(vehicle_path), threads)
        limit_yolo_threads(plate_model, os.path.abspath(plate_path), threads)
    return Detector(vehicle_model=vehicle_model, plate_model=plate_model, reader=make_reader(ocr or engine, threads, ocr_model or vision_ocr_model()))
