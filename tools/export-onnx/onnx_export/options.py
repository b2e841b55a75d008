"""Option values that argparse cannot check alone: labels, input size, mean/std triples."""

import os
import re
from pathlib import Path

from .errors import ExportError


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


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
