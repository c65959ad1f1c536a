"""The exported .keras model, loaded in a fresh Python that imports only keras, numpy and pandas.

It must take the raw columns of the table and give the app's predictions.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from builder.experiment.presets import PRESETS, preset_experiment
from builder.tables.samples import load_sample
from builder.worker import tasks

# The README's contract, run as a user would: only keras, numpy and pandas.
LOAD_AND_PREDICT = """
import json, sys
import keras, numpy as np, pandas as pd
answers = {}
for case in json.load(open(sys.argv[1])):
    model = keras.models.load_model(case["model"])
    table = pd.read_pickle(case["table"]).loc[case["rows"]]
    features = {
        name: table[name].fillna("").astype(str).to_numpy(object)
        if tensor.dtype == "string"
        else table[name].to_numpy("float32")
        for name, tensor in model.input.items()
    }
    answers[case["preset"]] = model.predict(features, verbose=0).tolist()
assert not any(m.startswith("builder") for m in sys.modules)
print(json.dumps(answers))
"""

SAMPLE_PRESETS = sorted(PRESETS)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every preset trained for one epoch, its model loaded and run in one fresh process."""
    folder = tmp_path_factory.mktemp("export")
    cases, results = [], {}
    for preset in SAMPLE_PRESETS:
        experiment = preset_experiment(preset)
        experiment.train.epochs = 1
        frame, _ = load_sample(experiment.data.source)
        result = tasks.train(frame, experiment)
        model, table = folder / f"{preset}.keras", folder / f"{preset}.pkl"
        model.write_bytes(result["export"]["model.keras"])
        frame.to_pickle(table)
        rows = result["test_rows"]
        cases.append({"preset": preset, "model": str(model), "table": str(table), "rows": rows})
        results[preset] = result
    (folder / "cases.json").write_text(json.dumps(cases))
    (folder / "use_model.py").write_text(LOAD_AND_PREDICT)
    run = subprocess.run(
        [sys.executable, str(folder / "use_model.py"), str(folder / "cases.json")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=folder,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return results, json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("preset", SAMPLE_PRESETS)
def test_exported_model_predicts_like_the_app_from_raw_columns(preset, exported):
    results, answers = exported
    predicted, expected = np.array(answers[preset]), np.array(results[preset]["predictions"])
    assert predicted.shape == expected.shape
    assert np.allclose(predicted, expected, atol=1e-5)
    assert results[preset]["export"]["model.weights.h5"][:4] == b"\x89HDF"
