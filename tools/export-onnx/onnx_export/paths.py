"""Where the tool sits in the repository: the default model repository, and verify.ts run from the root."""

from pathlib import Path


# This package lives in tools/export-onnx/onnx_export/.
TOOL_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TOOL_DIR.parent.parent
VERIFY_TS = TOOL_DIR / "verify.ts"
