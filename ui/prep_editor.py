"""Preprocessing controls of the Build page, bound to the experiment's DataSpec and PrepSpec."""

import pandas as pd
import streamlit as st

from builder.experiment.spec import IMPUTERS, SCALINGS, SPLITS, DataSpec, PrepSpec
from ui import state

SCALING_NAMES = {"standard": "standardise (mean 0, sd 1)", "minmax": "min-max (0 to 1)"}


def render(frame: pd.DataFrame, data: DataSpec, prep: PrepSpec, task: str) -> None:
    """Show the columns kept, scaling, encoding, missing values, split and seed controls.

    Args:
        frame: the loaded table (its columns are the choices).
        data: edited in place: the columns left out.
        prep: edited in place: every preprocessing setting.
        task: the task in force (stratifying applies to class tasks only).
    """
    st.caption("Every statistic (means, scales, categories) is fitted on the training split only.")
    options = [c for c in frame.columns if c != data.target]
    state.bind(
        st.multiselect,
        "build_excluded",
        data,
        "excluded",
        "Columns left out of the features",
        options,
        to_widget=lambda columns: [c for c in columns if c in options],
        help="Drop identifiers and columns the model must not see; keep the rest.",
    )
    left, middle, right = st.columns(3)
    state.bind(
        left.selectbox,
        "build_scaling",
        prep,
        "scaling",
        "Scaling",
        SCALINGS,
        format_func=lambda s: SCALING_NAMES.get(s, s),
        help="Puts numeric columns on a similar scale, which helps gradient descent.",
    )
    state.bind(
        middle.selectbox,
        "build_impute",
        prep,
        "impute",
        "Fill missing numbers with",
        IMPUTERS,
        format_func=lambda s: s.replace("_", " "),
        help="The training split's mean, median or most frequent value. Missing text always "
        "gets the most frequent value.",
    )
    state.bind(
        right.checkbox,
        "build_missing_indicator",
        prep,
        "missing_indicator",
        "Add a 'was missing' column",
        help="One 0/1 input per column with missing values, so the network knows a value was filled.",
    )
    state.bind(
        right.checkbox,
        "build_one_hot",
        prep,
        "one_hot",
        "One-hot encode text columns",
        help="One 0/1 input per category. Off: one column of category codes (0, 1, 2, ...).",
    )
    state.bind(
        right.checkbox,
        "build_scale_target",
        prep,
        "scale_target",
        "Standardise the target",
        disabled=task != "regression",
        help="Regression only: the network learns the target as (value - mean) / sd of the "
        "training rows, so it need not learn the target's size first; predictions, metrics "
        "and the downloaded model are turned back into the target's own units. Applies with "
        "a linear output and mse or mae.",
    )
    state.bind(
        left.slider,
        "build_test_size",
        prep,
        "test_size",
        "Test share",
        min_value=0.05,
        max_value=0.9,
        step=0.01,
        help="Share of rows held out to judge the model on data it never trained on.",
    )
    split = state.bind(
        middle.radio,
        "build_split",
        prep,
        "split",
        "Split",
        SPLITS,
        horizontal=True,
        help="random: rows drawn with the seed. ordered: the last rows of the file are the test rows.",
    )
    state.bind(
        right.checkbox,
        "build_stratify",
        prep,
        "stratify",
        "Stratified by class",
        disabled=split == "ordered" or task == "regression",
        help="Keep each class's share the same in the training and test splits.",
    )
    state.bind(
        left.number_input,
        "build_seed",
        prep,
        "seed",
        "Random seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        help="The same seed draws the same split, so runs can be compared and repeated.",
    )
