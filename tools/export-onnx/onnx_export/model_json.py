"""model.json for the exported model, merged into the one already in the repository."""

import json

from .errors import ExportError
from .options import parse_triple


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
