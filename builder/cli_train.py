"""`python -m builder train` and `export`: train a preset or an experiment file headless.

Training runs in this process (a command line is not the Streamlit server), with
the same fast loop the app's workers use; TensorFlow is imported only once the
input has been checked.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from builder.config import load_limits
from builder.errors import BuilderError, TrainingError
from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import Experiment
from builder.export.bundle import run_files
from builder.export.codegen import training_script
from builder.tables.data import ReadOptions, read_table


def add_train_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to an ``argparse`` subparsers object.

    Returns:
        The new parser (its default ``func`` is ``run_train``).
    """
    parser = subparsers.add_parser(
        "train",
        help="train a preset or an experiment JSON and report its test metrics",
        description="Train a preset or an experiment file and report the test-split metrics.",
    )
    _add_input_arguments(parser)
    parser.add_argument(
        "--save",
        metavar="MODEL.keras",
        help="write the trained model, with its preprocessing, here",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_train)
    return parser


def add_export_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand: train, then write the run's files into a folder."""
    parser = subparsers.add_parser(
        "export",
        help="train, then write model.keras, train.py, experiment.json, metrics.json … to a folder",
        description="Train a preset or an experiment file and write its run bundle into DIR.",
    )
    _add_input_arguments(parser)
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write into")
    parser.set_defaults(func=run_export, json=True)
    return parser


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", metavar="NAME", help=f"one of: {', '.join(PRESETS)}")
    parser.add_argument("--experiment", metavar="FILE.json", help="an experiment saved as JSON")
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="the table (CSV/TSV/TXT/XLSX) for an experiment whose data is an upload",
    )
    parser.add_argument("--epochs", metavar="N", help="override the number of epochs")


def _trained(args: argparse.Namespace) -> tuple[Experiment, pd.DataFrame, dict] | int:
    """Check the input, then train: (experiment, table, result), or the exit status on failure."""
    try:
        experiment, frame = _inputs(args)
    except (BuilderError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from builder.worker.serve import quiet_tensorflow

    quiet_tensorflow()
    from builder.worker import tasks

    progress = None if args.json else _progress_printer(experiment.train.epochs)
    try:
        return experiment, frame, tasks.train(frame, experiment, on_epoch=progress)
    except TrainingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run_train(args: argparse.Namespace) -> int:
    """Run ``train``: 0 when done, 1 when training failed, 2 on bad input (one ``error:`` line)."""
    trained = _trained(args)
    if isinstance(trained, int):
        return trained
    experiment, _, result = trained
    if args.save:
        try:
            Path(args.save).write_bytes(result["export"]["model.keras"])
        except OSError as error:
            print(f"error: cannot write the model to '{args.save}': {error}", file=sys.stderr)
            return 2
    report = _report(args, experiment, result)
    if args.json:
        print(json.dumps(report))
    else:
        print(_summary(report))
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Run ``export``: train, write the bundle's files into ``--out``, print the report as JSON."""
    trained = _trained(args)
    if isinstance(trained, int):
        return trained
    experiment, frame, result = trained
    script = training_script(experiment, frame)
    try:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in run_files(experiment, result, script).items():
            (folder / name).write_bytes(content)
    except OSError as error:
        print(f"error: cannot write into '{args.out}': {error}", file=sys.stderr)
        return 2
    args.save = None
    print(json.dumps({**_report(args, experiment, result), "out": str(args.out)}))
    return 0


def _inputs(args: argparse.Namespace) -> tuple[Experiment, pd.DataFrame]:
    """The experiment to train and its table, checked before TensorFlow is loaded."""
    if bool(args.preset) == bool(args.experiment):
        raise ValueError("give either --preset NAME or --experiment FILE.json")
    if args.preset:
        experiment = preset_experiment(args.preset)
    else:
        try:
            raw = json.loads(Path(args.experiment).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"'{args.experiment}' is not valid JSON ({error.msg})") from None
        experiment = Experiment.from_dict(raw)
    if args.epochs is not None:
        limit = load_limits().max_epochs
        if not str(args.epochs).isdigit() or not 1 <= int(args.epochs) <= limit:
            raise ValueError(
                f"--epochs must be a whole number from 1 to {limit}. Received: {args.epochs!r}"
            )
        experiment.train.epochs = int(args.epochs)
    if args.data:
        path = Path(args.data)
        options = ReadOptions(
            delimiter=experiment.data.delimiter,
            encoding=experiment.data.encoding,
            decimal=experiment.data.decimal,
        )
        frame = read_table(path.read_bytes(), path.name, options)[0]
    elif experiment.data.source == "upload":
        raise ValueError("this experiment's data was uploaded: give the table with --data FILE")
    else:
        from builder.tables.samples import load_sample

        frame = load_sample(experiment.data.source)[0]
    return experiment, frame


def _progress_printer(epochs: int):
    every = max(1, epochs // 10)

    def show(epoch: int, logs: dict[str, float], seconds: float) -> None:
        if (epoch + 1) % every == 0 or epoch == 0:
            numbers = "  ".join(f"{name} {value:.4g}" for name, value in logs.items())
            print(f"epoch {epoch + 1}/{epochs}  {numbers}  ({seconds:.1f} s)", file=sys.stderr)

    return show


def _report(args: argparse.Namespace, experiment: Experiment, result: dict) -> dict[str, Any]:
    test = result["metrics"]["test"]
    report: dict[str, Any] = {
        "preset": args.preset,
        "experiment": experiment.name,
        "task": result["task"],
        "epochs_run": result["epochs_run"],
        "ended": result["ended"],
        "train_seconds": round(result["train_seconds"], 4),
        "total_seconds": round(result["total_seconds"], 4),
        "metrics": test,
        "train_metrics": result["metrics"]["train"],
        "rows": result["rows"],
    }
    if args.preset and PRESETS[args.preset].expected is not None:
        expected = PRESETS[args.preset].expected
        value = test[expected.metric]
        report["expected"] = {
            "metric": expected.metric,
            "bound": expected.bound,
            "met": expected.met_by(value),
        }
    if args.save:
        report["saved"] = str(args.save)
    return report


def _summary(report: dict[str, Any]) -> str:
    metrics = ", ".join(f"{name} {value:.4f}" for name, value in report["metrics"].items())
    lines = [
        f"{report['preset'] or report['experiment']} ({report['task']}): "
        f"{report['epochs_run']} epoch(s) in {report['train_seconds']:.2f} s ({report['ended']})",
        f"test split: {metrics}",
    ]
    if "expected" in report:
        expected = report["expected"]
        verdict = "reached" if expected["met"] else "NOT reached"
        lines.append(f"expected {expected['metric']} bound {expected['bound']}: {verdict}")
    if "saved" in report:
        lines.append(f"model saved to {report['saved']}")
    return "\n".join(lines)
