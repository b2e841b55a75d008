"""The ONNX file against the PyTorch model, through the worker's own code: verify.ts runs it in Node,
and the logits of the same tensors must agree within --tolerance."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import torch

from .errors import VerificationError
from .json_files import write_report
from .paths import REPO_ROOT, VERIFY_TS
from .rounding import explain_rounding, float64_reference
from .tensor_files import read_tensor, write_tensor


RANDOM_BATCH = 4


def run_node_verifier(model_dir, version, work_dir, image):
    """verify.ts runs the exported model through the worker's own readModel/preprocessImage/InferenceRunner."""
    node = shutil.which("node")
    if node is None:
        raise VerificationError("node is not on PATH; install Node (see the main README) or pass --no-verify")
    command = [node, "--import", "tsx", str(VERIFY_TS), "--model-dir", str(model_dir),
               "--version", str(version), "--work", str(work_dir)]
    if image is not None:
        command += ["--image", str(Path(image).resolve())]
    # From the repository root, where `tsx` and the workspace's node_modules resolve.
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise VerificationError(f"the Node verifier failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return json.loads((Path(work_dir) / "result.json").read_text(encoding="utf-8"))


def torch_logits(model, batch):
    with torch.no_grad():
        return model(batch).float()


def compare(torch_out, onnx_out, labels):
    if tuple(torch_out.shape) != tuple(onnx_out.shape):
        raise VerificationError(f"PyTorch answered {list(torch_out.shape)} but ONNX {list(onnx_out.shape)}")
    torch_top = torch_out.argmax(dim=1).tolist()
    onnx_top = onnx_out.argmax(dim=1).tolist()
    return {
        "max_abs_diff": float((torch_out - onnx_out).abs().max()),
        "max_abs_logit": float(torch_out.abs().max()),
        "top1_agreement": sum(a == b for a, b in zip(torch_top, onnx_top)) / len(torch_top),
        "top1_torch": [labels[i] for i in torch_top],
        "top1_onnx": [labels[i] for i in onnx_top],
    }


def verify(model, model_dir, version, labels, width, height, args, work_dir):
    """Random batch + one real image through PyTorch and onnxruntime-node; the logits must agree."""
    generator = torch.Generator().manual_seed(args.seed)
    random_batch = torch.randn(RANDOM_BATCH, 3, height, width, generator=generator)
    write_tensor(work_dir / "random", random_batch)

    node_result = run_node_verifier(model_dir, version, work_dir, args.verify_image)

    random_check = compare(torch_logits(model, random_batch), read_tensor(work_dir / "random.logits"), labels)
    # The exact tensor the worker's preprocessImage produced: only the conversion is under test.
    image_tensor = read_tensor(work_dir / "image.tensor")
    torch_image = torch_logits(model, image_tensor)
    image_check = compare(torch_image, read_tensor(work_dir / "image.logits"), labels)
    image_check.update(
        {
            "image": {**node_result["image"], "generated": args.verify_image is None},
            "torch_logits": torch_image[0].tolist(),
            "torch_probs": output_activation(torch_image, args.activation)[0].tolist(),
            "worker_top": node_result["top"],
        }
    )
    max_diff = max(random_check["max_abs_diff"], image_check["max_abs_diff"])
    return {
        "tolerance": args.tolerance,
        "provider": node_result["provider"],
        "random": {"batch": RANDOM_BATCH, **random_check},
        "image": image_check,
        "max_abs_diff": max_diff,
        "passed": max_diff <= args.tolerance,
    }


def output_activation(logits, activation):
    if activation == "softmax":
        return torch.softmax(logits, dim=1)
    if activation == "sigmoid":
        return torch.sigmoid(logits)
    return logits


def print_verification(result, width, height):
    random, image = result["random"], result["image"]
    source = image["image"]
    name = "generated test image" if source["generated"] else source["path"]
    print(f"verification: PyTorch {torch.__version__} vs onnxruntime-node ({result['provider']}), the worker's code")
    print(f"  random inputs  [{random['batch']}, 3, {height}, {width}]   max |diff| {random['max_abs_diff']:.3g}"
          f"   top-1 agreement {random['top1_agreement']:.0%}")
    print(f"  {name} ({source['format']} {source['width']}x{source['height']}, preprocessImage)"
          f"   max |diff| {image['max_abs_diff']:.3g}   top-1 {image['top1_torch'][0]} (PyTorch) /"
          f" {image['top1_onnx'][0]} (ONNX): {'agree' if image['top1_agreement'] == 1 else 'DISAGREE'}")
    verdict = "passed" if result["passed"] else "FAILED"
    print(f"  max |logit difference| {result['max_abs_diff']:.3g} (largest |logit| "
          f"{max(random['max_abs_logit'], image['max_abs_logit']):.3g}), tolerance {result['tolerance']:g}: {verdict}")


def verify_staged(model, staged_dir, labels, width, height, args, work_dir, report):
    """Verify, record the result in the report (written even on failure) and raise if it failed."""
    started = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    result = verify(model, staged_dir, args.version, labels, width, height, args, work_dir)
    report["verify_seconds"] = round(time.monotonic() - started, 2)
    report["verification"] = result
    print_verification(result, width, height)
    if not result["passed"]:
        rounding = float64_reference(model, work_dir)
        result["float64"] = rounding
        write_report(args.report_json, report)
        raise VerificationError(
            f"the ONNX model's logits differ from PyTorch's by up to {result['max_abs_diff']:.3g} "
            f"(tolerance {args.tolerance:g}).{explain_rounding(rounding)}"
        )
