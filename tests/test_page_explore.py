"""The Explore page driven through AppTest: every tab, its widgets and what they draw."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.text import unescaped

ROOT = Path(__file__).resolve().parent.parent
TABS = ["Summary", "Distributions", "Relationships", "Checks"]
WIDGETS = ["column", "group", "mode", "bins", "share", "x", "y", "color", "method"]


def explore(sample: str) -> AppTest:
    """The app on the Explore page after a sample was loaded from the start page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.button(key=f"home_sample_{sample}").click().run()
    return at.switch_page("pages/explore.py").run()


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["explore_tab"] = label  # what a click on the tab does
    return at.run()


def charts(at: AppTest) -> list[dict]:
    """Every plotly figure on the page, as the browser receives it."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titles(at: AppTest) -> list[str]:
    return [figure["layout"]["title"]["text"] for figure in charts(at)]


def texts(elements) -> list[str]:
    return [unescaped(str(element.value)) for element in elements]


def test_without_data_the_page_says_where_to_load_it():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    assert any("Load a sample or upload a file" in t for t in texts(at.info))


def test_summary_of_pima_shows_shape_balance_warning_statistics_and_first_rows():
    at = explore("pima")
    assert not at.exception
    assert [tab.label for tab in at.tabs] == TABS
    assert [m.value for m in at.metric] == ["768", "9 (9 numeric)", "0"]
    assert chart_titles(at) == ["Class balance of 'Outcome'"]
    assert any("makes up 65% of the rows" in t for t in texts(at.warning))
    # AppTest does not expose a dataframe's key: columns, statistics, first rows, in order.
    columns, statistics, head = (table.value for table in at.dataframe)
    assert list(columns["name"]) == list(at.session_state["table"].columns)
    assert statistics.loc["Glucose", "max"] == 199
    assert head.shape == (10, 9)


def test_summary_of_titanic_draws_missing_values_per_column():
    at = explore("titanic")
    assert "Missing values per column" in chart_titles(at)
    text_statistics = at.dataframe[2].value  # after the columns and the numeric statistics
    assert text_statistics.loc["Sex", "top"] == "male"


def test_wine_distributions_split_by_type_with_bins_and_modes():
    at = open_tab(explore("wine"), "Distributions")
    assert not at.exception
    assert at.selectbox(key="explore_group").value == "type"  # the class target splits
    at.selectbox(key="explore_column").select("alcohol").run()
    at.slider(key="explore_bins").set_value(40).run()
    figure = charts(at)[0]
    assert figure["layout"]["title"]["text"] == "Distribution of 'alcohol' by 'type'"
    assert [trace["name"] for trace in figure["data"]] == ["0", "1"]
    at.radio(key="explore_mode").set_value("split").run()
    at.toggle(key="explore_share").set_value(True).run()
    figure = charts(at)[0]
    assert "yaxis2" in figure["layout"]
    assert figure["layout"]["yaxis"]["tickformat"] == ".0%"
    assert not at.exception


def test_text_column_is_drawn_as_bars():
    at = open_tab(explore("titanic"), "Distributions")
    at.selectbox(key="explore_column").select("Embarked").run()
    assert not at.exception
    assert chart_titles(at) == ["Values of 'Embarked' by 'Survived'"]


def test_relationships_scatter_heatmap_and_strongest_features():
    at = open_tab(explore("wine"), "Relationships")
    at.selectbox(key="explore_x").select("alcohol").run()
    at.selectbox(key="explore_y").select("volatile acidity").run()
    at.selectbox(key="explore_color").select("quality").run()
    assert not at.exception
    assert chart_titles(at) == [
        "'volatile acidity' against 'alcohol', coloured by 'quality'",
        "Pearson correlation between numeric columns",
        "Features most correlated with 'type' (pearson)",
    ]
    assert any("random sample of 5,000 of 6,497 rows" in t for t in texts(at.caption))
    heatmap = charts(at)[1]["data"][0]
    assert heatmap["texttemplate"] == "%{z:.2f}"
    at.radio(key="explore_method").set_value("spearman").run()
    assert chart_titles(at)[1] == "Spearman (rank) correlation between numeric columns"


def test_multiclass_labels_are_not_correlated():
    at = open_tab(explore("iris"), "Relationships")
    assert not at.exception
    assert any("class labels, not amounts" in t for t in texts(at.info))
    assert len(charts(at)) == 2  # scatter and heatmap, no target bar


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("pima", "'Insulin' has 374 value(s) of 0 that may mean 'missing'"),
        ("titanic", "Identifier-like column(s): 'PassengerId', 'Name'"),
    ],
)
def test_checks_tab_shows_findings_with_a_fix(sample, expected):
    at = open_tab(explore(sample), "Checks")
    assert not at.exception
    warnings = texts(at.warning)
    assert any(expected in t and "**Fix:**" in t for t in warnings)


def test_checks_tab_of_clean_wine_says_so():
    at = open_tab(explore("wine"), "Checks")
    assert texts(at.success) == ["No problems found by these checks."]
    assert not at.warning and not at.error


def test_choices_survive_a_visit_to_another_tab_and_widgets_explain_themselves():
    at = open_tab(explore("wine"), "Distributions")
    at.selectbox(key="explore_column").select("density").run()
    open_tab(at, "Checks")
    open_tab(at, "Distributions")
    assert at.selectbox(key="explore_column").value == "density"
    open_tab(at, "Relationships")
    widgets = [*at.selectbox, *at.radio, *at.slider, *at.toggle]
    open_tab(at, "Distributions")
    widgets += [*at.selectbox, *at.radio, *at.slider, *at.toggle]
    keys = {widget.key: widget for widget in widgets}
    assert {f"explore_{name}" for name in WIDGETS} <= set(keys)
    assert all(keys[f"explore_{name}"].help for name in WIDGETS)
    assert not at.exception
