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
"""

import argparse
import copy
import json
import os
import pickle
import pickletools
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

try:
    import numpy as np
    import onnx
    import torch
    import torchvision
except ImportError as missing:
    sys.exit(
        f"error: {missing}. This tool needs Debian's PyTorch stack; run it with /usr/bin/python3 after\n"
        "  apt-get install python3-torch python3-torchvision python3-onnx"
    )

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
VERIFY_TS = HERE / "verify.ts"

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_TOLERANCE = 1e-4
RANDOM_BATCH = 4
# Mirrors MODEL_NAME_PATTERN in packages/contracts/src/model-config.schema.ts.
MODEL_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
FASTAI_PACKAGES = {"fastai", "fastcore"}

FASTAI_HELP = """{path} is a fastai Learner export (learn.export()). Unpickling it needs fastai,
which this tool does not use. In the environment where you trained it, save the network
itself, then export that:

  * the weights, when learn.model is a torchvision architecture (e.g. Learner(dls, resnet34(num_classes=4))):
        torch.save(learn.model.state_dict(), 'weights.pth')
    then: export_onnx.py --arch resnet34 --weights weights.pth --labels <learn.dls.vocab> ...

  * any Learner, including vision_learner/cnn_learner, whose head is made of fastai layers:
        torch.jit.trace(learn.model.eval().cpu(), torch.randn(1, 3, 224, 224)).save('model.ts')
    then: export_onnx.py --torchscript model.ts --labels <learn.dls.vocab> ...

The labels are learn.dls.vocab, in that order. --input-size is the size of your item
transform (Resize(224) crops: add --resize cover), and --mean/--std default to ImageNet's
statistics, which vision_learner normalises with."""


class ExportError(Exception):
    """A problem with the user's input or model, reported as one message without a traceback."""


class VerificationError(Exception):
    """The ONNX model does not reproduce the PyTorch model (or could not be checked)."""


# ---------------------------------------------------------------- arguments


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


