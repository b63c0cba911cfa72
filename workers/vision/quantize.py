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


def boxes_only(model):
    """A segmentation YOLO model cut to its boxes: `output0`'s box and class rows, no mask branch.

    Only boxes are used; the mask prototypes (`output1`, a 160×160 convolution
    stack) are about a quarter of YOLOv8s-seg's work. The copy is a detection
    model (metadata task `detect`). A model with one output is returned as it is.
    """
    import ast

    import onnx
    from onnx import helper

    if len(model.graph.output) < 2:
        return model
    metadata = {prop.key: prop for prop in model.metadata_props}
    classes = len(ast.literal_eval(metadata["names"].value))
    rows = 4 + classes
    graph = model.graph
    constants = [
        helper.make_node("Constant", [], [name], value=helper.make_tensor(name, onnx.TensorProto.INT64, [1], [value]))
        for name, value in (("boxes_start", 0), ("boxes_end", rows), ("boxes_axis", 1))
    ]
    cut = helper.make_node("Slice", [graph.output[0].name, "boxes_start", "boxes_end", "boxes_axis"], ["boxes"], name="/boxes/Slice")
    graph.node.extend([*constants, cut])
    anchors = graph.output[0].type.tensor_type.shape.dim[2].dim_value
    elem_type = graph.output[0].type.tensor_type.elem_type
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("boxes", elem_type, [1, rows, anchors]))
    # Keep only the nodes the box output needs.
    needed, kept = {"boxes"}, []
    for node in reversed(graph.node):
        if any(output in needed for output in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    used = {name for node in graph.node for name in node.input}
    unused = [init for init in graph.initializer if init.name not in used]
    for init in unused:
        graph.initializer.remove(init)
    metadata["task"].value = "detect"
    onnx.checker.check_model(model)
    return model


def head_postprocessing(model):
    """Names of the detection head's nodes after its last convolutions (box decoding, the final Concat).

    Quantized, they put pixel coordinates (0–640) and class scores (0–1) on
    one int8 scale: every score became 0 and nothing was found. The head is
    the `/model.N/` block with the highest N; its convolution branches (`cv2`, `cv3`, `cv4`,
    `proto`) are quantized, the rest is not.
    """
    blocks = [node.name.split("/")[1] for node in model.graph.node if node.name.startswith("/model.")]
    head = max(blocks, key=lambda block: int(block.split(".")[1]))
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
        if len(model.graph.output) > 1:
            boxes_source = Path(work) / "boxes.onnx"
            onnx.save(boxes_only(onnx.load(str(source))), str(boxes_source))
            source = boxes_source
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
