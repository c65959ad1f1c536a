"""The files of a finished run, for download or for a folder: model, script, settings, results."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd

from builder.experiment import experiment_file
from builder.experiment.spec import Experiment
from builder.plots.charts_training import history_figure


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


def run_files(experiment: Experiment, result: dict, script: str) -> dict[str, bytes]:
    """Every file of a run's bundle.

    Args:
        experiment: the experiment the run trained.
        result: the worker's training result (``builder.worker.tasks.train``).
        script: the generated training script (``builder.export.codegen.training_script``).

    Returns:
        model.keras (with preprocessing), model.weights.h5, train.py, experiment.json,
        history.csv, metrics.json and curves.html, as bytes.
    """
    records = history_records(result["history"])
    metrics = {
        "task": result["task"],
        "epochs_run": result["epochs_run"],
        "ended": result["ended"],
        "train": result["metrics"]["train"],
        "test": result["metrics"]["test"],
        "rows": result["rows"],
    }
    return {
        **result["export"],
        "train.py": script.encode(),
        "experiment.json": experiment_file.to_json(experiment).encode(),
        "history.csv": pd.DataFrame(records).to_csv(index=False).encode(),
        "metrics.json": json.dumps(metrics, indent=2).encode(),
        "curves.html": curves_html(records, result["task"]).encode(),
    }


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The files packed in one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
