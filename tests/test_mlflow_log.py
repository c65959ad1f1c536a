"""A run trained by a real pool and kept by the recorder is logged to MLflow, read back with
MlflowClient; a tracking server that cannot be reached costs a warning, quickly.

MLflow 3.17 refuses a file store (``file://``) unless ``MLFLOW_ALLOW_FILE_STORE`` is set,
and its database store needs SQLAlchemy, which mlflow-skinny leaves out: so the tests use
the file store with that opt-out. A host points the app at a tracking server instead.
"""

import dataclasses
import logging
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from builder.experiment import experiment_file
from builder.experiment.presets import preset_experiment
from builder.training import jobs
from builder.workspace import mlflow_log, recorder
from builder.workspace.store import WorkspaceStore
from tests.conftest import ROOT, free_port
from tests.waiting import wait_until

WAIT = 600  # a fresh worker imports TensorFlow first, on a busy machine (load 40 seen)
QUIET = {
    "MLFLOW_ALLOW_FILE_STORE": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def _logged_run(client: MlflowClient):
    """The one run MLflow holds in the app's experiment, once it is complete; else None."""
    experiment = client.get_experiment_by_name(mlflow_log.DEFAULT_EXPERIMENT)
    found = client.search_runs([experiment.experiment_id]) if experiment else []
    return found[0] if found and found[0].info.status == "FINISHED" else None


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """Run 1 of a workspace (iris, 3 epochs) as the app keeps it, its MLflow run and client."""
    uri = f"file://{tmp_path_factory.mktemp('mlflow')}/mlruns"
    store = WorkspaceStore(tmp_path_factory.mktemp("store"))
    with pytest.MonkeyPatch.context() as env:
        for name, value in {**QUIET, mlflow_log.TRACKING_URI: uri}.items():
            env.setenv(name, value)
        pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
        try:
            _, wid, _ = store.open(None)
            experiment = preset_experiment("iris")
            experiment.train.epochs = 3
            live = recorder.start(store, wid, experiment, pool=pool)
            assert live.job.wait(WAIT) and live.saved.wait(WAIT), live.job.error
        finally:
            pool.shutdown()
        (run,) = recorder.runs(store, wid)
        client = MlflowClient(tracking_uri=uri)
        found = wait_until(lambda: _logged_run(client), "the run logged to MLflow", WAIT, 0.2)
        yield run, found, client


def test_a_kept_run_is_logged_with_its_settings(logged):
    run, found, _ = logged
    assert found.info.run_name == run.name == "iris · run 1"
    assert found.data.tags["ended"] == run.result["ended"]
    params = found.data.params
    hidden = run.experiment.network.hidden
    assert params["layers"] == ", ".join(f"{layer.units} {layer.activation}" for layer in hidden)
    assert params["data.source"] == "iris" and params["data.task"] == "multiclass"
    assert params["data.target"] == run.experiment.data.target
    assert params["train.learning_rate"] == str(run.experiment.train.learning_rate)
    assert params["train.epochs"] == "3" and params["prep.scaling"] == run.experiment.prep.scaling
    assert "network.hidden" not in params


def test_every_epoch_and_the_final_scores_are_metrics(logged):
    run, found, client = logged
    assert [r["epoch"] for r in run.history] == [1, 2, 3]
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        history = sorted(client.get_metric_history(found.info.run_id, key), key=lambda m: m.step)
        assert [(m.step, m.value) for m in history] == [(r["epoch"], r[key]) for r in run.history]
        assert run.result["history"][key] == [m.value for m in history]
    for split in ("train", "test"):
        for key, value in run.result["metrics"][split].items():
            assert found.data.metrics[f"{split}_{key}"] == value
    assert found.data.metrics["test_accuracy"] == run.test_metrics["accuracy"]


def test_the_model_experiment_and_tensorboard_logs_are_artifacts(logged, tmp_path):
    run, found, client = logged
    folder = Path(client.download_artifacts(found.info.run_id, "", str(tmp_path)))
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files[:2] == ["experiment.json", "iris-run-1.keras"]
    assert [Path(name).parent.as_posix() for name in files[2:]] == [
        "tensorboard/train",
        "tensorboard/validation",
    ]
    with zipfile.ZipFile(folder / "iris-run-1.keras") as model:
        assert "config.json" in model.namelist()
    assert (folder / "iris-run-1.keras").read_bytes() == run.result["export"]["model.keras"]
    assert experiment_file.from_json((folder / "experiment.json").read_bytes()) == run.experiment


@pytest.fixture(params=["refuses", "never answers"])
def unreachable(request):
    """The URL of a tracking server that refuses connections, or takes them and says nothing."""
    if request.param == "refuses":
        yield f"http://127.0.0.1:{free_port()}"
        return
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        yield f"http://127.0.0.1:{silent.getsockname()[1]}"


def test_an_unreachable_tracking_server_costs_a_warning_within_seconds(
    logged, unreachable, monkeypatch, caplog
):
    run = logged[0]
    for name, value in {
        **QUIET,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "2",
        mlflow_log.TRACKING_URI: unreachable,
    }.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.WARNING, logger=mlflow_log.__name__):
        thread = mlflow_log.log_in_background(run)
        # Ended, not "within N s": with the settings above it ends after one try of at most
        # 2 s, however slow the machine is to get there; were they overridden by the app's
        # defaults (3 tries of 30 s), a server that never answers would hold it past 60 s.
        thread.join(60)
    assert not thread.is_alive()
    (warning,) = [r for r in caplog.records if r.name == mlflow_log.__name__]
    assert warning.getMessage().startswith("Could not log iris · run 1 to MLflow: ")


def test_a_stopped_run_is_logged_a_failed_one_is_not_nor_any_without_a_server(
    logged, monkeypatch, tmp_path
):
    run = logged[0]
    monkeypatch.delenv(mlflow_log.TRACKING_URI, raising=False)
    assert mlflow_log.log_in_background(run) is None
    uri = f"file://{tmp_path}/mlruns"
    for name, value in {**QUIET, mlflow_log.TRACKING_URI: uri}.items():
        monkeypatch.setenv(name, value)
    failed = dataclasses.replace(run, state=jobs.FAILED, result=None, error="it broke")
    assert mlflow_log.log_in_background(failed) is None
    stopped = dataclasses.replace(run, state=jobs.STOPPED)
    mlflow_log.log_in_background(stopped).join(30)
    assert _logged_run(MlflowClient(tracking_uri=uri)).info.run_name == "iris · run 1"


def test_the_server_imports_mlflow_only_to_log_a_run():
    code = (
        "import sys, time; started = time.perf_counter(); import builder.workspace.recorder; "
        "assert 'mlflow' not in sys.modules; t = time.perf_counter(); "
        "from mlflow.tracking import MlflowClient; "
        "print(f'{t - started:.2f} {time.perf_counter() - t:.2f}')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, timeout=300, capture_output=True
    )
    print("import seconds, recorder then mlflow:", done.stdout.decode())