def parse_labels(value, num_classes):
    """Labels from a file (one per line) or a comma list, checked against --num-classes."""
    if value is None:
        labels = [f"class_{i}" for i in range(num_classes)]
    elif os.path.isfile(value):
        labels = [line.strip() for line in Path(value).read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        labels = [part.strip() for part in value.split(",") if part.strip()]
    if not labels:
        raise ExportError(f"--labels {value!r} holds no label")
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ExportError(f"--labels repeats {', '.join(duplicates)}")
    if num_classes is not None and num_classes != len(labels):
        raise ExportError(f"--num-classes {num_classes} but {len(labels)} labels were given")
    return labels


def parse_size(value):
    """'224' -> (224, 224); '320x240' -> (320, 240) as (width, height)."""
    match = re.fullmatch(r"(\d+)(?:x(\d+))?", value.strip())
    if not match:
        raise ExportError(f"--input-size {value!r}: use N or WIDTHxHEIGHT")
    width = int(match.group(1))
    height = int(match.group(2) or width)
    if not (1 <= width <= 4096 and 1 <= height <= 4096):
        raise ExportError(f"--input-size {value!r}: sides must be 1..4096")
    return width, height


def parse_triple(option, value):
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 3:
        raise ExportError(f"{option} {value!r}: give three comma-separated numbers (R,G,B)")
    return numbers


# ---------------------------------------------------------------- loading


def load_model(args, num_classes, width, height):
    """The PyTorch model, in eval mode, float32, on the CPU."""
    if args.arch:
        model = build_torchvision_model(args.arch, num_classes, args.weights, args.seed)
        if args.random_weights:
            mean, std = parse_triple("--mean", args.mean), parse_triple("--std", args.std)
            make_stand_in_weights(model, width, height, args.seed, mean, std)
    elif args.module:
        model = load_pickled_module(args.module)
    else:
        model = load_torchscript(args.torchscript)
    return model.float().eval()


def build_torchvision_model(arch, num_classes, weights_path, seed):
    available = torchvision.models.list_models(module=torchvision.models)
    if arch not in available:
        raise ExportError(
            f"--arch {arch!r} is not a torchvision {torchvision.__version__} classification model; "
            f"choose one of: {', '.join(available)}"
        )
    # weights=None always: nothing is downloaded. num_classes sizes the head to the labels.
    kwargs = {"weights": None, "num_classes": num_classes}
    if arch in ("googlenet", "inception_v3"):
        kwargs["init_weights"] = True  # silences torchvision's warning about the default changing
    torch.manual_seed(seed)
    model = torchvision.models.get_model(arch, **kwargs)
    if weights_path is not None:
        load_state_dict(model, weights_path, arch, num_classes)
    return model


def make_stand_in_weights(model, width, height, seed, mean=IMAGENET_MEAN, std=IMAGENET_STD):
    """Give an untrained network the activation scale of a trained one.

    Freshly initialised torchvision models answer logits of 1e-9 to 1e-13 (batch norm
    running statistics that do not match the activations, heads initialised near zero),
    which would make any logit comparison pass. Batch norm statistics measured on
    random images and a rescaled head give logits spread like a trained model's.
    """
    generator = torch.Generator().manual_seed(seed)
    batch = calibration_batch(width, height, mean, std, generator)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a plain average over the calibration batch
    model.train()
    with torch.no_grad():
        model(batch)
    for norm in norms:
        norm.momentum = 0.1
    model.eval()
    scale_head(model, batch)


def calibration_batch(width, height, mean, std, generator, count=4):
    """Smooth random images (like photos) and pixel noise (like the verification's random
    tensors), normalised: statistics from both keep either kind from producing huge logits."""
    coarse = torch.rand(count, 3, max(1, height // 32), max(1, width // 32), generator=generator)
    smooth = torch.nn.functional.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
    smooth = (smooth + 0.1 * torch.rand(count, 3, height, width, generator=generator)).clamp(0, 1)
    noise = torch.rand(count, 3, height, width, generator=generator)
    pixels = torch.cat([smooth, noise])
    return (pixels - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def scale_head(model, batch, target_std=3.0):
    """Scale the last linear layer so that logits spread like a trained classifier's (std ~3)."""
    head = next((m for m in reversed(list(model.modules())) if isinstance(m, torch.nn.Linear)), None)
    if head is None:
        return
    if not head.weight.any():
        head.reset_parameters()  # some heads (ViT's) start at zero, which no scale fixes
    with torch.no_grad():
        std = float(select_logits(model(batch)).std())
        if std > 0:
            head.weight.mul_(target_std / std)
            head.bias.mul_(target_std / std)


def load_state_dict(model, path, arch, num_classes):
    """Load strictly, turning PyTorch's key/shape complaints into an actionable message."""
    state = torch_load(path)
    if isinstance(state, torch.nn.Module):
        raise ExportError(f"{path} holds a whole pickled model, not a state dict: export it with --module {path}")
    state = unwrap_state_dict(state, path)
    expected = model.state_dict()

    head_mismatch = [
        (key, tuple(value.shape), tuple(expected[key].shape))
        for key, value in state.items()
        if key in expected and tuple(value.shape) != tuple(expected[key].shape)
    ]
    # torchvision defines the classifier head last: its weight and bias end the state dict.
    head_keys = list(expected)[-2:]
    heads = [(k, got) for k, got, want in head_mismatch if k in head_keys and got[:1] != want[:1]]
    if heads:
        key, shape = heads[0]
        raise ExportError(
            f"{path}: the classifier head ({key}) has {shape[0]} outputs but {num_classes} labels were given; "
            "--labels must list every class the model was trained on, in training order"
        )
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if head_mismatch or missing or unexpected:
        problems = []
        if missing:
            problems.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if unexpected:
            problems.append(f"{len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3])})")
        if head_mismatch:
            key, got, want = head_mismatch[0]
            problems.append(f"{len(head_mismatch)} with other shapes (e.g. {key}: {list(got)} vs {list(want)})")
        raise ExportError(
            f"{path} does not fit torchvision's {arch}: keys {'; '.join(problems)}. Check --arch; a model with "
            "custom layers (e.g. fastai's vision_learner head) exports better as --module or --torchscript"
        )
    model.load_state_dict(state)


def unwrap_state_dict(state, path):
    """Accept the usual checkpoint wrappers and DataParallel's 'module.' prefix."""
    if isinstance(state, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ExportError(f"{path} is not a state dict (a mapping of parameter names to tensors)")
    if state and all(key.startswith("module.") for key in state):
        state = {key[len("module."):]: value for key, value in state.items()}
    return state


def load_pickled_module(path):
    try:
        obj = torch_load(path)
    except (ModuleNotFoundError, AttributeError) as error:
        # The first class that fails to import need not be fastai's: look at all of them.
        if any(top_package(module) in FASTAI_PACKAGES for module in pickled_modules(path)):
            raise ExportError(FASTAI_HELP.format(path=path)) from None
        raise ExportError(unpickling_help(path, error)) from None
    if is_fastai_object(obj):
        raise ExportError(FASTAI_HELP.format(path=path))
    if isinstance(obj, dict):
        raise ExportError(f"{path} holds a dict (a state dict?), not a model: use --arch NAME --weights {path}")
    if not isinstance(obj, torch.nn.Module):
        raise ExportError(f"{path} holds a {type(obj).__module__}.{type(obj).__name__}, not a torch.nn.Module")
    return obj


def unpickling_help(path, error):
    if isinstance(error, ModuleNotFoundError):
        package = top_package(error.name)
        return (
            f"cannot unpickle {path}: it refers to the Python module {error.name!r}, which is not importable. "
            "A pickled model stores only the names of its classes; pass --python-path DIR with the directory "
            f"holding {package}.py or the {package}/ package (e.g. your training project)"
        )
    # pickle's AttributeError: the module imported but lacks the class.
    if "__main__" in str(error):
        hint = (
            "The class was defined in the script that pickled the model (__main__); move it into a module, "
            "import it from there and pickle again, or save a state dict or TorchScript instead"
        )
    else:
        hint = "Pass --python-path DIR with the code that defines it, in the version used for training"
    return f"cannot unpickle {path}: {error}. {hint}"


def pickled_modules(path):
    """Modules named by the pickle's GLOBAL opcodes (torch.save writes protocol 2), without importing any."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
                data = archive.read(name)
        else:
            data = Path(path).read_bytes()
        return {
            str(arg).split(" ")[0]
            for opcode, arg, _ in pickletools.genops(data)
            if opcode.name == "GLOBAL"
        }
    except Exception:  # noqa: BLE001 - best effort: only used to improve an error message
        return set()


def torch_load(path):
    if not Path(path).is_file():
        raise ExportError(f"{path}: no such file")
    try:
        return torch.load(path, map_location="cpu")
    except pickle.UnpicklingError as error:
        # Not torch.save's format: maybe a plain pickle.dump of the model.
        with open(path, "rb") as file:
            try:
                return pickle.load(file)
            except pickle.UnpicklingError:
                raise ExportError(f"{path} is neither a torch.save file nor a pickle ({error})") from None


def load_torchscript(path):
    if not Path(path).is_file():
        raise ExportError(f"{path}: no such file")
    try:
        return torch.jit.load(str(path), map_location="cpu")
    except RuntimeError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "unknown error"
        raise ExportError(
            f"cannot load TorchScript {path} with torch {torch.__version__}: {first_line} "
            "(a file saved by a much newer PyTorch may not load in an older one)"
        ) from None


def top_package(module_name):
    return (module_name or "").split(".")[0]


def is_fastai_object(obj):
    return top_package(type(obj).__module__) in FASTAI_PACKAGES and not isinstance(obj, torch.nn.Module)


# ---------------------------------------------------------------- export


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


def build_config(args, labels, width, height, existing):
    """model.json: what the worker needs, keeping hand-edited fields of an existing one."""
    config = dict(existing or {})
    config.update(
        {
            "name": args.name,
            "labels": labels,
            "input": {
                "name": "input",
                "layout": "NCHW",
                "width": width,
                "height": height,
                "color_order": "RGB",
                "resize": args.resize,
                "scale": 255,
                "mean": parse_triple("--mean", args.mean),
                "std": parse_triple("--std", args.std),
            },
            "output": {"name": "logits", "activation": args.activation},
        }
    )
    if any(value == 0 for value in config["input"]["std"]):
        raise ExportError("--std must not contain 0")
    if args.description:
        config["description"] = args.description
    if args.max_batch_size:
        config["max_batch_size"] = args.max_batch_size
    config.setdefault("max_batch_size", 32)
    # Field order of models/plant-pathology/model.json, for readable diffs.
    order = ["name", "description", "labels", "input", "output", "max_batch_size", "top_k"]
    return {key: config[key] for key in sorted(config, key=lambda k: order.index(k) if k in order else len(order))}


def read_existing_config(model_dir):
    path = model_dir / "model.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ExportError(f"{path} exists but is not valid JSON ({error}); fix or remove it") from None


def check_destination(args, model_dir, config, existing):
    """One model.json serves every version of a model, so a new version must not change its contract."""
    target = model_dir / str(args.version) / "model.onnx"
    if target.exists() and not args.force:
        raise ExportError(f"{target} already exists; choose another --version (or --force)")
    if existing is None or args.force:
        return
    changed = [key for key in ("labels", "input", "output") if existing.get(key) != config[key]]
    if changed:
        raise ExportError(
            f"{model_dir / 'model.json'} already describes this model with other {', '.join(changed)}, and all of its "
            "versions share it; export with the same settings, under another --name, or pass --force to replace it"
        )


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(to_json(data) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def to_json(value, indent=""):
    """Indented JSON with lists of scalars on one line, like models/plant-pathology/model.json."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(key)}: {to_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(inner + to_json(item, inner) for item in value) + f"\n{indent}]"
    return json.dumps(value, separators=(", ", ": "))


def install(staged_onnx, config, model_dir, version):
    """Move the verified model into the repository; model.json last, so it never names a missing file."""
    version_dir = model_dir / str(version)
    version_dir.mkdir(parents=True, exist_ok=True)
    temporary = version_dir / "model.onnx.tmp"
    shutil.copyfile(staged_onnx, temporary)
    os.replace(temporary, version_dir / "model.onnx")
    write_json(model_dir / "model.json", config)


# ---------------------------------------------------------------- verification


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


# ---------------------------------------------------------------- main


def run(args):
    for directory in args.python_path:
        sys.path.insert(0, str(directory.resolve()))
    labels = parse_labels(args.labels, args.num_classes)
    width, height = parse_size(args.input_size)
    model_dir = args.out.resolve() / args.name
    existing = read_existing_config(model_dir)
    config = build_config(args, labels, width, height, existing)
    check_destination(args, model_dir, config, existing)

    started = time.monotonic()
    model = LogitsOnly(load_model(args, len(labels), width, height)).eval()
    check_output_shape(model, width, height, len(labels))

    staging = Path(tempfile.mkdtemp(prefix=f"export-onnx-{args.name}-"))
    try:
        # Staged as a one-model repository, so verify.ts reads it exactly as the worker will.
        staged_dir = staging / args.name
        staged_onnx = staged_dir / str(args.version) / "model.onnx"
        staged_onnx.parent.mkdir(parents=True)
        export_onnx(model.graph_module(), staged_onnx, width, height, args.opset)
        write_json(staged_dir / "model.json", config)
        report = {"name": args.name, "version": str(args.version), "labels": labels, "opset": args.opset,
                  "export_seconds": round(time.monotonic() - started, 2), "verification": None}
        print(f"exported {args.name} v{args.version}: opset {args.opset}, "
              f"{staged_onnx.stat().st_size / 1e6:.1f} MB, {report['export_seconds']:.1f} s")
        if not args.no_verify:
            work_dir = args.verify_dir.resolve() if args.verify_dir else staging / "verify"
            verify_staged(model, staged_dir, labels, width, height, args, work_dir, report)
        install(staged_onnx, config, model_dir, args.version)
    except VerificationError as error:
        raise VerificationError(f"{error}\nnot installed; the staged model is in {staging}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)

    report["onnx"] = str(model_dir / str(args.version) / "model.onnx")
    report["model_json"] = str(model_dir / "model.json")
    write_report(args.report_json, report)
    print(f"installed {report['onnx']}\n      and {report['model_json']}")
    print("restart the API and the worker(s) to serve it")


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


def write_report(path, report):
    if path is not None:
        write_json(path.resolve(), report)


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


if __name__ == "__main__":
    sys.exit(main())
