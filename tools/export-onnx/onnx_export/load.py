"""The PyTorch model from the user's file: a torchvision architecture with a state dict
(or stand-in weights), a whole pickled nn.Module, or TorchScript."""

import pickle
import sys
from pathlib import Path

import torch
import torchvision

from .errors import ExportError
from .options import parse_triple
from .stand_in import make_stand_in_weights
from .unpickling import FASTAI_HELP, FASTAI_PACKAGES, is_fastai_object, pickled_modules, top_package, unpickling_help


def add_python_path(directories):
    """--python-path: a pickle names its classes' modules, which must be importable to unpickle it."""
    for directory in directories:
        sys.path.insert(0, str(directory.resolve()))


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
