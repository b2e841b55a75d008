#!/usr/bin/python3
"""Export a trained PyTorch image classifier into the model repository, verified.

    /usr/bin/python3 tools/export-onnx/export_onnx.py --name plant-pathology --version 2 \\
        (--arch resnet34 --weights weights.pth | --module model.pkl | --torchscript model.ts) \\
        --labels healthy,multiple_diseases,rust,scab --input-size 224 --out models

writes <out>/<name>/<version>/model.onnx (input "input" float32 [batch, 3, H, W],
output "logits" [batch, classes], dynamic batch axis) and <out>/<name>/model.json.

Before anything is installed, the ONNX file is checked against the PyTorch model:
a batch of random tensors, and one image preprocessed by the worker's own code
(tools/export-onnx/verify.ts, run with Node), go through both; the export fails
if any logit differs by more than --tolerance (1e-4). See README.md next to this file.

Needs Debian's python3-torch, python3-torchvision and python3-onnx (run it with
/usr/bin/python3), and Node with the repository's node_modules for verification.

The code is the onnx_export package next to this file (see its __init__.py for the modules).
"""

import sys
from pathlib import Path

# The package sits next to this file. Python puts a script's own folder on sys.path, but not
# that of a file imported from elsewhere (tools/bench-peer/peer.py imports this one).
TOOL_DIR = str(Path(__file__).resolve().parent)
if TOOL_DIR not in sys.path:
    sys.path.insert(0, TOOL_DIR)

# Re-exported for tools/bench-peer/peer.py, which rebuilds the bench's models with this tool's code.
from onnx_export.cli import main, parse_args  # noqa: E402
from onnx_export.load import load_model  # noqa: E402

__all__ = ["load_model", "main", "parse_args"]

if __name__ == "__main__":
    sys.exit(main())
