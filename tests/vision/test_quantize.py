import pytest
from django.core.management import CommandError, call_command

from vms.vision_config import default_plate_model, default_vehicle_model, int8_model_path, packaged_plate_model, vision_settings


def test_an_int8_copy_in_the_cache_replaces_the_packaged_model_unless_turned_off(settings, tmp_path):
    settings.VISION_MODEL_CACHE = tmp_path
    settings.VISION_INT8 = True
    assert default_plate_model() == str(packaged_plate_model())  # no copy yet

    int8_model_path(packaged_plate_model()).write_bytes(b"onnx")
    assert default_plate_model() == str(tmp_path / "platedet.int8.onnx")
    assert vision_settings()[2] == "detect"  # the int8 copy is cut to its boxes
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


def test_the_plate_model_cut_to_its_boxes_gives_the_same_boxes(tmp_path):
    import numpy as np
    import onnx
    import onnxruntime

    from workers.vision.quantize import boxes_only, float32_copy

    float32_copy(packaged_plate_model(), tmp_path / "plate32.onnx")
    cut = boxes_only(onnx.load(str(tmp_path / "plate32.onnx")))
    onnx.save(cut, str(tmp_path / "boxes.onnx"))
    assert [output.name for output in cut.graph.output] == ["boxes"]
    assert {prop.key: prop.value for prop in cut.metadata_props}["task"] == "detect"
    image = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    whole = onnxruntime.InferenceSession(str(tmp_path / "plate32.onnx"), providers=["CPUExecutionProvider"])
    boxes = onnxruntime.InferenceSession(str(tmp_path / "boxes.onnx"), providers=["CPUExecutionProvider"])
    assert np.allclose(whole.run(None, {"images": image})[0][:, :5], boxes.run(None, {"images": image})[0])


def test_the_head_decoding_stays_float_also_in_the_cut_plate_model(tmp_path):
    import onnx

    from workers.vision.quantize import boxes_only, float32_copy, head_postprocessing

    float32_copy(packaged_plate_model(), tmp_path / "plate32.onnx")
    excluded = head_postprocessing(boxes_only(onnx.load(str(tmp_path / "plate32.onnx"))))
    # Quantized, the Concat of pixel boxes and 0–1 scores turned every score into 0.
    assert excluded and all(name.startswith("/model.22/") for name in excluded)
    assert any("Concat" in name for name in excluded) and not any("/cv" in name for name in excluded)
