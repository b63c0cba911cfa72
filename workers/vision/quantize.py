"""int8 copies of the YOLO models, calibrated on labelled photos (ONNX Runtime's static quantization).

On CPUs with VNNI/AMX an int8 convolution costs a fraction of a float one,
and the plate model ships as fp16, which ONNX Runtime runs on CPU slower
than fp32 (docs/benchmarks.md has the figures). `quantize_model` writes
`NAME.int8.onnx` into the model cache folder; `vms.vision_config` uses it
in place of the packaged weights when it is there.
"""

import tempfile
from pathlib import Path

import cv2
import numpy as np

INPUT_SIZE = 640  # both packaged models take a fixed 1×3×640×640 input
PAD_GREY = 114  # what ultralytics letterboxes with


def letterboxed(image_bgr, size=INPUT_SIZE):
    """The image as the models' input: longer side `size`, grey padding, RGB, 0–1, NCHW float32."""
    height, width = image_bgr.shape[:2]
    scale = size / max(height, width)
    resized = cv2.resize(image_bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    canvas = np.full((size, size, 3), PAD_GREY, np.uint8)
    top, left = (size - resized.shape[0]) // 2, (size - resized.shape[1]) // 2
    canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    return np.ascontiguousarray(canvas[..., ::-1].transpose(2, 0, 1)[None], dtype=np.float32) / 255


def float32_copy(source, target):
    """An fp32 copy of an fp16 ONNX model (static quantization calibrates in fp32)."""
    import onnx
    from onnx import TensorProto, numpy_helper

    model = onnx.load(str(source))
    for initializer in model.graph.initializer:
        if initializer.data_type == TensorProto.FLOAT16:
            initializer.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(initializer).astype(np.float32), initializer.name))
    for node in model.graph.node:
        for attribute in node.attribute:
            if node.op_type == "Cast" and attribute.name == "to" and attribute.i == TensorProto.FLOAT16:
                attribute.i = TensorProto.FLOAT
            if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type == TensorProto.FLOAT16:
                attribute.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attribute.t).astype(np.float32)))
    for value in [*model.graph.input, *model.graph.output, *model.graph.value_info]:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT16:
            value.type.tensor_type.elem_type = TensorProto.FLOAT
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def head_postprocessing(model):
    """Names of the detection head's nodes after its last convolutions (box decoding, the final Concat).

    Quantized, they put pixel coordinates (0–640) and class scores (0–1) on
    one int8 scale: every score became 0 and nothing was found. The head is
    the last `/model.N/` block; its convolution branches (`cv2`, `cv3`, `cv4`,
    `proto`) are quantized, the rest is not.
    """
    head = model.graph.node[-1].name.split("/")[1]
    return [
        node.name
        for node in model.graph.node
        if node.name.startswith(f"/{head}/") and not node.name.startswith((f"/{head}/cv", f"/{head}/proto"))
    ]


def quantize_model(source, target, images):
    """Write an int8 (QDQ, per-channel weights) copy of the ONNX model `source` to `target`,
    calibrated on `images` (paths of photos like the ones it will see)."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    class Photos(CalibrationDataReader):
        def __init__(self):
            self._paths = iter(images)

        def get_next(self):
            for path in self._paths:
                image = cv2.imread(str(path))
                if image is not None:
                    return {"images": letterboxed(image)}
            return None

    with tempfile.TemporaryDirectory(prefix="vms-quantize-") as work:
        model = onnx.load(str(source), load_external_data=False)
        if model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT16:
            float_source = Path(work) / "float32.onnx"
            float32_copy(source, float_source)
            source = float_source
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        excluded = head_postprocessing(onnx.load(str(source)))
        quantize_static(
            str(source),
            str(partial),
            Photos(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=excluded,
        )
        partial.replace(target)  # a worker never loads a half-written file
    return target
