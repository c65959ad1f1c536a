"""Other model formats and the bundle's predict.py: every preset, every runtime, a fresh Python.

Each preset is trained for one epoch in this process, converted by a real worker (the
``convert`` job), and laid out as a bundle with its run's stem. predict.py then runs in
one isolated Python per runtime, on each preset's test rows as raw CSV columns, and
must give the app's own test predictions.
"""

import json
import runpy
import shutil
import subprocess
import sys

import keras
import numpy as np
import pandas as pd
import pytest

from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import ACTIVATIONS, LayerSpec
from builder.export.prediction import predict_script, preprocessing_json
from builder.tables.data import NA_MARKERS
from builder.tables.prep import FittedPrep
from builder.training import jobs
from builder.worker import formats, tasks
from tests.trained import trained_run

# One preset per sample table and per way of preparing it: the other pima presets differ
# from pima-deep only in layers and activations, and every activation's conversion has a
# test of its own (test_every_activation_the_build_page_offers_converts).
PRESET_KEYS = sorted(
    set(PRESETS) - {"lr-too-high", "lr-too-low", "pima-small", "sigmoid-deep", "wide-overfit"}
)
RUNTIMES = ("onnx", "tflite", "keras", "savedmodel")
WAIT = 300  # the worker imports TensorFlow while this process trains
TOLERANCE = 1e-4

# Runs predict.py as ``python predict.py …`` would, once per case, in this one Python.
PREDICT_ALL = """
import json, runpy, sys
exits = {}
for case in json.load(open(sys.argv[1])):
    sys.argv = ["predict.py", case["rows"], "--runtime", case["runtime"]]
    try:
        runpy.run_path(case["script"], run_name="__main__")
    except SystemExit as end:
        exits[case["preset"]] = end.code
loaded = sorted(m for m in ("tensorflow", "keras", "builder") if m in sys.modules)
print(json.dumps({"exits": exits, "loaded": loaded}))
"""


