"""Entry point: `streamlit run app.py`. Navigation, session state and the sidebar status."""

import streamlit as st

from ui import sidebar, state

st.set_page_config(
    page_title="Neural Network Builder", page_icon=":material/neurology:", layout="wide"
)
state.init_state()

pages = [
    st.Page("pages/home.py", title="Start", icon=":material/home:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table:"),
    st.Page("pages/explore.py", title="Explore", icon=":material/query_stats:"),
    st.Page("pages/build.py", title="Build", icon=":material/stacks:"),
    st.Page("pages/train.py", title="Train", icon=":material/show_chart:"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/target:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
]
current = st.navigation(pages)
sidebar.render_status()
current.run()
