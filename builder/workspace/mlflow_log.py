"""Finished runs logged to an MLflow tracking server, when the host names one.

With ``MLFLOW_TRACKING_URI`` set, every run that ends with a model (finished, early-stopped
or stopped by its student) is logged as an MLflow run named like the app names it
(``iris · run 2``), in the experiment ``MLFLOW_EXPERIMENT_NAME`` (``Neural Network
Builder`` unless set): its settings as parameters, its epochs as metrics (step = epoch),
its train and test scores, and its model, experiment file and TensorBoard logs as artifacts.

Logging never holds up training or a page: it runs on a thread of its own, through an
``MlflowClient`` with explicit run ids (MLflow's active run is global state, and this
server serves many students at once), and a tracking server that fails costs a warning in
the server's log, nothing more. mlflow is imported only when a run is logged (about 0.8 s).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

from builder.experiment import experiment_file
from builder.experiment.naming import run_file_stem
from builder.experiment.spec import LayerSpec
from builder.export.tensorboard_logs import event_files
from builder.training import jobs
from builder.training.runs import Run

TRACKING_URI = "MLFLOW_TRACKING_URI"
EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME"
DEFAULT_EXPERIMENT = "Neural Network Builder"
WITH_MODEL = (jobs.FINISHED, jobs.STOPPED)
# MLflow's settings where a classroom server needs other defaults (a host's own win). A
# link printed per run is noise in a server's output; MLflow's usage telemetry would send
# a school's server's data to a third party nobody asked; and MLflow retries a request 7
# times with backoff, each waiting up to 120 s, to outlast rate limits: against a tracking
# server that is down, each finished run would keep a thread for minutes.
MLFLOW_DEFAULTS = {
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}
# MLflow's limits (mlflow.utils.validation), copied so that checking them imports nothing.
MAX_PARAM_LENGTH = 6000
METRICS_PER_BATCH = 1000
# In a run's history but not a metric: the epoch is the step, the seconds its time.
NOT_METRICS = ("epoch", "seconds")

_log = logging.getLogger(__name__)


def log_in_background(run: Run) -> threading.Thread | None:
    """Log ``run`` on a thread of its own, if the host set ``MLFLOW_TRACKING_URI`` and the
    run ended with a model.

    Returns:
        The logging thread (a daemon), or None when there is nothing to log.
    """
    uri = os.environ.get(TRACKING_URI, "").strip()
    if not uri or run.state not in WITH_MODEL or not run.result:
        return None
    thread = threading.Thread(
        target=log_run, args=(run, uri), name=f"nnb-mlflow-{run.number}", daemon=True
    )
    thread.start()
    return thread


def log_run(run: Run, uri: str) -> str | None:
    """Log a run that ended with a model to the tracking server at ``uri``; never raises.

    Returns:
        The MLflow run's id, or None when logging failed (a warning in the log says why;
        a run created before the failure is marked failed).
    """
    client, run_id = None, None
    try:
        for setting, default in MLFLOW_DEFAULTS.items():
            os.environ.setdefault(setting, default)  # read by MLflow on import and each request
        from mlflow.tracking import MlflowClient  # imported here: only a host who logs pays

        client = MlflowClient(tracking_uri=uri)
        name = os.environ.get(EXPERIMENT_NAME, "").strip() or DEFAULT_EXPERIMENT
        created = client.create_run(
            _experiment_id(client, name),
            run_name=run.name,
            tags={"ended": run.result["ended"], "kept_epoch": str(run.result["kept_epoch"])},
        )
        run_id = created.info.run_id
        _log_contents(client, run_id, run)
        client.set_terminated(run_id)
        return run_id
    except Exception as error:  # whatever the server or network did, the app goes on
        _log.warning("Could not log %s to MLflow: %s", run.name, error)
        if run_id is not None:
            with contextlib.suppress(Exception):
                client.set_terminated(run_id, "FAILED")
        return None


def params(run: Run) -> dict[str, str]:
    """The run's settings as MLflow parameters: ``train.learning_rate``, ``layers`` …

    Dotted names as in ``experiment.json``; the hidden layers as one ``layers`` value;
    ``data.task`` the task trained (detected when the experiment left it open). Values are
    cut to MLflow's limit; the full settings are the ``experiment.json`` artifact.
    """
    settings = run.experiment.to_dict()
    flat: dict[str, object] = {"experiment.name": settings["name"]}
    for part in ("data", "prep", "network", "train"):
        for name, value in settings[part].items():
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            flat[f"{part}.{name}"] = value
    del flat["network.hidden"]
    flat["layers"] = layers_param(run.experiment.network.hidden)
    flat["data.task"] = run.result["task"]
    return {key: str(value)[:MAX_PARAM_LENGTH] for key, value in flat.items()}


def layers_param(hidden: list[LayerSpec]) -> str:
    """The hidden layers in one line: ``16 relu, 8 relu dropout 0.2``; ``none`` without."""
    shown = []
    for layer in hidden:
        extras = [
            f"{name} {getattr(layer, name):g}"
            for name in ("dropout", "l1", "l2")
            if getattr(layer, name)
        ]
        shown.append(" ".join([f"{layer.units} {layer.activation}", *extras]))
    return ", ".join(shown) or "none"


def _experiment_id(client, name: str) -> str:
    """The id of the MLflow experiment ``name``, created when it does not exist yet."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(name)
    except Exception:
        found = client.get_experiment_by_name(name)  # another run's thread created it first
        if found is None:
            raise
        return found.experiment_id


def _log_contents(client, run_id: str, run: Run) -> None:
    """Parameters, metrics and artifacts of ``run`` into the MLflow run ``run_id``."""
    from mlflow.entities import Metric, Param

    now = time.time()
    started = now - run.seconds  # about when training started; epochs are timed from it
    metrics = [
        Metric(key, float(value), int((started + record.get("seconds", 0)) * 1000), record["epoch"])
        for record in run.history
        for key, value in record.items()
        if key not in NOT_METRICS
    ]
    metrics += [
        Metric(f"{split}_{key}", float(value), int(now * 1000), 0)
        for split in ("train", "test")
        for key, value in run.result["metrics"][split].items()
    ]
    # The settings are some 35 parameters, within one batch's 100.
    client.log_batch(run_id, params=[Param(k, v) for k, v in params(run).items()])
    for start in range(0, len(metrics), METRICS_PER_BATCH):
        client.log_batch(run_id, metrics=metrics[start : start + METRICS_PER_BATCH])
    files = {
        f"{run_file_stem(run.experiment, run.number)}.keras": run.result["export"]["model.keras"],
        "experiment.json": experiment_file.to_json(run.experiment).encode(),
        **event_files(run.history, started),
    }
    with tempfile.TemporaryDirectory(prefix="nnb-mlflow-") as folder:
        for name, content in files.items():
            path = Path(folder, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        client.log_artifacts(run_id, folder)
