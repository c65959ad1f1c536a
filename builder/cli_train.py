"""`python -m builder train` and `export`: train a preset, an experiment file or a table headless.

``train --data FILE [FILE ...] [--target COL]`` trains exactly what the app builds for
that upload when nothing is changed: the same columns left out, preprocessing, network
and training (``builder.experiment.defaults``). Training runs in this process (a
command line is not the Streamlit server), with the same fast loop the app's workers
use; TensorFlow is imported only once the input has been checked. Every report holds
the verdict the Evaluate page shows (``builder.judging.verdict``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from builder.config import load_limits
from builder.errors import BuilderError, DataError, TrainingError
from builder.experiment import naming
from builder.experiment.defaults import proposed_experiment
from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import DataSpec, Experiment
from builder.export.bundle import run_files, sample_data, upload_data
from builder.export.codegen import training_script
from builder.judging.evaluation import judge
from builder.tables.checks import run_checks
from builder.tables.columns import describe_columns, require_target
from builder.tables.data import ReadOptions, ReadReport, load_files


class Table(NamedTuple):
    """The table to train on, how each of its files was read, and the --data files' bytes."""

    frame: pd.DataFrame
    reports: list[ReadReport]
    files: list[tuple[str, bytes]]


LEFT_OUT_REASONS = {
    "identifier": "a distinct value in every row (an identifier): a network would memorise it",
    "free text": "a distinct text on most rows (free text): each would be a category of its own",
    "numbers as text": "numbers not written the file's way (another decimal mark): "
    "save the column as plain numbers to use it",
    "empty": "no value in any row",
    "excluded": "left out by the experiment",
}


def add_train_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to an ``argparse`` subparsers object.

    Returns:
        The new parser (its default ``func`` is ``run_train``).
    """
    parser = subparsers.add_parser(
        "train",
        help="train a table, a preset or an experiment JSON and report its test metrics",
        description="Train a table with the app's defaults, a preset or an experiment file, "
        "and report the test-split metrics and the verdict.",
    )
    _add_input_arguments(parser)
    parser.add_argument(
        "--target",
        metavar="COL",
        help="with --data alone: the column to predict (default: the last column)",
    )
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
        help="train, then write the run bundle (the model in four formats, predict.py, train.py "
        "and its data, the metrics) to a folder",
        description="Train a preset or an experiment file and write its run bundle into DIR.",
    )
    _add_input_arguments(parser)
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write into")
    parser.set_defaults(func=run_export, json=True, target=None)
    return parser


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", metavar="NAME", help=f"one of: {', '.join(PRESETS)}")
    parser.add_argument("--experiment", metavar="FILE.json", help="an experiment saved as JSON")
    parser.add_argument(
        "--data",
        metavar="FILE",
        nargs="+",
        help="the table (CSV/TSV/TXT/XLSX; several with the same columns are stacked): alone, "
        "it is trained with the app's defaults; with --experiment, it is that experiment's upload",
    )
    parser.add_argument("--epochs", metavar="N", help="override the number of epochs")


def _trained(args: argparse.Namespace) -> tuple[Experiment, Table, dict] | int:
    """Check the input, then train: (experiment, table, result), or the exit status on failure."""
    try:
        experiment, table = _inputs(args)
    except (BuilderError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from builder.worker.serve import quiet_tensorflow

    quiet_tensorflow()
    from builder.worker import tasks

    progress = None if args.json else _progress_printer(experiment.train.epochs)
    try:
        return experiment, table, tasks.train(table.frame, experiment, on_epoch=progress)
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
    experiment, table, result = trained
    if args.save:
        try:
            Path(args.save).write_bytes(result["export"]["model.keras"])
        except OSError as error:
            print(f"error: cannot write the model to '{args.save}': {error}", file=sys.stderr)
            return 2
    report = _report(args, experiment, table.frame, result)
    if args.json:
        print(json.dumps(report))
    else:
        print(_summary(report))
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Run ``export``: train, convert, write the run bundle into ``--out``, print the report."""
    trained = _trained(args)
    if isinstance(trained, int):
        return trained
    experiment, table, result = trained
    from builder.worker.formats import convert  # TensorFlow is loaded by now

    try:
        converted = convert(result["model_bytes"], result["prep"])
    except TrainingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    # Read as the table was read (separator, encoding, decimal mark, sheet).
    script = training_script(experiment, table.frame, table.reports, bundled=True)
    data = upload_data(table.files) if table.files else sample_data(experiment.data.source)
    stem = naming.stem(experiment)
    files = run_files(experiment, result, stem, script, data, converted, table.frame)
    try:
        folder = Path(args.out)
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
    except OSError as error:
        print(f"error: cannot write into '{args.out}': {error}", file=sys.stderr)
        return 2
    args.save = None
    print(json.dumps({**_report(args, experiment, table.frame, result), "out": str(args.out)}))
    return 0


