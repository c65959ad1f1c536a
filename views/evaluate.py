"""Evaluate page: not built yet; it tells the user what comes first."""

import streamlit as st

from ui import state

st.title("Evaluate")
state.require_table()
st.info("This step is not built yet (Evaluate page (issue 5)).")
