"""Column roles, task inference and target checks on real sample tables and crafted ones."""

import pandas as pd
import pytest

from builder.errors import DataError
from builder.tables.columns import (
    default_excluded,
    default_exclusions,
    describe_columns,
    excluded_for_new_target,
    feature_problem,
    identifier_columns,
    infer_task,
    propose_target,
    require_target,
    target_problem,
    written_number,
)
from builder.tables.data import read_table
from builder.tables.samples import SAMPLES, load_sample


@pytest.mark.parametrize(
    ("sample", "task"),
    [
        ("wine", "binary"),
        ("pima", "binary"),
        ("iris", "multiclass"),
        ("titanic", "binary"),
        ("wages", "regression"),
        ("digits", "multiclass"),
        ("wine-red", "regression"),
    ],
)
def test_each_sample_target_implies_the_documented_task(sample, task):
    frame, _ = load_sample(sample)
    assert infer_task(frame[SAMPLES[sample].target])[0] == task


def test_wine_sample_stacks_red_and_white_with_a_type_column():
    frame, reports = load_sample("wine")
    assert frame.shape == (6497, 13)
    assert frame["type"].value_counts().to_dict() == {0: 4898, 1: 1599}
    assert [r.name for r in reports] == ["winequality-red.csv", "winequality-white.csv"]


def test_titanic_identifiers_and_free_text_are_left_out_by_default():
    frame, _ = load_sample("titanic")
    assert identifier_columns(frame) == ["PassengerId", "Name"]
    # As in the Titanic presets and tutorials: Ticket (681 texts) and Cabin (147 in 204 rows).
    excluded = default_excluded(frame, "Survived")
    assert excluded == ["PassengerId", "Name", "Ticket", "Cabin"]
    roles = {c.name: c.role for c in describe_columns(frame, "Survived", excluded)}
    assert roles["PassengerId"] == "identifier"
    assert roles["Ticket"] == "free text"
    assert roles["Survived"] == "target"
    assert roles["Sex"] == "feature"


def test_measurements_that_happen_to_be_distinct_are_not_identifiers():
    frame = pd.DataFrame({"x": [0.5, 1.25, 2.0, 3.5], "n": [3, 9, 4, 1], "y": [0, 1, 0, 1]})
    assert identifier_columns(frame) == []


def test_an_empty_column_is_left_out():
    frame = pd.DataFrame({"a": [5, 1, 5], "blank": [None, None, None], "y": [0, 1, 0]})
    assert default_excluded(frame, "y") == ["blank"]


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["yes", "no", "yes"], "binary"),
        (["a", "b", "c", "a"], "multiclass"),
        ([1, 2, 3, 1, 2], "multiclass"),
        ([3, 4, 5, 6, 7, 8, 9], "regression"),
        ([0.5, 1.5, 2.25], "regression"),
    ],
)
def test_task_inference(values, task):
    assert infer_task(pd.Series(values, name="y"))[0] == task


def test_a_target_with_one_class_is_refused_with_its_value():
    series = pd.Series(["spam"] * 5, name="label")
    assert "single value ('spam')" in target_problem(series, "binary")
    with pytest.raises(DataError, match="single value"):
        require_target(series.to_frame().assign(x=range(5)), "label", None)


def test_binary_task_on_three_values_and_text_regression_are_refused():
    assert "has 3" in target_problem(pd.Series(["a", "b", "c", "a"], name="y"), "binary")
    assert "holds text" in target_problem(pd.Series(["a", "b", "a"], name="y"), "regression")
    assert target_problem(pd.Series([1.0, 2.5, 3.0], name="y"), "regression") is None


def test_a_class_seen_once_is_refused():
    problem = target_problem(pd.Series(["a", "a", "b", "b", "c"], name="y"), "multiclass")
    assert "'c'" in problem and "only once" in problem


def test_require_target_names_a_missing_column():
    with pytest.raises(DataError, match="no column 'nope'"):
        require_target(pd.DataFrame({"a": [1, 2]}), "nope", None)


def auto_mpg(tmp_path) -> pd.DataFrame:
    """A table shaped like UCI's auto-mpg: a car's name distinct on almost every row."""
    rows = ["mpg,cylinders,origin,car_name"]
    for i in range(398):
        rows.append(f"{15 + i % 23}.5,{4 + 2 * (i % 3)},{1 + i % 3},car model {min(i, 304)}")
    path = tmp_path / "auto-mpg.csv"
    path.write_text("\n".join(rows) + "\n")
    return read_table(path.read_bytes(), path.name)[0]


