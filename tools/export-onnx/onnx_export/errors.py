"""The two ways an export fails: bad input (exit 2) and a failed verification (exit 1)."""


class ExportError(Exception):
    """A problem with the user's input or model, reported as one message without a traceback."""


class VerificationError(Exception):
    """The ONNX model does not reproduce the PyTorch model (or could not be checked)."""
