"""Writing into the model repository: refuse to clobber a version or change a shared model.json, then install."""

import os
import shutil

from .errors import ExportError
from .json_files import write_json


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


def install(staged_onnx, config, model_dir, version):
    """Move the verified model into the repository; model.json after it, so it never names a missing file,
    and the READY marker last: a running worker hot-loads a version only once READY is there."""
    version_dir = model_dir / str(version)
    version_dir.mkdir(parents=True, exist_ok=True)
    temporary = version_dir / "model.onnx.tmp"
    shutil.copyfile(staged_onnx, temporary)
    os.replace(temporary, version_dir / "model.onnx")
    write_json(model_dir / "model.json", config)
    (version_dir / "READY").write_text("")
