"""Every data check on a crafted table where it should fire and one where it should not,
and the whole set on the bundled samples."""

import numpy as np
import pandas as pd
import pytest

from builder.tables import checks
from builder.tables.samples import load_sample

RNG = np.random.default_rng(7)


def outcome_table(rows: int = 200) -> pd.DataFrame:
    """An honest table: two noisy measurements and a 0/1 outcome they partly explain."""
    x = RNG.normal(size=rows)
    return pd.DataFrame(
        {
            "x": x,
            "noise": RNG.normal(size=rows),
            "outcome": (x + RNG.normal(size=rows) > 0).astype(int),
        }
    )


def titles(findings) -> list[str]:
    return [finding.title for finding in findings]


def test_every_finding_has_a_title_an_explanation_and_a_fix():
    frame = outcome_table()
    frame["copy"] = frame["outcome"]
    frame["id"] = range(len(frame))
    for finding in checks.run_checks(frame, "outcome", "binary"):
        assert finding.title and finding.explanation and finding.fix
        assert finding.columns and "\n" not in finding.explanation


def test_honest_table_raises_no_finding():
    assert checks.run_checks(outcome_table(), "outcome", "binary") == []


def test_leakage_a_copy_of_the_target():
    frame = outcome_table()
    frame["outcome_copy"] = frame["outcome"]
    frame.loc[0, "outcome_copy"] = 1 - frame.loc[0, "outcome"]  # almost identical
    found = checks.leakage(frame, "outcome", "binary")
    assert titles(found) == ["'outcome_copy' may leak the answer"]
    assert "equals 'outcome' in 99.5% of rows" in found[0].explanation


def test_leakage_a_feature_in_lockstep_with_a_numeric_target():
    frame = outcome_table()
    frame["price"] = frame["x"] * 3 + 1
    frame["price_in_cents"] = frame["price"] * 100 + RNG.normal(scale=0.5, size=len(frame))
    found = checks.leakage(frame, "price", "regression")
    assert [f.columns for f in found] == [("x",), ("price_in_cents",)]
    assert "correlation +1.000" in found[0].explanation


def test_leakage_a_text_column_naming_the_class():
    frame = outcome_table()
    frame["status"] = frame["outcome"].map({0: "alive", 1: "died"})
    found = checks.leakage(frame, "outcome", "binary")
    assert [f.columns for f in found] == [("status",)]
    assert "tells the class of 'outcome' in 100.0% of rows" in found[0].explanation


def test_no_leakage_from_a_column_that_only_matches_the_majority_class():
    # 'flag' equals the target in 99% of rows only because the target is 99% zeros.
    frame = pd.DataFrame({"flag": [0] * 100, "x": range(100), "label": [0] * 99 + [1]})
    assert checks.leakage(frame, "label", "binary") == []
    frame["flag"] = frame["label"]
    assert [f.columns for f in checks.leakage(frame, "label", "binary")] == [("flag",)]


def test_leakage_is_screened_on_a_sample_of_a_big_table_and_confirmed_on_all_rows():
    rows = checks.SCREEN_ROWS + 50_000
    frame = outcome_table(rows)
    frame["leak"] = frame["outcome"].map({0: "no", 1: "yes"})
    found = checks.leakage(frame, "outcome", "binary")
    assert [f.columns for f in found] == [("leak",)]
    assert checks.leakage(frame.drop(columns="leak"), "outcome", "binary") == []


def test_leakage_needs_a_target_and_enough_rows():
    frame = outcome_table()
    frame["copy"] = frame["outcome"]
    assert checks.leakage(frame, None, None) == []
    assert checks.leakage(frame, "missing column", "binary") == []
    assert checks.leakage(frame.head(checks.LEAK_MIN_ROWS - 1), "outcome", "binary") == []


def test_identifier_columns_fire_and_repeated_values_do_not():
    frame = outcome_table(50)
    frame["row_id"] = range(100, 150)
    frame["name"] = [f"person {i}" for i in range(50)]
    found = checks.identifiers(frame, "outcome")
    assert found[0].columns == ("row_id", "name")
    frame["row_id"] = [1, 2] * 25
    frame["name"] = ["a", "b"] * 25
    assert checks.identifiers(frame, "outcome") == []


def test_constant_columns_fire_even_with_gaps_but_not_when_empty_or_varying():
    frame = outcome_table(20)
    frame["country"] = "PT"
    frame["unit"] = [1.0] * 19 + [np.nan]
    frame["empty"] = np.nan
    found = checks.constant_columns(frame, "outcome")
    assert found[0].columns == ("country", "unit")
    assert checks.constant_columns(outcome_table(20), "outcome") == []


def test_heavy_missingness_fires_above_the_threshold_only():
    frame = outcome_table(100)
    frame["often_missing"] = np.where(np.arange(100) < 40, np.nan, 1.0)
    frame["rarely_missing"] = np.where(np.arange(100) < 10, np.nan, 1.0)
    frame["empty"] = np.nan
    found = {f.columns[0]: f for f in checks.heavy_missing(frame)}
    assert set(found) == {"often_missing", "empty"}
    assert found["often_missing"].title == "'often_missing' is missing in 40% of rows"
    assert "was_missing" in found["often_missing"].fix
    assert found["empty"].title == "'empty' is empty"


def test_pima_zeros_in_insulin_and_skin_thickness_are_missing_codes_but_pregnancies_are_not():
    pima = load_sample("pima")[0]
    found = {f.columns[0]: f for f in checks.missing_codes(pima, "Outcome")}
    assert {"Insulin", "SkinThickness", "BloodPressure", "Glucose", "BMI"} == set(found)
    assert found["Insulin"].title == "'Insulin' has 374 value(s) of 0 that may mean 'missing'"
    assert "Pregnancies" not in found and "Outcome" not in found


def test_a_sentinel_code_far_from_the_values_fires_and_an_ordinary_value_does_not():
    ages = RNG.integers(18, 90, size=300).astype(float)
    frame = pd.DataFrame({"age": ages, "score": RNG.integers(0, 1000, size=300)})
    assert checks.missing_codes(frame, None) == []  # 999 may occur among 0..999 scores
    frame.loc[[3, 7, 11], "age"] = -999
    found = checks.missing_codes(frame, None)
    assert [f.title for f in found] == ["'age' has 3 value(s) of -999 that may mean 'missing'"]


def test_contiguous_counts_with_zeros_are_not_missing_codes():
    frame = pd.DataFrame({"children": RNG.integers(0, 6, size=500)})
    frame["minutes"] = RNG.integers(0, 300, size=500)
    assert checks.missing_codes(frame, None) == []


@pytest.mark.parametrize(
    ("key", "target", "task", "expected"),
    [
        ("wine", "type", "binary", []),
        ("iris", "species", "multiclass", []),
        ("titanic", "Survived", "binary", ["identifier", "missing", "missing-code"]),
        ("digits", "target", "multiclass", ["constant"]),
    ],
)
def test_checks_on_the_samples(key, target, task, expected):
    frame = load_sample(key)[0]
    assert [f.check for f in checks.run_checks(frame, target, task)] == expected
