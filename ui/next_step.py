"""The obvious next action at the foot of each page, so nobody has to hunt the sidebar."""

import streamlit as st

# page -> (the next page's file, what the link says, its icon)
NEXT = {
    "data": ("pages/explore.py", "Explore this data", "query_stats"),
    "explore": ("pages/build.py", "Build a network", "stacks"),
    "build": ("pages/train.py", "Train it", "show_chart"),
    "train": ("pages/evaluate.py", "Evaluate the model", "target"),
    "evaluate": ("pages/export.py", "Export it", "download"),
}


def render(page: str) -> None:
    """A divider and a link to the page that follows ``page`` in the app's path."""
    target, label, icon = NEXT[page]
    st.divider()
    st.page_link(target, label=f"Next: {label} →", icon=f":material/{icon}:")
