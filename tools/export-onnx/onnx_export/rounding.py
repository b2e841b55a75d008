"""After a failed verification: float32 rounding or a changed computation? Measured against float64 PyTorch."""

import copy

import torch

from .tensor_files import read_tensor


def float64_reference(model, work_dir):
    """How far PyTorch's float32 logits and ONNX's each are from a float64 PyTorch run:
    tells float32 rounding (both alike) from a conversion that changed the computation."""
    try:
        reference = copy.deepcopy(model).double()
    except Exception:  # noqa: BLE001 - only a diagnosis; some modules cannot be copied
        return None
    distances = {"torch_float32": 0.0, "onnx": 0.0}
    for inputs, onnx_logits in (("random", "random.logits"), ("image.tensor", "image.logits")):
        batch = read_tensor(work_dir / inputs)
        with torch.no_grad():
            exact = reference(batch.double())
            single = model(batch).double()
        onnx_out = read_tensor(work_dir / onnx_logits).double()
        distances["torch_float32"] = max(distances["torch_float32"], float((single - exact).abs().max()))
        distances["onnx"] = max(distances["onnx"], float((onnx_out - exact).abs().max()))
    return distances


def explain_rounding(distances):
    if distances is None:
        return ""
    torch_error, onnx_error = distances["torch_float32"], distances["onnx"]
    figures = f" Against a float64 PyTorch run, PyTorch float32 is off by {torch_error:.3g}, ONNX by {onnx_error:.3g}:"
    if onnx_error <= 2 * torch_error:
        return (f"{figures} float32 rounding in a deep network, not a conversion error. If that is acceptable for "
                f"your use, export with --tolerance {2 * max(torch_error, onnx_error):.1g}")
    return f"{figures} the conversion changed the computation; try another --opset and inspect --verify-dir"
