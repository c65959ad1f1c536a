"""builder.tables.profile on the bundled sample files and on small crafted tables."""

import numpy as np
import pandas as pd
import pytest

from builder.errors import DataError
from builder.tables import profile
from builder.tables.samples import load_sample


@pytest.fixture(scope="module")
def wine():
    return load_sample("wine")[0]


@pytest.fixture(scope="module")
def pima():
    return load_sample("pima")[0]


@pytest.fixture(scope="module")
def titanic():
    return load_sample("titanic")[0]


def test_summary_of_titanic_shows_shape_types_missing_and_first_rows(titanic):
    summary = profile.summarize(titanic, "Survived", ("PassengerId", "Name"))
    assert (summary.rows, summary.columns) == (891, 12)
    columns = summary.column_table.set_index("name")
    assert columns.loc["Age", "missing"] == 177
    assert columns.loc["Cabin", "missing %"] == pytest.approx(77.1)
    assert columns.loc["Sex", "kind"] == "text"
    assert columns.loc["Survived", "role"] == "target"
    assert columns.loc["Name", "role"] == "identifier"
    assert summary.missing_cells == 177 + 687 + 2
    assert summary.numeric_stats.loc["Age", "count"] == 714
    assert summary.numeric_stats.loc["Fare", "max"] == pytest.approx(512.3292)
    assert summary.text_stats.loc["Sex", "top"] == "male"
    assert summary.head.shape == (10, 12)
    assert "Sex" not in summary.numeric and "Fare" in summary.numeric
    assert {"Survived", "Pclass", "Sex", "Embarked"} <= set(summary.groups)
    assert "Name" not in summary.groups and "Age" not in summary.groups


def test_pima_class_counts_and_the_accuracy_warning(pima):
    balance = profile.class_balance(pima["Outcome"])
    assert balance.counts.to_dict() == {0: 500, 1: 268}
    assert balance.majority == 0
    assert balance.majority_share == pytest.approx(500 / 768)
    assert "65%" in balance.warning and "accuracy" in balance.warning


def test_balanced_iris_gets_no_warning():
    iris = load_sample("iris")[0]
    balance = profile.class_balance(iris["species"])
    assert balance.counts.tolist() == [50, 50, 50]
    assert balance.warning is None


def test_class_balance_of_an_empty_column_is_explained():
    with pytest.raises(DataError, match="no values"):
        profile.class_balance(pd.Series([np.nan, np.nan], name="y"))


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_wine_alcohol_and_density_move_in_opposite_directions(wine, method):
    corr = profile.correlations(wine, method, "type")
    assert corr.matrix.loc["alcohol", "density"] < -0.6
    assert corr.matrix.loc["density", "alcohol"] == corr.matrix.loc["alcohol", "density"]
    assert np.allclose(np.diag(corr.matrix), 1.0)


def test_pearson_matches_pandas_pairwise_with_missing_values(titanic):
    corr = profile.correlations(titanic, "pearson", "Survived")
    expected = titanic[list(corr.matrix.columns)].corr()
    assert np.allclose(corr.matrix.to_numpy(), expected.to_numpy(), atol=1e-10)


def test_pearson_over_several_blocks_of_rows_with_gaps_and_a_large_offset():
    rng = np.random.default_rng(4)
    rows = 2 * profile.CHUNK_ROWS + 123
    x = rng.normal(size=rows)
    frame = pd.DataFrame(
        {"x": x, "offset": 1e6 + x + rng.normal(size=rows), "z": rng.normal(size=rows)}
    )
    frame.loc[rng.random(rows) < 0.1, "x"] = np.nan
    frame.loc[: profile.CHUNK_ROWS, "z"] = np.nan  # the first block has no z at all
    corr = profile.correlations(frame)
    assert np.allclose(corr.matrix.to_numpy(), frame.corr().to_numpy(), atol=1e-9)


def test_spearman_sees_a_curved_rising_relation_that_pearson_understates():
    x = np.linspace(0, 5, 200)
    frame = pd.DataFrame({"x": x, "y": np.exp(x)})
    assert profile.correlations(frame, "spearman").matrix.loc["x", "y"] == pytest.approx(1.0)
    assert profile.correlations(frame, "pearson").matrix.loc["x", "y"] < 0.9


def test_spearman_of_a_big_table_is_computed_on_a_sample_and_says_so():
    rng = np.random.default_rng(1)
    x = rng.normal(size=profile.RANK_ROWS + 1)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(size=len(x))})
    corr = profile.correlations(frame, "spearman")
    assert any("random sample" in note for note in corr.notes)
    exact = frame.corr(method="spearman").loc["x", "y"]
    assert corr.matrix.loc["x", "y"] == pytest.approx(exact, abs=0.01)
    assert not profile.correlations(frame, "pearson").notes


def test_two_valued_text_target_is_encoded_and_constant_columns_left_out():
    frame = pd.DataFrame(
        {
            "dose": [1.0, 2, 3, 4, 5, 6],
            "same": [7] * 6,
            "cured": ["no", "no", "no", "yes", "yes", "yes"],
        }
    )
    corr = profile.correlations(frame, "pearson", "cured")
    assert list(corr.matrix.columns) == ["dose", "cured"]
    assert corr.matrix.loc["dose", "cured"] > 0.8
    assert "'cured' is encoded as 1 = 'yes', 0 = 'no'." in corr.notes
    assert any("never vary: same" in note for note in corr.notes)


