"""builder.plots.charts: each figure shows the data it is given, in the shared look, and stays small."""

import functools
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from builder.plots import charts
from builder.tables import profile
from builder.tables.samples import load_sample


@functools.cache
def table(key: str) -> pd.DataFrame:
    """A bundled sample, read once for this module (tests do not change it)."""
    return load_sample(key)[0]


def sent(fig: go.Figure) -> dict:
    """The figure as the browser receives it (st.plotly_chart sends plotly.io.to_json)."""
    return json.loads(pio.to_json(fig, validate=False))


def test_every_figure_gets_the_shared_look_and_a_title():
    wine = table("wine")
    titanic = table("titanic")
    summary = profile.summarize(titanic, "Survived")
    corr = profile.correlations(wine, "pearson", "type")
    figures = [
        charts.class_balance_bar(profile.class_balance(wine["type"]), "type"),
        charts.missing_bar(summary.column_table),
        charts.histogram_figure(profile.histogram(wine, "alcohol", 20, "type")),
        charts.category_bar(profile.category_counts(titanic, "Embarked", "Survived")),
        charts.scatter_figure(profile.scatter_sample(wine, "alcohol", "density", "quality")),
        charts.correlation_heatmap(corr.matrix, "pearson"),
        charts.target_correlation_bar(profile.target_correlations(corr, "type"), "type", "pearson"),
    ]
    for fig in figures:
        layout = sent(fig)["layout"]
        assert layout["template"]["layout"]["colorway"] == charts.PALETTE
        assert layout["title"]["text"]
        assert layout["legend"]["xanchor"] == "right"


def test_class_balance_bars_carry_counts_and_shares():
    titanic = table("titanic")
    fig = charts.class_balance_bar(profile.class_balance(titanic["Survived"]), "Survived")
    bar = fig.data[0]
    assert list(bar.x) == ["0", "1"] and list(bar.y) == [549, 342]
    assert list(bar.text) == ["549 (62%)", "342 (38%)"]


def test_missing_bar_lists_only_columns_with_gaps():
    titanic = table("titanic")
    columns = profile.summarize(titanic).column_table
    bar = charts.missing_bar(columns).data[0]
    assert list(bar.y) == ["Embarked", "Age", "Cabin"]
    assert bar.x[-1] == pytest.approx(0.771)


def test_histogram_draws_the_server_side_counts():
    wine = table("wine")
    hist = profile.histogram(wine, "alcohol", 20, "type")
    fig = charts.histogram_figure(hist)
    assert [trace.name for trace in fig.data] == ["0", "1"]
    assert list(fig.data[1].y) == hist.counts["1"].tolist()
    assert fig.layout.barmode == "overlay" and fig.data[0].opacity < 1
    assert np.allclose(fig.data[0].width, np.diff(hist.edges))


def test_histogram_modes_stack_split_and_share():
    wine = table("wine")
    hist = profile.histogram(wine, "alcohol", 20, "type")
    assert charts.histogram_figure(hist, "stack").layout.barmode == "stack"
    split = charts.histogram_figure(hist, "split")
    assert split.data[0].yaxis == "y" and split.data[1].yaxis == "y2"
    assert [a.text for a in split.layout.annotations] == ["type = 0", "type = 1"]
    shares = charts.histogram_figure(hist, share=True)
    assert sum(shares.data[1].y) == pytest.approx(1.0)
    assert shares.layout.yaxis.tickformat == ".0%"


def test_category_bar_stacks_groups_or_sets_them_side_by_side():
    titanic = table("titanic")
    counts = profile.category_counts(titanic, "Embarked", "Survived")
    stacked = charts.category_bar(counts)
    assert stacked.layout.barmode == "stack"
    assert [trace.name for trace in stacked.data] == ["0", "1"]
    assert list(stacked.data[0].y)[-1] == "S"  # the commonest value is drawn at the top
    assert charts.category_bar(counts, stacked=False).layout.barmode == "group"


def test_scatter_colours_by_a_scale_or_by_class():
    wine = table("wine")
    by_quality = charts.scatter_figure(
        profile.scatter_sample(wine, "alcohol", "density", "quality")
    )
    assert len(by_quality.data) == 1
    assert by_quality.data[0].marker.colorscale is not None
    by_type = charts.scatter_figure(profile.scatter_sample(wine, "alcohol", "density", "type"))
    assert [trace.name for trace in by_type.data] == ["0", "1"]
    assert sum(len(trace.x) for trace in by_type.data) == profile.SCATTER_POINTS
    plain = charts.scatter_figure(profile.scatter_sample(wine, "alcohol", "density"))
    assert len(plain.data) == 1 and not plain.layout.showlegend


def test_heatmap_writes_values_on_cells_up_to_a_size():
    wine = table("wine")
    matrix = profile.correlations(wine, "pearson", "type").matrix
    fig = charts.correlation_heatmap(matrix, "pearson")
    heat = fig.data[0]
    assert heat.texttemplate == "%{z:.2f}"
    assert (heat.zmin, heat.zmax) == (-1, 1)
    assert np.asarray(heat.z).shape == (13, 13)
    crowded = charts.correlation_heatmap(matrix, "spearman", values_up_to=5)
    assert crowded.data[0].texttemplate is None
    assert "Spearman" in crowded.layout.title.text


def test_target_bar_colours_each_feature_by_the_sign_of_its_correlation():
    series = pd.Series({"a": -0.7, "b": 0.5, "c": -0.1})
    bar = charts.target_correlation_bar(series, "y", "pearson").data[0]
    assert list(bar.y) == ["c", "b", "a"]  # strongest at the top
    assert list(bar.marker.color) == [charts.NEGATIVE, charts.POSITIVE, charts.NEGATIVE]


def test_figures_of_a_big_table_are_as_small_as_of_a_small_one():
    rng = np.random.default_rng(3)
    big = pd.DataFrame(rng.normal(size=(200_000, 3)), columns=["a", "b", "c"])
    big["g"] = rng.integers(0, 2, len(big))
    small = big.head(2_000)
    for build in (
        lambda f: charts.histogram_figure(profile.histogram(f, "a", 50, "g")),
        lambda f: charts.scatter_figure(profile.scatter_sample(f, "a", "b", "c", max_points=1_000)),
    ):
        big_size = len(pio.to_json(build(big), validate=False))
        assert big_size < 1.2 * len(pio.to_json(build(small), validate=False))
        assert big_size < 100_000


def test_each_confusion_cell_carries_a_clickable_marker_naming_its_classes():
    fig = charts.confusion_figure([[5, 1], [0, 7]], ["no", "yes"], normalised=False)
    heat, cells = fig.data
    assert heat.hoverinfo == "skip"  # the markers answer the hover and the click
    marked = {
        (x, y): tuple(data) for x, y, data in zip(cells.x, cells.y, cells.customdata, strict=True)
    }
    assert marked == {
        ("no", "no"): (0, 0, 5),
        ("yes", "no"): (0, 1, 1),
        ("no", "yes"): (1, 0, 0),
        ("yes", "yes"): (1, 1, 7),
    }
    assert cells.marker.opacity == 0
