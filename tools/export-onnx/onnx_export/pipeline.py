"""One export from arguments to installed files: check the destination, load, stage, export, verify, install."""

import shutil
import tempfile
import time
from pathlib import Path

from .errors import VerificationError
from .export import export_onnx
from .install import check_destination, install
from .json_files import write_json, write_report
from .load import add_python_path, load_model
from .logits import LogitsOnly, check_output_shape
from .model_json import build_config, read_existing_config
from .options import parse_labels, parse_size
from .verify import verify_staged


def run(args):
    add_python_path(args.python_path)
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
    print(
        "running workers load it within MODEL_REPOSITORY_POLL_SECONDS (or at once: POST /v1/models:reload); "
        "route traffic to it with PUT /v1/models/<name>/routing (docs/models.md)"
    )
