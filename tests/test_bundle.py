"""The run bundle of an uploaded table, unzipped into an empty folder and used as its README
says: predict.py writes the app's predictions, train.py trains again on the data inside."""

import io
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine

from builder.experiment.defaults import proposed_experiment
from builder.experiment.spec import DataSpec
from builder.export.bundle import REQUIREMENTS, run_files, upload_data, zip_bytes
from builder.export.codegen import training_script
from builder.export.standalone import predict
from builder.markdown import unescaped
from builder.numbers import shown
from builder.tables import written as written_numbers
from builder.tables.data import load_files
from builder.worker import tasks
from builder.worker.formats import convert

ROOT = Path(__file__).resolve().parent.parent
STEM = "wine-lab-run-3"
EPOCHS = 150


def wine_upload() -> tuple[str, bytes]:
    """scikit-learn's wine table as a lab might save it: semicolons, decimal commas, a text
    column with gaps, the class as words."""
    wine = load_wine(as_frame=True)
    frame = wine.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = frame["cultivar"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    frame.insert(0, "cellar", (["north", "south", None, "east"] * 45)[: len(frame)])
    text = frame.to_csv(sep=";", decimal=",", index=False)
    return "wine lab.csv", text.encode()


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory):
    """A trained, converted upload run's bundle, unzipped into an empty folder."""
    name, content = wine_upload()
    frame, reports = load_files([(name, content)])
    experiment = proposed_experiment(frame, DataSpec(source="upload", title=name, files=[name]))
    experiment.name = "wine lab"
    experiment.train.epochs = EPOCHS
    result = tasks.train(frame, experiment)
    converted = convert(result["model_bytes"], result["prep"])
    script = training_script(experiment, frame, reports, bundled=True)
    data = upload_data([(name, content)])
    files = run_files(experiment, result, STEM, script, data, converted, frame)
    folder = tmp_path_factory.mktemp("downloads")
    zipfile.ZipFile(io.BytesIO(zip_bytes(files, folder=STEM))).extractall(folder)
    return folder / STEM, frame, result, files


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """A bundle script as a user runs it: its own folder, a Python that knows nothing of ours."""
    return subprocess.run(
        [sys.executable, "-I", *args], cwd=folder, capture_output=True, text=True, timeout=600
    )


def test_the_bundle_unzips_into_one_folder_named_after_the_run(unzipped):
    folder, _, _, files = unzipped
    assert sorted(p.name for p in folder.parent.iterdir()) == [STEM]
    for name in (f"{STEM}.keras", f"{STEM}.weights.h5", f"{STEM}.onnx", f"{STEM}.tflite"):
        assert (folder / name).is_file(), name
    assert (folder / f"{STEM}_savedmodel" / "saved_model.pb").is_file()
    assert (folder / f"{STEM}.weights.h5").read_bytes()[:4] == b"\x89HDF"
    assert (folder / "data" / "wine lab.csv").read_bytes() == wine_upload()[1]
    assert not any("untitled" in name or name.startswith("model.") for name in files)


def test_predict_py_writes_the_apps_predictions_beside_the_input(unzipped, tmp_path):
    folder, frame, result, _ = unzipped
    rows = frame.loc[result["test_rows"]].drop(columns=["cultivar"])
    new_rows = tmp_path / "new rows.csv"
    rows.to_csv(new_rows, index=False)
    done = run(folder, "predict.py", str(new_rows))
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(tmp_path / "new rows_predictions.csv")
    classes = result["classes"]
    probabilities = written[[f"P({c})" for c in classes]].to_numpy()
    assert np.allclose(probabilities, result["predictions"], atol=1e-4)
    predicted = written["prediction"].tolist()
    assert predicted == [classes[i] for i in probabilities.argmax(axis=1)]
    assert written["cellar"].fillna("").tolist() == rows["cellar"].fillna("").tolist()


def test_predict_py_reads_the_upload_itself_a_workbook_and_utf16_tabs(unzipped, tmp_path):
    folder, frame, result, _ = unzipped
    test_rows = result["test_rows"]
    # The upload as it was: semicolons and decimal commas.
    done = run(folder, "predict.py", "data/wine lab.csv", "--output", str(tmp_path / "all.csv"))
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(tmp_path / "all.csv").loc[test_rows]
    columns = [f"P({c})" for c in result["classes"]]
    assert np.allclose(written[columns].to_numpy(), result["predictions"], atol=1e-4)
    rows = frame.loc[test_rows]
    rows.to_excel(tmp_path / "rows.xlsx", index=False)
    rows.to_csv(tmp_path / "rows.tsv", sep="\t", index=False, encoding="utf-16")
    for name in ("rows.xlsx", "rows.tsv"):
        done = run(folder, "predict.py", str(tmp_path / name))
        assert done.returncode == 0, done.stderr[-3000:]
        written = pd.read_csv(tmp_path / "rows_predictions.csv")
        assert np.allclose(written[columns].to_numpy(), result["predictions"], atol=1e-4), name


