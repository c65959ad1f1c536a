"""Entry point: `streamlit run app.py`. Navigation, session state and the sidebar status."""

import streamlit as st

from ui import sidebar, state

st.set_page_config(page_title="Neural Network Builder", page_icon="🧠", layout="wide")
state.init_state()

pages = [
    st.Page("pages/home.py", title="Start", icon="🏠", default=True),
    st.Page("pages/data.py", title="Data", icon="📄"),
    st.Page("pages/explore.py", title="Explore", icon="🔎"),
    st.Page("pages/build.py", title="Build", icon="🧱"),
    st.Page("pages/train.py", title="Train", icon="📈"),
    st.Page("pages/evaluate.py", title="Evaluate", icon="🎯"),
    st.Page("pages/export.py", title="Export", icon="📦"),
]
current = st.navigation(pages)
sidebar.render_status()
current.run()
