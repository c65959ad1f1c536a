"""TensorBoard logs of a real run, read back by TensorBoard's own reader and its server."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util

from builder.export.bundle import history_records
from builder.export.tensorboard_logs import event_files
from tests.conftest import ARTIFACTS, ROOT, free_port
from tests.trained import trained_run
from tests.waiting import wait_until

TENSORBOARD = Path(sys.executable).with_name("tensorboard")  # the venv running the tests
WAIT = 120  # TensorBoard imports TensorFlow when it is installed, on a busy machine


@pytest.fixture(scope="module")
def records():
    return history_records(trained_run("iris", 4).result["history"])


@pytest.fixture(scope="module")
def logdir(records, tmp_path_factory):
    """The run's log folder written to disk, as a bundle unpacks it."""
    folder = tmp_path_factory.mktemp("logs")
    for name, content in event_files(records).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder / "tensorboard"


def _float32(values: list[float]) -> list[float]:
    """What TensorBoard keeps of each value (Keras' logs are float32s already)."""
    return [float(np.float32(v)) for v in values]


def _curves(folder: Path) -> dict[str, list[tuple[int, float]]]:
    reader = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    reader.Reload()
    return {
        tag: [
            (e.step, tensor_util.make_ndarray(e.tensor_proto).item()) for e in reader.Tensors(tag)
        ]
        for tag in reader.Tags()["tensors"]
    }


def test_every_epoch_reads_back_as_keras_would_have_logged_it(records, logdir):
    assert sorted(p.name for p in logdir.iterdir()) == ["train", "validation"]
    steps = [r["epoch"] for r in records]
    assert steps == [1, 2, 3, 4]
    train, validation = _curves(logdir / "train"), _curves(logdir / "validation")
    assert set(train) == {"epoch_loss", "epoch_accuracy"}
    assert set(validation) == {"epoch_loss", "epoch_accuracy"}
    for name in ("loss", "accuracy"):
        for curve, key in ((train, name), (validation, f"val_{name}")):
            assert [step for step, _ in curve[f"epoch_{name}"]] == steps
            values = [value for _, value in curve[f"epoch_{name}"]]
            assert values == _float32([r[key] for r in records])


def test_writing_them_imports_no_tensorflow():
    code = (
        "import sys; from builder.export.tensorboard_logs import event_files; "
        "files = event_files([{'epoch': 1, 'loss': 0.5, 'val_loss': 0.6}]); "
        "assert len(files) == 2, files; assert 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=300)


def _poll(server: subprocess.Popen, url: str, count: int):
    """The JSON list at ``url`` once the server answers it with ``count`` items.

    TensorBoard reads the folders and files in a thread of its own, adding runs and points
    one by one: an answer in between holds some of them.
    """

    def answer():
        assert server.poll() is None, "TensorBoard exited; see test-artifacts/"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                found = json.loads(response.read())
        except OSError:
            return None
        return found if len(found) >= count else None

    return wait_until(answer, f"{count} items at {url}", WAIT, 0.5)


def test_tensorboard_serves_the_curves(records, logdir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / f"tensorboard-{port}.log").open("w") as log:
        server = subprocess.Popen(
            [TENSORBOARD, "--logdir", logdir, "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # The runs are listed as soon as their folders are found, their points a moment later.
        assert sorted(_poll(server, f"{base}/data/runs", 2)) == ["train", "validation"]
        for run, prefix in (("train", ""), ("validation", "val_")):
            scalars = f"{base}/data/plugin/scalars/scalars?run={run}&tag=epoch_loss"
            points = _poll(server, scalars, len(records))
            assert [step for _, step, _ in points] == [r["epoch"] for r in records]
            assert [value for _, _, value in points] == _float32(
                [r[f"{prefix}loss"] for r in records]
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