def test_predict_py_reads_numbers_written_with_signs_as_the_app_does(unzipped, tmp_path):
    folder, frame, result, _ = unzipped
    rows = frame.loc[result["test_rows"]].drop(columns=["cultivar"])
    rows["proline"] = [f"{value:,.0f} €".replace(",", ".") for value in rows["proline"]]
    rows["magnesium"] = [f"{value:.0f} %" for value in rows["magnesium"]]
    assert "1.0" in " ".join(rows["proline"])  # thousands written with a point
    rows.to_csv(tmp_path / "signs.csv", sep=";", decimal=",", index=False)
    done = run(folder, "predict.py", str(tmp_path / "signs.csv"))
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(tmp_path / "signs_predictions.csv")
    columns = [f"P({c})" for c in result["classes"]]
    assert np.allclose(written[columns].to_numpy(), result["predictions"], atol=1e-4)
    # The app's reading and predict.py's are one rule, kept in two copies.
    for decimal in (".", ","):
        assert predict.written_pattern(decimal) == written_numbers.written_pattern(decimal)
        assert predict.cleaning_pattern(decimal) == written_numbers.cleaning_pattern(decimal)


def test_train_py_trains_again_on_the_data_in_the_bundle(unzipped):
    folder, _, result, _ = unzipped
    done = run(folder, "train.py")
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    # Plain Keras fit() and the app's loop shuffle differently: close, not equal.
    app = result["metrics"]["test"]["accuracy"]
    assert app >= 0.85 and metrics["accuracy"] >= 0.85, (app, metrics)
    assert abs(metrics["accuracy"] - app) <= 0.1


def test_the_readme_says_what_each_file_is(unzipped):
    folder, _, result, files = unzipped
    readme = (folder / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    present = {name.split("/")[0] + ("/" if "/" in name else "") for name in files}
    present.discard("README.md")  # the table is in it
    assert listed == present
    assert "python predict.py example_rows.csv" in readme and "python train.py" in readme
    assert f"accuracy {shown(result['metrics']['test']['accuracy'])}" in readme
    assert "`prediction` (the class) and a `P(<class>)` per class" in readme


def test_predict_py_runs_on_the_example_rows_as_the_readme_says(unzipped):
    folder, _, result, _ = unzipped
    done = run(folder, "predict.py", "example_rows.csv")
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(folder / "example_rows_predictions.csv")
    probabilities = written[[f"P({c})" for c in result["classes"]]].to_numpy()
    assert np.allclose(probabilities, result["predictions"][: len(written)], atol=1e-4)
    assert len(written) == 5


def test_the_requirements_are_the_apps_own(unzipped):
    folder = unzipped[0]
    assert (folder / "requirements.txt").read_text().splitlines() == list(REQUIREMENTS)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert set(REQUIREMENTS) <= set(project)


def test_a_bundle_without_its_data_says_where_to_put_it(unzipped):
    _, frame, result, _ = unzipped
    name, _ = wine_upload()
    experiment = proposed_experiment(frame, DataSpec(source="upload", title=name, files=[name]))
    script = training_script(experiment, frame, bundled=True)
    files = run_files(experiment, result, STEM, script)
    assert not any(name.startswith("data/") for name in files)
    assert "put data/wine lab.csv beside it" in unescaped(files["README.md"].decode())


def readme_snippet() -> str:
    """The README's "In your own Python" code, as printed there."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### In your own Python", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readmes_snippet_predicts_from_columns_read_by_pandas(unzipped, tmp_path):
    folder, frame, result, _ = unzipped
    rows = frame.loc[result["test_rows"]].drop(columns=["cultivar"])
    assert rows["cellar"].isna().any()  # a text column with gaps: object dtype with NaN
    rows.to_csv(tmp_path / "new_rows.csv", index=False)
    (tmp_path / "iris-run-2.keras").write_bytes((folder / f"{STEM}.keras").read_bytes())
    # The snippet exactly as printed, then its answer as JSON for this test to read.
    program = (
        readme_snippet() + "import json\nprint(json.dumps(model.predict(features).tolist()))\n"
    )
    done = run(tmp_path, "-c", program)
    assert done.returncode == 0, done.stderr[-3000:]
    predicted = np.array(json.loads(done.stdout.strip().splitlines()[-1]))
    assert np.allclose(predicted, result["predictions"], atol=1e-4)


def test_predict_py_writes_formula_like_cells_as_text(unzipped, tmp_path):
    folder, frame, result, _ = unzipped
    rows = frame.loc[result["test_rows"][:5]].drop(columns=["cultivar"])
    hostile = ['=HYPERLINK("http://127.0.0.9","x")', "+SUM(1,2)", " @cmd", "-1+2", "north"]
    rows["cellar"] = hostile
    new_rows = tmp_path / "hostile.csv"
    rows.to_csv(new_rows, index=False)
    done = run(folder, "predict.py", str(new_rows))
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(tmp_path / "hostile_predictions.csv")
    # predict.py reads with skipinitialspace, as the app reads a table: " @cmd" is "@cmd".
    assert written["cellar"].tolist() == ["'" + cell.lstrip() for cell in hostile[:4]] + ["north"]
    # Numbers stay numbers (the wine columns and the probabilities), and nothing else moved.
    probabilities = written[[f"P({c})" for c in result["classes"]]]
    assert all(kind == "f" for kind in probabilities.dtypes.map(lambda d: d.kind))
    assert written.drop(columns=["cellar"]).columns.tolist()[: rows.shape[1] - 1] == [
        c for c in rows.columns if c != "cellar"
    ]
