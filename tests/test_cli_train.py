"""`python -m builder train`: JSON report, saved model, one-line errors on bad input."""

import argparse
import json
import zipfile

import pytest

from builder.cli import main
from builder.cli_train import add_train_parser, run_train
from builder.experiment.presets import preset_experiment
from builder.tables.samples import SAMPLE_DIR


def _train(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="builder")
    add_train_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["train", *argv])
    assert args.func is run_train
    return run_train(args)


def test_preset_report_as_json(capsys):
    assert _train("--preset", "iris", "--epochs", "3", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["preset"] == "iris" and report["task"] == "multiclass"
    assert report["epochs_run"] == 3 and report["train_seconds"] > 0
    assert 0.0 <= report["metrics"]["accuracy"] <= 1.0
    assert report["expected"]["metric"] == "accuracy"
    references = {ref["name"]: ref for ref in report["references"]}
    assert set(references) == {"linear", "boosted_trees"}
    for ref in references.values():
        assert set(ref["scores"]) == {"accuracy", "f1_macro", "kappa"}
        assert ref["rows"] == report["rows"]["train"] and ref["fit_seconds"] > 0
    assert "Linear model (logistic regression)" in references["linear"]["label"]


def test_regression_reports_mse_and_mae(capsys):
    assert _train("--preset", "wages", "--epochs", "2", "--json") == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert metrics["mse"] > 0 and metrics["mae"] > 0


def test_experiment_file_with_its_table_and_a_saved_model(tmp_path, capsys):
    experiment = preset_experiment("pima-deep")
    experiment.data.source, experiment.train.epochs = "upload", 2
    spec = tmp_path / "pima.json"
    spec.write_text(json.dumps(experiment.to_dict()))
    model = tmp_path / "pima.keras"
    data = str(SAMPLE_DIR / "pima-indians-diabetes.csv")
    code = _train("--experiment", str(spec), "--data", data, "--save", str(model))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "pima-deep (binary): 2 epoch(s)" in out.out and "accuracy" in out.out
    assert zipfile.is_zipfile(model)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--preset", "nope"], "no preset named 'nope'"),
        ([], "either --preset"),
        (["--preset", "iris", "--epochs", "zero"], "--epochs must be"),
        (["--experiment", "missing.json"], "missing.json"),
        (["--preset", "iris", "--data", "missing.csv"], "missing.csv"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(argv, words, capsys):
    assert _train(*argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and words in err[0]


def test_bad_experiment_files(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert _train("--experiment", str(broken)) == 2
    upload = tmp_path / "upload.json"
    experiment = preset_experiment("iris")
    experiment.data.source = "upload"
    upload.write_text(json.dumps(experiment.to_dict()))
    assert _train("--experiment", str(upload)) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**experiment.to_dict(), "train": {"optimizer": "magic"}}))
    assert _train("--experiment", str(bad)) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)
    assert "not valid JSON" in errors[0] and "--data" in errors[1] and "magic" in errors[2]


# What the README promises a bundle holds, for the wages preset (named after it).
WAGES_BUNDLE = (
    *("wages.keras", "wages.weights.h5", "wages.onnx", "wages.tflite", "wages_savedmodel"),
    *("predict.py", "preprocessing.json", "example_rows.csv", "train.py", "data"),
    *("requirements.txt", "README.md"),
    *("experiment.json", "history.csv", "metrics.json", "curves.html", "tensorboard"),
)