def test_correlations_need_two_numeric_columns():
    frame = pd.DataFrame({"x": [1.0, 2, 3], "label": ["a", "b", "c"]})
    with pytest.raises(DataError, match="two numeric columns"):
        profile.correlations(frame)
    with pytest.raises(DataError, match="pearson"):
        profile.correlations(frame, "kendall")


def test_target_correlations_list_the_strongest_features_first(wine):
    corr = profile.correlations(wine, "pearson", "type")
    strongest = profile.target_correlations(corr, "type", top=3)
    assert strongest.index[0] == "total sulfur dioxide" and strongest.iloc[0] < -0.6
    assert list(strongest.abs()) == sorted(strongest.abs(), reverse=True)
    assert "type" not in strongest.index
    assert profile.target_correlations(corr, "no such column").empty


def test_excluded_columns_stay_out_of_the_correlations(titanic):
    corr = profile.correlations(titanic, "pearson", "Survived", ("PassengerId",))
    assert "PassengerId" not in corr.matrix.columns


def test_heatmap_of_many_columns_keeps_the_target_and_its_strongest_features():
    digits = load_sample("digits")[0]
    corr = profile.correlations(digits, "pearson", "target")
    matrix, note = profile.heatmap_view(corr, "target", limit=10)
    assert matrix.shape == (10, 10) and "target" in matrix.columns
    strongest = set(profile.target_correlations(corr, "target", top=9).index)
    assert strongest <= set(matrix.columns)
    assert "10 columns most correlated with 'target'" in note
    assert profile.heatmap_view(corr, None, limit=100) == (corr.matrix, None)


def test_histogram_of_alcohol_split_by_wine_type(wine):
    hist = profile.histogram(wine, "alcohol", 25, "type")
    assert len(hist.edges) == 26
    assert {label: int(c.sum()) for label, c in hist.counts.items()} == {"0": 4898, "1": 1599}
    whole_range = (wine["alcohol"].min(), wine["alcohol"].max())
    red = np.histogram(wine.loc[wine["type"] == 1, "alcohol"], bins=25, range=whole_range)[0]
    assert hist.counts["1"].tolist() == red.tolist()
    assert all(share.sum() == pytest.approx(1.0) for share in hist.shares().values())


def test_whole_numbers_with_a_short_range_get_one_bin_each(wine):
    hist = profile.histogram(wine, "quality", 30)
    assert hist.edges.tolist() == [2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]
    counts = wine["quality"].value_counts().sort_index()
    assert hist.counts["rows"].tolist() == counts.tolist()


def test_histogram_leaves_out_missing_values_and_counts_them(titanic):
    hist = profile.histogram(titanic, "Age", 10)
    assert hist.missing == 177
    assert hist.counts["rows"].sum() == 714


def test_histogram_refuses_text_and_a_group_with_too_many_values(titanic):
    with pytest.raises(DataError, match="bar chart"):
        profile.histogram(titanic, "Sex")
    with pytest.raises(DataError, match="at most 12 values"):
        profile.histogram(titanic, "Age", 10, "Fare")


def test_category_counts_of_embarked_with_missing_and_groups(titanic):
    counts = profile.category_counts(titanic, "Embarked")
    assert counts.table["rows"].to_dict() == {"S": 644, "C": 168, "Q": 77, "(missing)": 2}
    split = profile.category_counts(titanic, "Embarked", "Survived")
    assert list(split.table.columns) == ["0", "1"]
    assert split.table.loc["S"].tolist() == [427, 217]
    assert split.table.to_numpy().sum() == 891


def test_rare_categories_are_lumped_together(titanic):
    counts = profile.category_counts(titanic, "Name", top=5)
    assert len(counts.table) == 6 and counts.other == 886
    assert counts.table.index[-1] == "(886 other values)"
    assert counts.table["rows"].sum() == 891


def test_scatter_keeps_every_row_of_a_small_table(titanic):
    points = profile.scatter_sample(titanic, "Age", "Fare", "Survived")
    assert points.note is None
    assert points.total == 714 and len(points.frame) == 714  # rows without an Age are dropped
    assert list(points.frame.columns) == ["Age", "Fare", "Survived"]


def test_scatter_of_a_big_table_is_a_repeatable_sample_with_a_note():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(20_000, 3)), columns=["a", "b", "c"])
    points = profile.scatter_sample(frame, "a", "b", "c", max_points=1_000)
    assert len(points.frame) == 1_000 and points.total == 20_000
    assert "1,000 of 20,000 rows" in points.note
    again = profile.scatter_sample(frame, "a", "b", "c", max_points=1_000)
    assert points.frame.index.equals(again.frame.index)


def test_scatter_needs_numbers_on_both_axes(titanic):
    with pytest.raises(DataError, match="numbers on both axes"):
        profile.scatter_sample(titanic, "Age", "Sex")
