"""JSON files the tool writes (model.json, tensor sidecars, --report-json), atomically and readable."""

import json
import os


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


def write_report(path, report):
    if path is not None:
        write_json(path.resolve(), report)