def test_export_writes_the_run_bundle_into_a_folder(tmp_path, capsys):
    out = tmp_path / "bundle"
    assert main(["export", "--preset", "wages", "--epochs", "2", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["out"] == str(out) and report["epochs_run"] == 2
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(WAGES_BUNDLE)
    written_metrics = json.loads((out / "metrics.json").read_text())
    assert written_metrics["test"] == report["metrics"]
    assert written_metrics["references"] == report["references"]
    assert {ref["name"] for ref in report["references"]} == {"linear", "boosted_trees"}
    assert "r2" in report["references"][0]["scores"]
    assert zipfile.is_zipfile(out / "wages.keras")
    assert (out / "data" / "hourly_wages.csv").is_file()
    compile((out / "train.py").read_text(), "train.py", "exec")


def test_an_exported_upload_trains_again_from_its_file_read_as_the_app_read_it(tmp_path, capsys):
    table = tmp_path / "shop data.csv"
    rows = "".join(f"{i % 7},{i % 3};{'red' if i % 2 else 'blue'};{i % 2}\n" for i in range(40))
    table.write_text("price;colour;bought\n" + rows, encoding="utf-16")  # decimal commas
    out = tmp_path / "bundle"
    assert main(["export", "--data", str(table), "--epochs", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    assert (out / "data" / "shop data.csv").read_bytes() == table.read_bytes()
    script = (out / "train.py").read_text()
    assert 'sep=";"' in script and 'decimal=","' in script and 'encoding="utf-16"' in script
    assert 'DATA_FILE = DATA_DIR / "shop data.csv"' in script


def test_export_needs_a_folder(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["export", "--preset", "wages"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("error: the following arguments are required: --out")


def test_a_table_alone_trains_the_apps_defaults_and_reports_what_it_used(capsys):
    table = str(SAMPLE_DIR / "titanic.csv")
    assert _train("--data", table, "--target", "Survived", "--epochs", "3", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "binary" and report["target"] == "Survived"
    assert report["epochs_run"] == 3
    left_out = {item["column"]: item["reason"] for item in report["left_out"]}
    assert set(left_out) == {"PassengerId", "Name", "Ticket", "Cabin"}
    assert "identifier" in left_out["Name"] and "free text" in left_out["Ticket"]
    assert "Survived" not in report["features"] and "Age" in report["features"]
    assert set(report["features"]).isdisjoint(left_out)
    assert any("Cabin" in warning["title"] for warning in report["warnings"])
    verdict = report["verdict"]
    kinds = ("worse", "no_better", "linear_better", "trees_better", "underfitting")
    assert verdict["kind"] in (*kinds, "overfitting", "unpredicted", "fine")
    assert verdict["headline"] and verdict["reasons"] and verdict["level"]


def test_a_regression_table_reports_r2_and_a_verdict(capsys):
    table = str(SAMPLE_DIR / "hourly_wages.csv")
    assert _train("--data", table, "--target", "wage_per_hour", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "regression" and report["ended"] == "early_stopped"
    assert 0.25 < report["metrics"]["r2"] < 0.5 and report["metrics"]["mse"] > 0
    assert report["verdict"]["kind"] == "fine"


def test_the_command_line_builds_what_the_data_page_builds_for_an_upload():
    from streamlit.testing.v1 import AppTest

    from builder.cli_train import _inputs
    from tests.apptest_helpers import ROOT

    content = (SAMPLE_DIR / "titanic.csv").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.radio(key="data_source_kind").set_value("upload").run()
    at.file_uploader(key="data_upload").set_value(("titanic.csv", content, "text/csv")).run()
    at.selectbox(key="data_target").select("Survived").run()
    assert not at.exception
    args = argparse.Namespace(
        preset=None,
        experiment=None,
        data=[str(SAMPLE_DIR / "titanic.csv")],
        target="Survived",
        epochs=None,
    )
    experiment, _ = _inputs(args)
    app = at.session_state.experiment
    assert experiment.data == app.data
    for part in ("prep", "network", "train"):
        assert getattr(experiment, part) == getattr(app, part), part


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--data", "sample_data/iris.csv", "--target", "petal"], "no column 'petal'"),
        (["--preset", "iris", "--target", "species"], "--target goes with --data alone"),
        (["--data", "missing.csv"], "missing.csv"),
    ],
)
def test_bad_table_input_is_one_error_line(argv, words, capsys):
    assert _train(*argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and words in err[0], err