def test_a_free_text_column_is_left_out_with_its_reason(tmp_path):
    frame = auto_mpg(tmp_path)
    left_out = default_exclusions(frame, "mpg")
    assert list(left_out) == ["car_name"]
    assert left_out["car_name"].reason == "free text (305 distinct texts in 398 rows)"
    # A category with few values stays a feature, however many rows.
    frame["colour"] = ["red", "blue"] * 199
    assert "colour" not in default_excluded(frame, "mpg")


def test_an_identifier_as_last_column_is_left_out_once_the_real_target_is_chosen(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(
        "age,weight,outcome,patient_id\n"
        + "".join(f"{20 + i % 50},{60 + i % 30}.5,{i % 2},{1000 + i}\n" for i in range(60))
    )
    frame = read_table(path.read_bytes(), path.name)[0]
    assert propose_target(frame) == (
        "outcome",
        "the last column that can be predicted; passed over: 'patient_id' is an identifier "
        "(a distinct value names each row)",
    )
    # The user first took the identifier as the target, then the real one.
    assert default_excluded(frame, "patient_id") == []
    assert excluded_for_new_target(frame, "patient_id", "outcome", []) == ["patient_id"]


def test_the_users_own_exclusions_survive_a_new_target(tmp_path):
    frame = auto_mpg(tmp_path)
    frame["serial"] = range(len(frame))
    # The user left 'origin' out and put 'serial' back in, with 'mpg' as the target.
    chosen = ["car_name", "origin"]
    after = excluded_for_new_target(frame, "mpg", "cylinders", chosen)
    assert after == ["origin", "car_name"]
    # The new target is never left out, even when the user had left it out.
    assert "origin" not in excluded_for_new_target(frame, "mpg", "origin", chosen)


def test_a_table_with_no_feature_left_is_refused_with_the_reason():
    frame = pd.DataFrame({"name": [f"n{i}" for i in range(30)], "y": [0, 1] * 15})
    problem = feature_problem(frame, "y", default_excluded(frame, "y"))
    assert "No column is left to learn 'y' from: 'name' is an identifier" in problem
    assert feature_problem(frame, "y", []) is None
    frame["blank"] = None
    assert "'blank' is empty" in feature_problem(frame, "y", ["name"])


def test_propose_target_passes_over_empty_and_single_value_columns():
    frame = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5], "y": ["a", "b", "a", "b"]})
    frame["same"], frame["blank"] = "k", None
    name, reason = propose_target(frame)
    assert name == "y"
    assert "'blank' is empty" in reason and "'same' has a single value" in reason
    assert propose_target(frame[["x", "y"]]) == ("y", "the last column")
    with pytest.raises(DataError, match="No column can be predicted"):
        propose_target(frame[["same", "blank"]])


# A shop's export: prices with a currency sign and thousands separators, discounts in
# percent, a ratio with a decimal comma in a file of decimal points, a date with dots and a
# version number (neither is a number), and the outcome.
ORDERS = """price,discount,ratio,day,version,returned
"$1,275.74",10%,"1,5",12.03.2024,1.2.3,No
$80.00,5 %,"2,25",13.03.2024,1.2.4,Yes
"$12,000.50",0%,"0,5",14.03.2024,1.3.0,No
"-$3.10",12%,"4,75",15.03.2024,2.0.1,No
"""


def test_numbers_written_as_text_are_read_as_numbers_or_left_out_with_a_way_to_use_them():
    frame, report = read_table(ORDERS.encode(), "orders.csv")
    # Written the file's way (decimal points, thousands in threes): read as numbers.
    assert frame["price"].tolist() == [1275.74, 80.0, 12000.5, -3.1]
    assert frame["discount"].tolist() == [10, 5, 0, 12]
    assert report.written == {"price": "$1,275.74", "discount": "10%"}
    assert "read as numbers without their signs and separators: 'price'" in report.describe()
    # Written another way: left out, with the reason.
    left_out = default_exclusions(frame, "returned")
    roles = {name: entry.role for name, entry in left_out.items()}
    assert roles == {
        "ratio": "numbers as text",
        "day": "identifier",  # a distinct text on each of the four rows
        "version": "identifier",
    }
    assert left_out["ratio"].reason == "a column of numbers written as text ('1,5')"
    assert written_number(frame["day"]) is None and written_number(frame["version"]) is None
    # As the target: not a class label per value, and not a number either, until saved as one.
    for task in ("regression", "multiclass"):
        problem = target_problem(frame["ratio"], task)
        assert problem.startswith("'ratio' holds numbers written as text (such as '1,5')")
        assert "save the column as plain numbers" in problem
