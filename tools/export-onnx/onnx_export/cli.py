"""The command line: arguments, their cross-checks, and errors turned into messages and exit statuses."""

import argparse
import re
import sys
from pathlib import Path

from .errors import ExportError, VerificationError
from .options import IMAGENET_MEAN, IMAGENET_STD
from .paths import REPO_ROOT
from .pipeline import run


DEFAULT_TOLERANCE = 1e-4
# Mirrors MODEL_NAME_PATTERN in packages/contracts/src/model-config.schema.ts.
MODEL_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export a PyTorch image classifier to the model repository (ONNX + model.json), verified.",
        epilog="See tools/export-onnx/README.md.",
    )
    option = parser.add_argument
    option("--name", required=True, help="model name: lower-case letters, digits, '-' and '_'")
    option("--version", required=True, type=int, metavar="N", help="version number (a directory under the model)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--arch", help="torchvision architecture name (e.g. resnet34, efficientnet_b3)")
    source.add_argument("--module", type=Path, metavar="FILE", help="a whole pickled torch.nn.Module (torch.save)")
    source.add_argument("--torchscript", type=Path, metavar="FILE", help="a TorchScript file (torch.jit.save)")
    option("--weights", type=Path, metavar="FILE", help="with --arch: a state dict (.pth/.pt)")
    option("--random-weights", action="store_true", help="with --arch: untrained weights (tests, benchmarks)")
    option("--labels", metavar="A,B,C|FILE", help="labels in output order: comma-separated, or a file, one a line")
    option("--num-classes", type=int, metavar="N", help="number of outputs; labels default to class_0, class_1, ...")
    option("--input-size", default="224", metavar="N|WxH", help="N or WIDTHxHEIGHT (default 224)")
    option("--mean", default=",".join(map(str, IMAGENET_MEAN)), metavar="R,G,B", help="(default ImageNet's)")
    option("--std", default=",".join(map(str, IMAGENET_STD)), metavar="R,G,B", help="(default ImageNet's)")
    option("--resize", choices=["fill", "cover", "contain"], default="fill",
           help="how the worker fits images to the input size (default fill: stretch)")
    option("--activation", choices=["softmax", "sigmoid", "none"], default="softmax",
           help="applied to the logits by the worker (default softmax; sigmoid for multi-label)")
    option("--description", help="model.json description")
    option("--max-batch-size", type=int, metavar="N", help="model.json max_batch_size (default 32)")
    option("--out", type=Path, default=REPO_ROOT / "models", metavar="DIR", help="model repository (default models/)")
    option("--python-path", type=Path, action="append", default=[], metavar="DIR",
           help="put DIR on sys.path, so that a pickled model's class can be imported (repeatable)")
    option("--opset", type=int, default=17, help="ONNX opset (default 17)")
    option("--no-verify", action="store_true", help="skip the PyTorch vs onnxruntime comparison")
    option("--verify-image", type=Path, metavar="FILE", help="image for verification (default: a generated one)")
    option("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="max |logit difference| (default 1e-4)")
    option("--verify-dir", type=Path, metavar="DIR", help="keep the tensors exchanged with Node here")
    option("--report-json", type=Path, metavar="FILE", help="write a machine-readable report here")
    option("--seed", type=int, default=0, help="seed of random weights and random test inputs")
    option("--force", action="store_true", help="overwrite an existing version / a differing model.json")
    args = parser.parse_args(argv)

    if not MODEL_NAME_PATTERN.match(args.name):
        parser.error(f"--name {args.name!r}: use lower-case letters, digits, '-' and '_' (at most 63)")
    if args.version < 0:
        parser.error("--version must be a non-negative integer")
    if args.arch and not (args.weights or args.random_weights):
        parser.error("--arch needs --weights FILE (a state dict) or --random-weights")
    if args.arch and args.weights and args.random_weights:
        parser.error("--weights and --random-weights exclude each other")
    if not args.arch and (args.weights or args.random_weights):
        parser.error("--weights/--random-weights go with --arch (use --module for a whole pickled model)")
    if not args.labels and not args.num_classes:
        parser.error("give --labels (or at least --num-classes)")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        run(args)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"verification failed: {error}", file=sys.stderr)
        return 1
    return 0
