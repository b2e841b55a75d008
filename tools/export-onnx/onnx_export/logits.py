"""The model's contract with the worker: one output, logits [batch, classes] for input [batch, 3, H, W]."""

import torch

from .errors import ExportError


def select_logits(output):
    """The logits tensor of models that return more (Inception's aux logits, dicts, tuples)."""
    if isinstance(output, torch.Tensor):
        return output
    logits = getattr(output, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    if isinstance(output, dict):
        for key in ("logits", "out"):
            if isinstance(output.get(key), torch.Tensor):
                return output[key]
        if len(output) == 1:
            return select_logits(next(iter(output.values())))
    if isinstance(output, (tuple, list)) and output:
        return select_logits(output[0])
    raise ExportError(f"cannot find the logits in the model's output of type {type(output).__name__}")


class LogitsOnly(torch.nn.Module):
    """Wraps the model so that the exported graph has exactly one output, the logits."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return select_logits(self.model(x))

    def graph_module(self):
        """What to hand to torch.onnx.export: the tracer cannot step into a ScriptModule that a
        plain module wraps, so TorchScript goes as is; its first output becomes "logits"."""
        return self.model if isinstance(self.model, torch.jit.ScriptModule) else self


def check_output_shape(model, width, height, num_labels):
    """Fail before exporting if the model does not map [N, 3, H, W] to [N, labels]."""
    batch = 2
    with torch.no_grad():
        try:
            logits = model(torch.zeros(batch, 3, height, width))
        except Exception as error:  # noqa: BLE001 - any failure here means the input contract is wrong
            raise ExportError(f"the model fails on a [{batch}, 3, {height}, {width}] input: {error}") from None
    if logits.dim() != 2 or logits.shape[0] != batch:
        raise ExportError(
            f"the model answers a batch of {batch} images with shape {list(logits.shape)}; "
            "expected [batch, classes] (an image classifier's logits)"
        )
    if logits.shape[1] != num_labels:
        raise ExportError(
            f"the model produces {logits.shape[1]} logits per image but {num_labels} labels were given; "
            "--labels must list one label per model output, in training order"
        )
