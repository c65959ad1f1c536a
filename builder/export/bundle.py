"""A finished run as a folder that runs as downloaded: the model in several formats,
``predict.py``, ``train.py`` with its data, the settings, the curves and a README.

Every file is named after the run (``iris-run-2.keras``), and the zip unpacks into one
folder of that name, so a student's downloads never overwrite each other.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd

from builder.experiment import experiment_file
from builder.experiment.spec import Experiment
from builder.export.cells import csv_bytes
from builder.export.codegen import bundle_data_name
from builder.export.prediction import predict_script, preprocessing_json
from builder.export.tensorboard_logs import event_files
from builder.markdown import literal
from builder.numbers import shown
from builder.plots.charts_training import history_figure
from builder.tables.samples import SAMPLE_DIR, SAMPLES

# What `pip install -r requirements.txt` needs for train.py and every predict.py runtime;
# the same minimums as the app's own pyproject.toml (a test keeps them in step).
REQUIREMENTS = (
    "pandas>=3.1",
    "numpy>=2.4",
    "scikit-learn>=1.9",
    "openpyxl>=3.1.5",
    "tensorflow-cpu>=2.21; platform_machine == 'x86_64'",
    "tensorflow>=2.21; platform_machine != 'x86_64'",
    "keras>=3.15",
    "onnxruntime>=1.32",
    "ai-edge-litert>=2.3",
)
# The model files' names before the run's stem replaces "model".
MODEL_PREFIX = "model"
EXAMPLES = "example_rows.csv"


def history_records(history: dict[str, list[float]]) -> list[dict[str, float]]:
    """A worker's history (``{"loss": [...], ...}``) as one record per epoch, numbered from 1."""
    epochs = len(next(iter(history.values()), []))
    return [{"epoch": i + 1, **{k: v[i] for k, v in history.items()}} for i in range(epochs)]


def curves_html(records: list[dict[str, float]], task: str) -> str:
    """The loss and accuracy (or MAE) curves as one HTML page (plotly.js from its CDN)."""
    keys = ["loss", "mae" if task == "regression" else "accuracy"]
    parts = [
        history_figure(records, key).to_html(
            full_html=False, include_plotlyjs="cdn" if i == 0 else False
        )
        for i, key in enumerate(keys)
    ]
    return "<!doctype html><meta charset='utf-8'><title>Training curves</title>" + "".join(parts)


def sample_data(source: str) -> dict[str, bytes]:
    """A bundled sample's files, as the bundle's data/ folder holds them."""
    return {name: (SAMPLE_DIR / name).read_bytes() for name in SAMPLES[source].files}


