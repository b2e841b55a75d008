"""Export a trained PyTorch image classifier into the model repository, verified.

The command is ../export_onnx.py; its modules, in the order a run uses them:
cli (arguments, exit status), options (values of options), pipeline (stage, export,
verify, install), load (+ unpickling, stand_in), logits, export, model_json, verify
(+ tensor_files, rounding), install, json_files, paths, errors.

Importing the package checks for Debian's PyTorch stack first, so that every entry
(the command, the test fixtures, the bench's peer) says how to install it.
"""

import sys


try:
    import numpy as np  # noqa: F401
    import onnx  # noqa: F401
    import torch  # noqa: F401
    import torchvision  # noqa: F401
except ImportError as missing:
    sys.exit(
        f"error: {missing}. This tool needs Debian's PyTorch stack; run it with /usr/bin/python3 after\n"
        "  apt-get install python3-torch python3-torchvision python3-onnx"
    )
