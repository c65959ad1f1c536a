"""Every data check on a crafted table where it should fire and one where it should not,
and the whole set on the bundled samples."""

import numpy as np
import pandas as pd
import pytest

from builder.tables import checks
from builder.tables.data import read_table
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


def bike_rentals(tmp_path, days: int = 731) -> pd.DataFrame:
    """A file shaped like UCI's bike-sharing day.csv: rentals = casual + registered riders."""
    rng = np.random.default_rng(11)
    temp = rng.uniform(0.05, 0.85, days)
    casual = rng.gamma(2, 400, days).astype(int) + (300 * temp).astype(int)
    registered = rng.normal(3600, 1500, days).clip(20).astype(int) + (800 * temp).astype(int)
    lines = ["instant,season,temp,hum,casual,registered,cnt"] + [
        f"{d + 1},{1 + d // 92 % 4},{temp[d]:.4f},{rng.uniform(0.3, 1):.4f},"
        f"{casual[d]},{registered[d]},{casual[d] + registered[d]}"
        for d in range(days)
    ]
    path = tmp_path / "day.csv"
    path.write_text("\n".join(lines) + "\n")
    return read_table(path.read_bytes(), path.name)[0]


def test_leakage_a_target_that_is_the_sum_of_two_columns(tmp_path):
    frame = bike_rentals(tmp_path)
    correlation = frame.corr()["cnt"].drop("cnt")
    assert correlation.abs().max() < checks.LEAK_CORRELATION  # one column alone does not tell
    found = checks.leakage(frame, "cnt", "regression")
    assert [f.columns for f in found] == [("casual", "registered")]
    assert found[0].title == "'casual' and 'registered' together may leak the answer"
    assert "cnt ≈ 1 × casual + 1 × registered)" in found[0].explanation
    assert checks.leakage(frame.drop(columns="casual"), "cnt", "regression") == []


def test_leakage_a_target_computed_from_three_columns_and_from_many():
    rows = 400
    frame = pd.DataFrame({f"m{i}": RNG.normal(size=rows) for i in range(8)})
    frame["total"] = frame["m1"] + 2 * frame["m4"] - frame["m6"]
    found = checks.leakage(frame, "total", "regression")
    assert [f.columns for f in found] == [("m1", "m4", "m6")]
    frame["total"] = frame[[f"m{i}" for i in range(8)]].sum(axis=1)
    found = checks.leakage(frame, "total", "regression")
    assert found[0].columns == tuple(f"m{i}" for i in range(8))
    frame["total"] += RNG.normal(scale=0.5, size=rows)  # a real relation, not a computed one
    assert checks.leakage(frame, "total", "regression") == []


def test_no_combination_leak_on_the_samples_regression_targets():
    for key, target in (("wine-red", "quality"), ("wages", "wage_per_hour"), ("pima", "BMI")):
        assert checks.leakage(load_sample(key)[0], target, "regression") == [], key
    # Age is computed from the others in the CPS data: years of schooling + experience + 6.
    found = checks.leakage(load_sample("wages")[0], "age", "regression")
    assert found[0].columns == ("education_yrs", "experience_yrs")


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


def test_zeros_on_most_rows_and_zeros_of_a_measured_shape_are_not_missing_codes(tmp_path):
    rng = np.random.default_rng(5)
    rows = 569
    # Census capital loss: 0 for 95% of people. A nucleus's concavity: 0 for a smooth one,
    # and the other values run down towards zero (gamma-shaped, as in the Wisconsin data).
    loss = np.where(rng.random(rows) < 0.95, 0, rng.normal(1900, 350, rows).round())
    concavity = np.concatenate([rng.gamma(1.3, 0.07, rows - 13), np.zeros(13)])
    lines = ["capital_loss,concavity,glucose"] + [
        f"{loss[i]:.0f},{concavity[i]:.6f},{0 if i % 50 == 0 else 60 + i % 140}"
        for i in range(rows)
    ]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join(lines) + "\n")
    frame = read_table(path.read_bytes(), path.name)[0]
    found = checks.missing_codes(frame, None)
    assert [f.title for f in found] == ["'glucose' has 12 value(s) of 0 that may mean 'missing'"]


def test_contiguous_counts_with_zeros_are_not_missing_codes():
    frame = pd.DataFrame({"children": RNG.integers(0, 6, size=500)})
    frame["minutes"] = RNG.integers(0, 300, size=500)
    assert checks.missing_codes(frame, None) == []


def test_numbers_written_as_text_are_found_with_examples_and_the_target_named():
    table = outcome_table(40)
    table["price"] = [f"${value * 1000 + 5000:,.2f}" for value in table["x"]]
    table["share"] = [f"{abs(value) * 10:.0f}%" for value in table["noise"]]
    table["colour"] = ["red", "blue"] * 20  # words: not numbers
    (found,) = checks.written_numbers(table, "outcome")
    assert found.check == "numbers-as-text" and found.columns == ("price", "share")
    assert f"'{table['price'][0]}'" in found.explanation and "%" in found.explanation
    assert "target" not in found.explanation
    (as_target,) = checks.written_numbers(table, "price")
    assert "the target cannot be predicted as a number" in as_target.explanation
    assert checks.written_numbers(outcome_table(40), "outcome") == []


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
