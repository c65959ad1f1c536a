"""`python -m builder inspect`, run as a user runs it: a real subprocess."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,  # a busy machine imports slowly
    )


def test_inspect_json_describes_titanic():
    result = run_cli("inspect", str(SAMPLES / "titanic.csv"), "--target", "Survived", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 891
    assert report["target"] == "Survived"
    assert report["task"] == "binary"
    columns = {c["name"]: c for c in report["columns"]}
    assert len(columns) == 12
    assert columns["Age"]["missing"] == 177
    assert columns["PassengerId"]["role"] == "identifier"
    assert report["files"][0]["delimiter"] == ","


def test_inspect_stacks_several_files():
    files = [str(SAMPLES / "winequality-red.csv"), str(SAMPLES / "winequality-white.csv")]
    result = run_cli("inspect", *files, "--target", "quality", "--json")
    report = json.loads(result.stdout)
    assert report["rows"] == 6497
    assert report["task"] == "regression"
    assert [f["delimiter"] for f in report["files"]] == [";", ";"]
    assert "source" in {c["name"] for c in report["columns"]}


def test_inspect_text_output_names_target_and_task():
    result = run_cli("inspect", str(SAMPLES / "iris.csv"))
    assert result.returncode == 0
    assert "150 rows × 5 columns" in result.stdout
    assert "target: species (multiclass" in result.stdout


def test_bad_input_exits_2_with_one_error_line(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for args in (
        ("inspect", str(empty)),
        ("inspect", str(tmp_path / "missing.csv")),
        ("inspect", str(SAMPLES / "iris.csv"), "--target", "nope"),
        ("inspect",),
    ):
        result = run_cli(*args)
        assert result.returncode == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr


def test_inspect_without_target_proposes_the_last_column_that_can_be_predicted(tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text(
        "age,weight,outcome,visit_id,notes\n"
        + "".join(f"{20 + i % 50},{60 + i % 30}.5,{i % 2},{500 + i},\n" for i in range(40))
    )
    result = run_cli("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert "target: outcome (binary" in result.stdout
    assert "passed over: 'notes' is empty (no values); 'visit_id' is an identifier" in result.stdout
    report = json.loads(run_cli("inspect", str(path), "--json").stdout)
    assert report["target"] == "outcome"
    assert report["target_reason"].startswith("the last column that can be predicted")


def test_inspect_refuses_a_table_with_nothing_left_to_learn_from(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,label\n" + "".join(f"person {i},{'ab'[i % 2]}\n" for i in range(30)))
    result = run_cli("inspect", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: No column is left to learn 'label' from: 'name' is")


def test_inspect_reads_uci_iris_data_without_header_and_obeys_header_yes(tmp_path):
    body = (SAMPLES / "iris.csv").read_text().split("\n", 1)[1]
    path = tmp_path / "iris.data"
    path.write_text(body.replace(",setosa", ",Iris-setosa"))
    report = json.loads(run_cli("inspect", str(path), "--json").stdout)
    assert report["rows"] == 150 and report["files"][0]["header"] is False
    assert report["target"] == "column_5" and report["task"] == "multiclass"
    result = run_cli("inspect", str(path), "--header", "yes", "--target", "Iris-setosa")
    assert result.returncode == 0, result.stderr
    assert "149 rows × 5 columns" in result.stdout
