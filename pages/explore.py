"""Explore page: summaries, distributions, relationships and data checks of the loaded table."""

import streamlit as st

from builder.errors import DataError
from builder.plots import charts
from builder.tables import checks, profile
from ui import state
from ui.entry import run_through_app

run_through_app()

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

st.title("Explore")
frame = state.require_table()
data, task = state.experiment().data, state.task()
target = data.target if data.target in frame.columns else None
summary = summarize(frame, target, tuple(data.excluded))
numeric, groups = summary.numeric, summary.groups
features = [name for name in numeric if name != target and name not in data.excluded] or numeric
classes = task in ("binary", "multiclass")
choices = {
    "explore_column": (list(frame.columns), features[0] if features else frame.columns[0]),
    "explore_group": ([None, *groups], target if classes and target in groups else None),
    "explore_mode": (list(MODES), "overlay"),
    "explore_bins": (None, 30),
    "explore_share": (None, False),
    "explore_x": (numeric, features[0] if features else None),
    "explore_y": (numeric, features[min(1, len(features) - 1)] if features else None),
    "explore_color": ([None, *dict.fromkeys(numeric + groups)], target),
    "explore_method": (list(METHODS), "pearson"),
}
for key, (options, default) in choices.items():
    state.keep_choice(key, options, default)

tabs = st.tabs(
    ["Summary", "Distributions", "Relationships", "Checks"], key="explore_tab", on_change="rerun"
)
if tabs[0].open:
    with tabs[0]:
        cells = st.columns(3)
        cells[0].metric("Rows", f"{summary.rows:,}")
        cells[1].metric("Columns", f"{summary.columns} ({len(numeric)} numeric)")
        cells[2].metric("Missing cells", f"{summary.missing_cells:,}")
        if target and classes:
            balance = profile.class_balance(frame[target])
            st.plotly_chart(charts.class_balance_bar(balance, target), key="explore_balance")
            if balance.warning:
                st.warning(balance.warning, icon=":material/balance:")
        elif target in numeric:
            spread = histogram(frame, target, 30)
            st.plotly_chart(charts.histogram_figure(spread), key="explore_target_histogram")
        st.markdown("**Columns**: type, missing values, distinct values and role")
        st.dataframe(summary.column_table, hide_index=True, key="explore_columns")
        if summary.missing_cells:
            st.plotly_chart(charts.missing_bar(summary.column_table), key="explore_missing")
        st.markdown("**Statistics** (`describe()`)")
        if not summary.numeric_stats.empty:
            st.dataframe(summary.numeric_stats, key="explore_numeric_stats")
        if not summary.text_stats.empty:
            st.dataframe(summary.text_stats.astype(str), key="explore_text_stats")
        st.markdown("**First rows**")
        st.dataframe(summary.head, key="explore_head")

if tabs[1].open:
    with tabs[1]:
        left, middle, right = st.columns(3)
        column = left.selectbox(
            "Column", list(frame.columns), key="explore_column", help="The column to draw."
        )
        splits = choices["explore_group"][0]
        group = middle.selectbox(
            "Split by", splits, format_func=nothing, key="explore_group", help=HELP["group"]
        )
        mode = right.radio(
            "Groups",
            list(MODES),
            format_func=MODES.get,
            key="explore_mode",
            help=HELP["mode"],
            disabled=group is None,
        )
        is_number = column in numeric
        bins = left.slider("Bins", 5, 200, key="explore_bins", help=HELP["bins"])
        share = middle.toggle("Share of each group", key="explore_share", help=HELP["share"])
        try:
            if is_number:
                binned = histogram(frame, column, bins, group)
                st.plotly_chart(charts.histogram_figure(binned, mode, share), key="explore_hist")
                if binned.missing:
                    st.caption(f"{binned.missing:,} rows without a value are left out.")
            else:
                counts = category_counts(frame, column, group)
                st.plotly_chart(charts.category_bar(counts, mode == "stack"), key="explore_bars")
        except DataError as error:
            st.error(str(error), icon=":material/error:")

if tabs[2].open:
    with tabs[2]:
        if len(numeric) < 2:
            st.info("Relationships need at least two numeric columns; this table has fewer.")
            st.stop()
        left, middle, right = st.columns(3)
        x = left.selectbox("x axis", numeric, key="explore_x", help="A numeric column.")
        y = middle.selectbox("y axis", numeric, key="explore_y", help="A numeric column.")
        colours = choices["explore_color"][0]
        color = right.selectbox(
            "Colour by", colours, format_func=nothing, key="explore_color", help=HELP["colour"]
        )
        points = scatter_sample(frame, x, y, color)
        st.plotly_chart(charts.scatter_figure(points), key="explore_scatter")
        if points.note:
            st.caption(points.note)
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
            st.info(str(error))
            st.stop()
        matrix, capped = profile.heatmap_view(corr, target)
        st.plotly_chart(charts.correlation_heatmap(matrix, method), key="explore_heatmap")
        if notes := " ".join(note for note in [*corr.notes, capped] if note):
            st.caption(notes)
        strongest = profile.target_correlations(corr, target) if target else None
        if task == "multiclass":
            st.info(
                f"'{target}' holds class labels, not amounts: compare distributions split by it."
            )
        elif strongest is not None and not strongest.empty:
            figure = charts.target_correlation_bar(strongest, target, method)
            st.plotly_chart(figure, key="explore_target_corr")

if tabs[3].open:
    with tabs[3]:
        st.caption(
            "Looks for leakage, identifiers, constant columns, gaps and missing-value codes."
        )
        findings = run_checks(frame, target, task)
        if not findings:
            st.success("No problems found by these checks.", icon="✅")
        for finding in findings:
            show = st.error if finding.check == "leakage" else st.warning
            show(f"**{finding.title}**. {finding.explanation}\n\n**Fix:** {finding.fix}")