def upload_data(files: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """Uploaded files, named as the bundled train.py reads them (``codegen.bundle_data_name``)."""
    return {bundle_data_name(name): content for name, content in files}


def named_for_run(files: dict[str, bytes], stem: str) -> dict[str, bytes]:
    """Model files with the run's stem for "model": ``model.onnx`` → ``iris-run-2.onnx``."""
    return {
        stem + name[len(MODEL_PREFIX) :] if name.startswith(MODEL_PREFIX) else name: content
        for name, content in files.items()
    }


def run_files(
    experiment: Experiment,
    result: dict,
    stem: str,
    script: str,
    data: dict[str, bytes] | None = None,
    converted: dict[str, bytes] | None = None,
    frame: pd.DataFrame | None = None,
) -> dict[str, bytes]:
    """Every file of a run's bundle, by its path inside the bundle's folder.

    Args:
        experiment: the experiment the run trained.
        result: the worker's training result (``builder.worker.tasks.train``).
        stem: the run's file name stem (``naming.run_file_stem``).
        script: the training script, written for the bundle
            (``codegen.training_script(..., bundled=True)``).
        data: the table's files for ``data/`` (``sample_data``, ``upload_data``); None
            leaves them out, and the README says where to put them.
        converted: the other model formats (``builder.worker.formats.convert``).
        frame: the table the run trained on; with ``data``, a few of its test rows go in
            ``example_rows.csv``, for a first try of predict.py.

    Returns:
        The files as bytes: the models, predict.py and its preprocessing description,
        example rows, train.py and its data, experiment.json, history.csv, metrics.json, curves.html,
        TensorBoard logs, requirements.txt and README.md.
    """
    records = history_records(result["history"])
    metrics = {
        "task": result["task"],
        "epochs_run": result["epochs_run"],
        "ended": result["ended"],
        "train": result["metrics"]["train"],
        "test": result["metrics"]["test"],
        "rows": result["rows"],
        # A linear model and boosted trees on the same rows and inputs; null for a run
        # trained before the app fitted them.
        "references": result.get("references"),
    }
    files = {
        **named_for_run({**result["export"], **(converted or {})}, stem),
        "predict.py": predict_script(),
        "preprocessing.json": preprocessing_json(result),
        "train.py": script.encode(),
        **{f"data/{name}": content for name, content in (data or {}).items()},
        "experiment.json": experiment_file.to_json(experiment).encode(),
        "history.csv": pd.DataFrame(records).to_csv(index=False).encode(),
        "metrics.json": json.dumps(metrics, indent=2).encode(),
        "curves.html": curves_html(records, result["task"]).encode(),
        **event_files(records),
        "requirements.txt": ("\n".join(REQUIREMENTS) + "\n").encode(),
    }
    if data is not None and frame is not None:
        files[EXAMPLES] = example_rows(frame, result)
    files["README.md"] = readme(stem, experiment, result, files, data is not None).encode()
    return files


def example_rows(frame: pd.DataFrame, result: dict, count: int = 5) -> bytes:
    """The first test rows' feature columns as a CSV, in the columns' own units (text cells
    a spreadsheet would run as formulas get an apostrophe in front, ``cells.neutral``)."""
    rows = frame.loc[result["test_rows"][:count], result["prep"]["columns"]]
    return csv_bytes(rows)


def zip_bytes(files: dict[str, bytes], folder: str = "") -> bytes:
    """The files packed in one zip archive, inside ``folder/`` when one is given."""
    prefix = f"{folder}/" if folder else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(prefix + name, content)
    return buffer.getvalue()


def readme(
    stem: str, experiment: Experiment, result: dict, files: dict[str, bytes], with_data: bool
) -> str:
    """The bundle's README: how to predict and train again, and what each file is.

    Column, class and file names and the title are the user's: written with
    ``markdown.literal``, never in a code span (a backtick in a name would end it), so a
    Markdown viewer shows them as typed and loads nothing they name.
    """
    scores = ", ".join(
        f"{name} {shown(value)}" for name, value in result["metrics"]["test"].items()
    )
    columns = ", ".join(literal(c) for c in result["prep"]["columns"])
    target = literal(experiment.data.target)
    if result["task"] == "regression":
        output = f"`prediction`, the {target} predicted in its own units"
    else:
        first = literal(result["classes"][0])
        output = (
            f"`prediction` (the class) and a `P(<class>)` per class (P\\({first}\\), …), "
            "as the app's Evaluate page writes them"
        )
    rows = EXAMPLES if EXAMPLES in files else "new_rows.csv"
    data_files = [name for name in files if name.startswith("data/")]
    if with_data:
        data_line = f"It reads {', '.join(literal(n) for n in data_files)}."
    else:
        sample = SAMPLES.get(experiment.data.source)
        wanted = experiment.data.files or (list(sample.files) if sample else [])
        names = ", ".join(literal(f"data/{bundle_data_name(n)}") for n in wanted) or "the data file"
        data_line = f"The bundle was downloaded without its data: put {names} beside it first."
    table = "".join(
        f"| `{shown_name}` | {role} |\n"
        for shown_name, role in _file_roles(stem, files, result["task"])
    )
    title = literal(experiment.data.title or experiment.data.source)
    return (
        f"# {stem}\n\n"
        f"A run of the Neural Network Builder on {title}, predicting {target}: "
        f"{result['epochs_run']} epochs, {result['ended'].replace('_', ' ')}. "
        f"On the test rows: {scores}.\n\n"
        "## Predict\n\n"
        f"```\npip install -r requirements.txt\npython predict.py {rows}\n```\n\n"
        f"writes `{Path(rows).stem}_predictions.csv` beside `{rows}`: its columns, then "
        f"{output}. Any file of rows works, CSV (commas, semicolons or tabs; decimal commas "
        f"too) or Excel (.xlsx), with the columns the model was trained on: {columns} "
        "(others are ignored; a missing value may be left empty). "
        "`--runtime onnx` (the default), `tflite`, `keras` or `savedmodel` chooses which "
        "model file runs; all four give the same predictions.\n\n"
        "## Train again\n\n"
        f"```\npython train.py\n```\n\ntrains the same network in plain pandas, scikit-learn "
        f"and Keras and prints the test metrics; the last line is JSON. {data_line}\n\n"
        "## Files\n\n| file | what it is |\n|---|---|\n"
        f"{table}"
    )


def _file_roles(stem: str, files: dict[str, bytes], task: str) -> list[tuple[str, str]]:
    """(name as shown, what it is) for each file or folder of the bundle that is there."""
    curve = "loss and MAE" if task == "regression" else "loss and accuracy"
    roles = [
        (f"{stem}.keras", "the model with its preprocessing: takes the raw columns (Keras 3)"),
        (f"{stem}.weights.h5", "the network's weights alone, for the model train.py builds"),
        (f"{stem}.onnx", "the network for ONNX Runtime; takes the prepared inputs"),
        (f"{stem}.tflite", "the network for TensorFlow Lite (LiteRT); takes the prepared inputs"),
        (f"{stem}_savedmodel/", "a TensorFlow SavedModel (`tf.saved_model.load`)"),
        ("preprocessing.json", "how predict.py turns raw columns into the prepared inputs"),
        ("predict.py", "predictions for a CSV of new rows"),
        (EXAMPLES, "a few of the test rows, to try predict.py on"),
        ("train.py", "the whole run again, in plain pandas, scikit-learn and Keras"),
        ("data/", "the table the run trained on"),
        ("tensorboard/", "the curves as TensorBoard logs: `tensorboard --logdir tensorboard`"),
        ("experiment.json", "every setting; open it on the app's Export page"),
        ("history.csv", "the metrics after every epoch"),
        (
            "metrics.json",
            "the final metrics on the training and test rows, and two reference models' "
            "(a linear model and boosted trees) on the same test rows",
        ),
        ("curves.html", f"the {curve} curves, for a browser"),
        ("requirements.txt", "what `pip install -r` needs for both scripts"),
    ]
    present = set(files) | {name.split("/")[0] + "/" for name in files if "/" in name}
    return [(name, role) for name, role in roles if name in present]
