"""torch.onnx.export with the worker's names ("input", "logits"), a dynamic batch axis and the chosen opset."""

import onnx
import torch


def export_onnx(model, path, width, height, opset):
    # A batch of 2 keeps the tracer from baking in shapes that are special when batch == 1.
    dummy = torch.randn(2, 3, height, width)
    with torch.no_grad():
        torch.onnx.export(
            model,
            dummy,
            str(path),
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=opset,
            do_constant_folding=True,
        )
    onnx.checker.check_model(str(path))
