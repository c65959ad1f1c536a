"""The Explore page's caches and its two heavier tabs: relationships and data checks."""

import pandas as pd
import streamlit as st

from builder.errors import DataError
from builder.experiment.spec import DataSpec
from builder.plots import charts
from builder.tables import checks, profile
from ui.text import literal

# Per-session caches: a student's table never lands in a cache other sessions can read.
cached = st.cache_data(scope="session", show_spinner="Computing…", max_entries=16)
summarize = cached(profile.summarize)
histogram = cached(profile.histogram)
category_counts = cached(profile.category_counts)
scatter_sample = cached(profile.scatter_sample)
correlations = cached(profile.correlations)
run_checks = cached(checks.run_checks)


def nothing(value):
    return "(nothing)" if value is None else value


MODES = {"overlay": "Overlaid", "stack": "Stacked", "split": "One chart per group"}
METHODS = {"pearson": "Pearson (straight-line)", "spearman": "Spearman (rank)"}
HELP = {
    "group": f"A column with 2 to {profile.MAX_GROUPS} values, e.g. the wine type (red/white).",
    "mode": "How the groups' bars share the chart.",
    "bins": "How many equal-width bars; whole numbers with a short range get one bar each.",
    "share": "Divide by each group's size, so a small group (red wine) compares fairly.",
    "colour": "Numbers get a colour scale; a column of a few classes gets a colour per class.",
    "method": "Pearson measures straight-line relations; Spearman any steadily rising or "
    "falling one, and is robust to outliers.",
}


def relationships_tab(
    frame: pd.DataFrame,
    numeric: list[str],
    groups: list[str],
    target: str | None,
    task: str,
    data: DataSpec,
) -> None:
    """A scatter plot of two numeric columns, the correlation heatmap, the target's partners."""
    if len(numeric) < 2:
        st.info("Relationships need at least two numeric columns; this table has fewer.")
        return
    left, middle, right = st.columns(3)
    x = left.selectbox("x axis", numeric, key="explore_x", help="A numeric column.")
    y = middle.selectbox("y axis", numeric, key="explore_y", help="A numeric column.")
    colours = [None, *dict.fromkeys(numeric + groups)]
    color = right.selectbox(
        "Colour by", colours, format_func=nothing, key="explore_color", help=HELP["colour"]
    )
    points = scatter_sample(frame, x, y, color)
    st.plotly_chart(charts.scatter_figure(points), key="explore_scatter")
    if points.note:
        st.caption(literal(points.note))
    method = st.radio(
        "Correlation",
        list(METHODS),
        format_func=METHODS.get,
        key="explore_method",
        horizontal=True,
        help=HELP["method"],
    )
    try:
        corr = correlations(frame, method, target, tuple(data.excluded))
    except DataError as error:
        st.info(literal(error))
        return
    matrix, capped = profile.heatmap_view(corr, target)
    st.plotly_chart(charts.correlation_heatmap(matrix, method), key="explore_heatmap")
    if notes := " ".join(note for note in [*corr.notes, capped] if note):
        st.caption(literal(notes))
    strongest = profile.target_correlations(corr, target) if target else None
    if task == "multiclass":
        st.info(
            literal(
                f"'{target}' holds class labels, not amounts: compare distributions split by it."
            )
        )
    elif strongest is not None and not strongest.empty:
        figure = charts.target_correlation_bar(strongest, target, method)
        st.plotly_chart(figure, key="explore_target_corr")


def checks_tab(frame: pd.DataFrame, target: str | None, task: str) -> None:
    """Leakage, identifiers, numbers written as text, constant columns, gaps and missing-value
    codes, each with a fix."""
    st.caption(
        "Looks for leakage, identifiers, numbers written as text, constant columns, gaps and "
        "missing-value codes."
    )
    findings = run_checks(frame, target, task)
    if not findings:
        st.success("No problems found by these checks.", icon=":material/check_circle:")
    for finding in findings:
        show = st.error if finding.check == "leakage" else st.warning
        show(
            f"**{literal(finding.title)}**. {literal(finding.explanation)}\n\n"
            f"**Fix:** {literal(finding.fix)}"
        )
