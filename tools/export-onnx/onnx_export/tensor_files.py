"""Tensors exchanged with verify.ts: raw float32 plus a JSON sidecar (the Python half of tensor-file.ts)."""

import json
from pathlib import Path

import numpy as np
import torch

from .errors import VerificationError
from .json_files import write_json


def write_tensor(stem, tensor):
    """Raw float32 little-endian + JSON sidecar: the format verify.ts reads and writes."""
    array = tensor.detach().contiguous().numpy().astype("<f4", copy=False)
    Path(f"{stem}.bin").write_bytes(array.tobytes())
    write_json(Path(f"{stem}.json"), {"dtype": "float32", "byte_order": "little", "dims": list(array.shape)})


def read_tensor(stem):
    meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
    if meta.get("dtype") != "float32" or meta.get("byte_order") != "little":
        raise VerificationError(f"{stem}.json: expected little-endian float32, got {meta}")
    array = np.fromfile(f"{stem}.bin", dtype="<f4")
    return torch.from_numpy(array.astype(np.float32).reshape(meta["dims"]))
