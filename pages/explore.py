"""Explore page: summaries, distributions, relationships and data checks of the loaded table."""

import streamlit as st

from builder.errors import DataError
from builder.plots import charts
from builder.tables import profile
from ui import explore_panels, next_step, state
from ui.entry import run_through_app
from ui.explore_panels import HELP, METHODS, MODES, category_counts, histogram, nothing, summarize
from ui.text import literal

run_through_app()

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
                st.warning(literal(balance.warning), icon=":material/balance:")
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
            st.error(literal(error), icon=":material/error:")

if tabs[2].open:
    with tabs[2]:
        explore_panels.relationships_tab(frame, numeric, groups, target, task, data)

if tabs[3].open:
    with tabs[3]:
        explore_panels.checks_tab(frame, target, task)

next_step.render("explore")
