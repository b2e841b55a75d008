#!/usr/bin/env python3
"""Generate the plant-pathology reference model (models/plant-pathology/1/model.onnx).

The reference model is NOT a trained classifier. Its weights are chosen by hand so
that its answers can be checked by arithmetic, while its contract is the one a real
exported classifier has: input "input" float32 [N, 3, H, W] (NCHW, RGB, ImageNet
normalisation), output "logits" float32 [N, 4] in the label order of model.json.

The graph is GlobalAveragePool -> Flatten -> Gemm: the logits are a linear function
of the image's mean colour. The weights below are written in raw RGB space (channel
means in [0, 1]) and folded through the normalisation, so that

    logits = W_RAW @ [r, g, b] + B_RAW

where r, g, b are the mean red, green and blue of the resized image in [0, 1].
A uniformly green leaf scores "healthy" highest, an orange-brown one "rust", a dark
olive-brown one "scab" and a yellow one "multiple_diseases"; swapping the channel
order (BGR) or skipping the normalisation changes the answer, which the tests check.

Run with Debian's python3-onnx:  /usr/bin/python3 tools/reference-model/generate_reference_model.py
"""

import json
import os
import sys

import onnx
from onnx import TensorProto, helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_DIR = os.path.join(ROOT, "models", "plant-pathology")

LABELS = ["healthy", "multiple_diseases", "rust", "scab"]
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SIZE = 224

# Rows follow LABELS, columns are (r, g, b) means in [0, 1]. Kept in sync with
# test/support/reference-model.ts, which recomputes expected scores independently.
W_RAW = [
    [-4.0, 6.0, -2.0],  # healthy: green dominant
    [4.0, 4.0, -8.0],  # multiple_diseases: yellow (red and green, no blue)
    [6.0, -4.0, -4.0],  # rust: orange-brown (red dominant, little blue)
    [-2.0, -2.0, -2.0],  # scab: dark lesions (low overall brightness)
]
B_RAW = [-0.5, -4.0, 0.0, 2.0]


def folded_weights():
    """Fold x_c = (v_c - mean_c) / std_c into the linear layer: W_raw @ v + b_raw."""
    weights = [[row[c] * STD[c] for c in range(3)] for row in W_RAW]
    bias = [B_RAW[k] + sum(W_RAW[k][c] * MEAN[c] for c in range(3)) for k in range(len(LABELS))]
    return weights, bias


def build_model():
    weights, bias = folded_weights()
    graph = helper.make_graph(
        nodes=[
            helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["features"], axis=1),
            helper.make_node("Gemm", ["features", "weight", "bias"], ["logits"], transB=1),
        ],
        name="plant_pathology_reference",
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(LABELS)])],
        initializer=[
            helper.make_tensor("weight", TensorProto.FLOAT, [len(LABELS), 3], [w for row in weights for w in row]),
            helper.make_tensor("bias", TensorProto.FLOAT, [len(LABELS)], bias),
        ],
    )
    model = helper.make_model(
        graph,
        producer_name="image-inference-platform/reference-model",
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 8
    model.doc_string = "Reference model with hand-set weights; see tools/reference-model/generate_reference_model.py"
    onnx.checker.check_model(model)
    return model


def main():
    os.makedirs(os.path.join(MODEL_DIR, "1"), exist_ok=True)
    out = os.path.join(MODEL_DIR, "1", "model.onnx")
    onnx.save(build_model(), out)
    print(f"wrote {os.path.relpath(out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
