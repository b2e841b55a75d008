"""Why a pickled file would not load, told in terms of what to do: fastai Learners, classes that cannot be imported."""

import pickletools
import zipfile
from pathlib import Path

import torch


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


def top_package(module_name):
    return (module_name or "").split(".")[0]


def is_fastai_object(obj):
    return top_package(type(obj).__module__) in FASTAI_PACKAGES and not isinstance(obj, torch.nn.Module)