def _bundle(folder, preset, result, files):
    """A preset's bundle folder, its files named with the run's stem as the bundle names them."""
    stem = f"{preset}-run-1"
    for path, content in {**result["export"], **files}.items():
        target = folder / preset / (stem + path.removeprefix("model"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    (folder / preset / "preprocessing.json").write_bytes(preprocessing_json(result))
    (folder / preset / "predict.py").write_bytes(predict_script())


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Every preset trained, converted through a worker, and predicted with every runtime."""
    folder = tmp_path_factory.mktemp("bundles")
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    try:
        runs, conversions = {}, {}
        for preset in PRESET_KEYS:
            runs[preset] = trained_run(preset, epochs=1)
            # Queued at once: the worker converts while this process trains the next preset.
            conversions[preset] = jobs.submit_conversion(runs[preset].result, pool=pool)
        for preset, job in conversions.items():
            assert job.wait(WAIT), f"{preset}: no conversion within {WAIT} s"
            assert job.state == jobs.FINISHED, f"{preset}: {job.error}"
    finally:
        pool.shutdown()
    for preset, run in runs.items():
        frame = tasks.sample_frame(run.experiment.data.source)
        _bundle(folder, preset, run.result, conversions[preset].result["files"])
        # One copy per runtime: the four run at once, each writing <rows>_predictions.csv.
        for runtime in RUNTIMES:
            rows = frame.loc[run.result["test_rows"]]
            rows.to_csv(folder / preset / f"rows_{runtime}.csv", index=False)
    children = {}
    for runtime in RUNTIMES:
        cases = [
            {
                "preset": p,
                "runtime": runtime,
                "rows": f"{p}/rows_{runtime}.csv",
                "script": f"{p}/predict.py",
            }
            for p in PRESET_KEYS
        ]
        (folder / f"{runtime}.json").write_text(json.dumps(cases))
        # Into files, not pipes: the four run at once and nobody reads a pipe until they end.
        with (
            (folder / f"{runtime}.out").open("w") as out,
            (folder / f"{runtime}.err").open("w") as err,
        ):
            children[runtime] = subprocess.Popen(
                [sys.executable, "-I", "-c", PREDICT_ALL, f"{runtime}.json"],
                cwd=folder,
                stdout=out,
                stderr=err,
            )
    reports = {}
    for runtime, child in children.items():
        assert child.wait(timeout=WAIT) == 0, (folder / f"{runtime}.err").read_text()[-3000:]
        printed = (folder / f"{runtime}.out").read_text()
        reports[runtime] = json.loads(printed.strip().splitlines()[-1])
    return folder, runs, conversions, reports


def _predicted(folder, preset, runtime, result):
    """What predict.py wrote, as the network's outputs, and its predicted labels."""
    table = pd.read_csv(folder / preset / f"rows_{runtime}_predictions.csv")
    if result["task"] == "regression":
        return table[["prediction"]].to_numpy(), None, table
    probabilities = table[[f"P({c})" for c in result["classes"]]].to_numpy()
    return probabilities, table["prediction"].astype(str).tolist(), table


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("preset", PRESET_KEYS)
def test_predict_script_gives_the_app_predictions(preset, runtime, bundles):
    folder, runs, _, reports = bundles
    result = runs[preset].result
    assert reports[runtime]["exits"][preset] == 0
    got, labels, table = _predicted(folder, preset, runtime, result)
    expected = np.array(result["predictions"])
    if expected.shape[1] == 1 and result["task"] != "regression":
        expected = np.hstack([1.0 - expected, expected])  # P(class 0), P(class 1)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= TOLERANCE
    if labels is not None:
        assert labels == [result["classes"][i] for i in expected.argmax(axis=1)]
    rows = pd.read_csv(folder / preset / f"rows_{runtime}.csv")
    assert list(table.columns[: rows.shape[1]]) == list(rows.columns)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_onnx_and_tflite_never_import_tensorflow(runtime, bundles):
    loaded = bundles[3][runtime]["loaded"]
    assert "builder" not in loaded
    assert ("tensorflow" in loaded) == (runtime in ("keras", "savedmodel"))


def test_conversion_files_are_named_for_the_bundle(bundles):
    files = bundles[2]["iris"].result["files"]
    assert files["model.onnx"] and files["model.tflite"]
    assert "model_savedmodel/saved_model.pb" in files
    assert any(path.startswith("model_savedmodel/variables/") for path in files)
    assert all(
        p in ("model.onnx", "model.tflite") or p.startswith("model_savedmodel/") for p in files
    )


def test_every_activation_the_build_page_offers_converts():
    # GELU computes erfc, which ONNX has no operator for: it must still convert.
    experiment = preset_experiment("titanic")  # text columns: the SavedModel's lookups too
    experiment.train.epochs = 1
    experiment.network.hidden = [LayerSpec(units=4, activation=name) for name in ACTIVATIONS]
    result = tasks.train(tasks.sample_frame("titanic"), experiment)
    files = formats.convert(result["model_bytes"], result["prep"])  # checks each one back
    assert {"model.onnx", "model.tflite", "model_savedmodel/saved_model.pb"} <= set(files)


def test_preprocessing_json_is_the_fitted_prep_and_what_the_outputs_mean(bundles):
    runs = bundles[1]
    for preset, kind in (("iris", "softmax"), ("pima-deep", "sigmoid"), ("wages", "value")):
        description = json.loads(preprocessing_json(runs[preset].result))
        assert description["output"] == kind
        fields = {
            k: v for k, v in description.items() if k not in ("version", "output", "onnx_input")
        }
        assert FittedPrep.from_dict(fields) == FittedPrep.from_dict(runs[preset].result["prep"])


def _isolated(args: list[str], folder) -> subprocess.CompletedProcess:
    """``python -I ARGS`` in ``folder``: a Python that knows nothing of the app."""
    return subprocess.run(
        [sys.executable, "-I", *args], cwd=folder, capture_output=True, text=True, timeout=WAIT
    )


def test_predict_script_says_which_column_is_missing(bundles, tmp_path):
    folder = bundles[0]
    rows = pd.read_csv(folder / "titanic" / "rows_onnx.csv").drop(columns=["Age"])
    rows.to_csv(tmp_path / "no_age.csv", index=False)
    done = _isolated([str(folder / "titanic" / "predict.py"), "no_age.csv"], tmp_path)
    assert done.returncode != 0
    assert "lacks column(s) the model was trained on: 'Age'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "no_age_predictions.csv").exists()


def test_predict_script_names_the_package_a_runtime_needs(bundles, tmp_path):
    folder = bundles[0]
    blocked = (  # as in a Python without onnxruntime
        "import runpy, sys; sys.modules['onnxruntime'] = None; sys.argv = sys.argv[1:];"
        "runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    script, rows = folder / "iris" / "predict.py", folder / "iris" / "rows_onnx.csv"
    done = _isolated(["-c", blocked, str(script), str(rows), "--output", "out.csv"], tmp_path)
    assert done.returncode != 0
    assert "pip install onnxruntime" in done.stderr
    assert "Traceback" not in done.stderr


def test_keras_model_takes_read_csv_columns_in_one_line(bundles, tmp_path):
    """The README's line, on pd.read_csv output with a text column holding NaN."""
    folder, runs = bundles[0], bundles[1]
    result = runs["titanic"].result
    frame = tasks.sample_frame("titanic")
    rows = frame.loc[[*result["test_rows"][:20], *frame.index[frame["Embarked"].isna()]]]
    rows.to_csv(tmp_path / "rows.csv", index=False)
    model = keras.models.load_model(folder / "titanic" / "titanic-run-1.keras")
    df = pd.read_csv(tmp_path / "rows.csv")
    assert df["Embarked"].isna().any()
    predicted = model.predict({n: df[n].fillna("").astype(str).to_numpy(object) if t.dtype == "string" else df[n].to_numpy("float32") for n, t in model.input.items()}, verbose=0)  # fmt: skip
    (tmp_path / "network.keras").write_bytes(result["model_bytes"])
    network = keras.models.load_model(tmp_path / "network.keras")
    expected = tasks.predict(network, FittedPrep.from_dict(result["prep"]).transform(df))
    assert np.abs(predicted - expected).max() <= 1e-5


def test_predict_script_says_what_file_is_missing(bundles, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "predict.py").write_bytes(predict_script())
    script = runpy.run_path(str(tmp_path / "predict.py"))
    assert script["main"](["rows.csv"]) == 1
    assert "no preprocessing.json next to predict.py" in capsys.readouterr().err
    shutil.copy(bundles[0] / "iris" / "preprocessing.json", tmp_path)
    assert script["main"](["rows.csv"]) == 1
    assert "There is no file 'rows.csv'" in capsys.readouterr().err
    shutil.copy(bundles[0] / "iris" / "rows_onnx.csv", tmp_path / "rows.csv")
    assert script["main"](["rows.csv", "--runtime", "tflite"]) == 1
    assert "No *.tflite model next to predict.py" in capsys.readouterr().err


def test_predict_script_reads_missing_values_as_the_app_does(tmp_path):
    (tmp_path / "predict.py").write_bytes(predict_script())
    assert runpy.run_path(str(tmp_path / "predict.py"))["NA_MARKERS"] == list(NA_MARKERS)
