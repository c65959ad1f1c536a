"""Explore page: summaries, distributions and relationships of the loaded table."""

import streamlit as st

from ui import state

st.title("Explore")
frame = state.require_table()
st.info(
    "The Explore page's charts are not built yet (issue 3). Meanwhile, the Data page shows "
    "the columns, their types and missing values."
)
