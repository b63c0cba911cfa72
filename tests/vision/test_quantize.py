import pytest
from django.core.management import CommandError, call_command

from vms.vision_config import default_plate_model, default_vehicle_model, int8_model_path, packaged_plate_model


def test_an_int8_copy_in_the_cache_replaces_the_packaged_model_unless_turned_off(settings, tmp_path):
    settings.VISION_MODEL_CACHE = tmp_path
    settings.VISION_INT8 = True
    assert default_plate_model() == str(packaged_plate_model())  # no copy yet

    int8_model_path(packaged_plate_model()).write_bytes(b"onnx")
    assert default_plate_model() == str(tmp_path / "platedet.int8.onnx")
    assert default_vehicle_model().endswith("yolov8n.onnx")  # each model on its own

    settings.VISION_INT8 = False
    assert default_plate_model() == str(packaged_plate_model())


def test_vision_quantize_without_photos_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("vision_quantize", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="no photos"):
        call_command("vision_quantize", str(tmp_path))


def test_the_fp16_plate_model_has_an_equivalent_fp32_copy(tmp_path):
    import numpy as np
    import onnxruntime

    from workers.vision.quantize import float32_copy

    float32_copy(packaged_plate_model(), tmp_path / "plate32.onnx")
    image = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    half = onnxruntime.InferenceSession(str(packaged_plate_model()), providers=["CPUExecutionProvider"])
    full = onnxruntime.InferenceSession(str(tmp_path / "plate32.onnx"), providers=["CPUExecutionProvider"])
    boxes_half = half.run(None, {"images": image.astype(np.float16)})[0].astype(np.float32)
    boxes_full = full.run(None, {"images": image})[0]
    assert np.allclose(boxes_half, boxes_full, atol=0.5, rtol=0.01)
