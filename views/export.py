"""Export page: not built yet; it tells the user what comes first."""

import streamlit as st

from ui import state

st.title("Export")
state.require_table()
st.info("This step is not built yet (Export page (issue 6)).")
