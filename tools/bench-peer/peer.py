#!/usr/bin/env python3
"""The seed-style peer of `pnpm bench`: a synchronous FastAPI + PyTorch service.

What the replaced deployment looked like: one uvicorn process, one FastAPI route that
reads an upload, decodes it with PIL, applies torchvision transforms and runs the model
inside the request. It serves the same networks as the bench's ONNX files, with the same
weights: torchvision architectures are rebuilt by tools/export-onnx's own code (same seed,
same stand-in weights), and the reference model's GlobalAveragePool -> Gemm is read from
its model.onnx.

Run by the bench with Debian's python3-fastapi, python3-uvicorn, python3-multipart,
python3-torch and python3-torchvision:
  BENCH_PEER_MODEL=<dir with model.json and 1/model.onnx> [BENCH_PEER_ARCH=efficientnet_b3] \
    /usr/bin/python3 -m uvicorn peer:app --app-dir tools/bench-peer --port 8000
"""

import io
import json
import os
import sys
from pathlib import Path

import torch
from fastapi import FastAPI, File, UploadFile
from PIL import Image
from torchvision import transforms

MODEL_DIR = Path(os.environ["BENCH_PEER_MODEL"])
ARCH = os.environ.get("BENCH_PEER_ARCH", "")
CONFIG = json.loads((MODEL_DIR / "model.json").read_text())
LABELS = CONFIG["labels"]
INPUT = CONFIG["input"]
SIZE = (INPUT["height"], INPUT["width"])


def reference_model():
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(MODEL_DIR / "1" / "model.onnx")).graph
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    gemm = next(node for node in graph.node if node.op_type == "Gemm")
    weight, bias = weights[gemm.input[1]], weights[gemm.input[2]]
    trans_b = any(a.name == "transB" and a.i == 1 for a in gemm.attribute)
    linear = torch.nn.Linear(3, len(LABELS))
    linear.weight.data = weight if trans_b else weight.T
    linear.bias.data = bias
    return torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), linear)


def torchvision_model():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export-onnx"))
    import export_onnx

    args = export_onnx.parse_args(
        ["--name", "peer", "--version", "1", "--arch", ARCH, "--random-weights", "--labels", ",".join(LABELS),
         "--input-size", str(INPUT["width"]), "--out", "/tmp"]
    )
    return export_onnx.load_model(args, len(LABELS), INPUT["width"], INPUT["height"])


model = (torchvision_model() if ARCH else reference_model()).eval()
preprocess = transforms.Compose([
    transforms.Resize(SIZE),
    transforms.ToTensor(),
    transforms.Normalize(INPUT.get("mean", [0.485, 0.456, 0.406]), INPUT.get("std", [0.229, 0.224, 0.225])),
])
app = FastAPI()


@app.post("/predict")
def predict(image: UploadFile = File(...)):
    picture = Image.open(io.BytesIO(image.file.read())).convert("RGB")
    with torch.inference_mode():
        scores = torch.softmax(model(preprocess(picture).unsqueeze(0)), dim=1)[0]
    top = sorted(zip(LABELS, scores.tolist()), key=lambda pair: -pair[1])
    return {"predictions": [{"label": label, "score": score} for label, score in top]}
