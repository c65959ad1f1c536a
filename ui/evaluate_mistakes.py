"""The Evaluate page's mistakes: the test rows behind a chosen cell of the confusion matrix."""

import pandas as pd
import streamlit as st

from builder.judging.evaluation import cell_rows, confusion_cells


def show_clicked_cell() -> None:
    """List the rows of the confusion-matrix cell just clicked (the chart's ``on_select``)."""
    points = st.session_state.evaluate_confusion.selection.points
    if points and points[0]["customdata"][2] > 0:  # an empty cell has no rows to list
        true, predicted = points[0]["customdata"][:2]
        st.session_state.evaluate_cell = (int(true), int(predicted))


def render(run, frame: pd.DataFrame, threshold: float) -> None:
    """The test rows behind a cell of the confusion matrix, chosen from a list of its cells."""
    # A regression has no confusion matrix, so no cells to choose from.
    if run.result["task"] == "regression":
        return
    cells = confusion_cells(run.result, threshold)
    names = run.result["classes"]
    cell = st.selectbox(
        "Show the test rows that are",
        list(cells),
        format_func=lambda c: (
            f"true {names[c[0]]}, predicted {names[c[1]]}: "
            f"{cells[c]} row{'s' if cells[c] != 1 else ''}"
        ),
        key="evaluate_cell",
        help="A cell of the confusion matrix: click one on the matrix, or pick it here "
        "(mistakes first, the most frequent first).",
    )
    st.dataframe(
        cell_rows(run.result, frame, cell, threshold),
        key="evaluate_cell_rows",
        column_config={
            "test row": st.column_config.NumberColumn(
                help="Its number on the Inside the network tab, to trace it through the network."
            )
        },
    )
