"""Column roles, task inference and target checks on real sample tables and crafted ones."""

import pandas as pd
import pytest

from builder.errors import DataError
from builder.tables.columns import (
    default_excluded,
    describe_columns,
    identifier_columns,
    infer_task,
    require_target,
    target_problem,
)
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


def test_titanic_identifiers_are_flagged_and_left_out_by_default():
    frame, _ = load_sample("titanic")
    assert identifier_columns(frame) == ["PassengerId", "Name"]
    assert default_excluded(frame, "Survived") == ["PassengerId", "Name"]
    roles = {c.name: c.role for c in describe_columns(frame, "Survived", ["PassengerId", "Name"])}
    assert roles["PassengerId"] == "identifier"
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