def _inputs(args: argparse.Namespace) -> tuple[Experiment, Table]:
    """The experiment to train and its table, checked before TensorFlow is loaded."""
    named = args.preset or args.experiment
    if (args.preset and args.experiment) or not (named or args.data):
        raise ValueError("give either --preset NAME, --experiment FILE.json or --data FILE")
    if args.target is not None and (args.preset or args.experiment):
        raise ValueError("--target goes with --data alone; an experiment names its own target")
    if args.preset:
        experiment = preset_experiment(args.preset)
    elif args.experiment:
        try:
            raw = json.loads(Path(args.experiment).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"'{args.experiment}' is not valid JSON ({error.msg})") from None
        experiment = Experiment.from_dict(raw)
    if args.data:
        data = experiment.data if named else DataSpec()
        options = ReadOptions(
            delimiter=data.delimiter, encoding=data.encoding, decimal=data.decimal
        )
        files = [(Path(name).name, Path(name).read_bytes()) for name in args.data]
        frame, reports = load_files(files, options)
        if not named:
            experiment = _proposed(frame, [name for name, _ in files], args.target)
    elif experiment.data.source == "upload":
        raise ValueError("this experiment's data was uploaded: give the table with --data FILE")
    else:
        from builder.tables.samples import load_sample

        frame, reports = load_sample(experiment.data.source)
        files = []  # the bundle takes the sample's own files
    if args.epochs is not None:
        limit = load_limits().max_epochs
        if not str(args.epochs).isdigit() or not 1 <= int(args.epochs) <= limit:
            raise ValueError(
                f"--epochs must be a whole number from 1 to {limit}. Received: {args.epochs!r}"
            )
        experiment.train.epochs = int(args.epochs)
    return experiment, Table(frame, reports, files)


def _proposed(frame: pd.DataFrame, names: list[str], target: str | None) -> Experiment:
    """What the app proposes for these uploaded files, as the Data page builds it.

    Raises:
        DataError: the target is not a column of the table, or cannot be predicted.
    """
    if target is not None and target not in frame.columns:
        raise DataError(
            f"There is no column '{target}' to predict. Columns: "
            + ", ".join(f"'{c}'" for c in list(frame.columns)[:10])
        )
    data = DataSpec(source="upload", title=", ".join(names), files=names)
    experiment = proposed_experiment(frame, data, target)
    experiment.name = Path(names[0]).stem
    require_target(frame, experiment.data.target, None)
    return experiment


def _progress_printer(epochs: int):
    every = max(1, epochs // 10)

    def show(epoch: int, logs: dict[str, float], seconds: float) -> None:
        if (epoch + 1) % every == 0 or epoch == 0:
            numbers = "  ".join(f"{name} {value:.4g}" for name, value in logs.items())
            print(f"epoch {epoch + 1}/{epochs}  {numbers}  ({seconds:.1f} s)", file=sys.stderr)

    return show


def _left_out(frame: pd.DataFrame, experiment: Experiment) -> list[dict[str, str]]:
    """Each column left out of the features, with the reason."""
    data = experiment.data
    return [
        {"column": info.name, "reason": LEFT_OUT_REASONS[info.role]}
        for info in describe_columns(frame, data.target, data.excluded)
        if info.role in LEFT_OUT_REASONS
    ]


def _report(
    args: argparse.Namespace, experiment: Experiment, frame: pd.DataFrame, result: dict
) -> dict[str, Any]:
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
        "target": experiment.data.target,
        "features": result["prep"]["columns"],
        "left_out": _left_out(frame, experiment),
        "warnings": [
            {
                "check": finding.check,
                "title": finding.title,
                "explanation": finding.explanation,
                "fix": finding.fix,
                "columns": list(finding.columns),
            }
            for finding in run_checks(frame, experiment.data.target, result["task"])
        ],
    }
    judged = judge(result, frame, experiment)
    report["references"] = [ref.to_dict() for ref in judged["references"] or []]
    report["verdict"] = judged["verdict"].to_dict()
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
    for item in report["left_out"]:
        lines.append(f"left out: {item['column']} ({item['reason']})")
    for warning in report["warnings"]:
        lines.append(f"warning: {warning['title']} {warning['fix']}")
    for ref in report["references"]:
        scores = ", ".join(f"{name} {value:.4f}" for name, value in ref["scores"].items())
        lines.append(f"reference, {ref['label']}: {scores or ref['error']}")
    verdict = report["verdict"]
    lines.append(f"verdict: {verdict['headline']}")
    lines += [f"  - {reason}" for reason in verdict["reasons"]]
    lines += [f"  next: {step}" for step in verdict["next_steps"]]
    if "expected" in report:
        expected = report["expected"]
        verdict = "reached" if expected["met"] else "NOT reached"
        lines.append(f"expected {expected['metric']} bound {expected['bound']}: {verdict}")
    if "saved" in report:
        lines.append(f"model saved to {report['saved']}")
    return "\n".join(lines)
