"""The experiment in the address bar: restored from the link once per session, written on every run.

A teacher copies the address of any page and sends it; whoever opens it lands
on the same data (a bundled sample is loaded for them) and the same settings.
"""

import streamlit as st

from builder.config import load_limits
from builder.errors import DataError, SpecError
from builder.experiment import share
from builder.experiment.spec import Experiment, check_limits
from builder.tables.samples import SAMPLES
from ui import state

RESTORED = "share_restored"


def restore_from_url() -> None:
    """Open the experiment the link holds (``?x=…`` or ``?preset=…``), once per session.

    Call it in app.py after ``state.init_state()``. A bad or forged link shows a
    message and leaves the session as it was.
    """
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    # An upload kept in the browser's workspace is already back (ui.workspace).
    kept = state.experiment().data.title if state.table() is not None else None
    try:
        experiment = share.from_query(st.query_params)
        if experiment is None:
            return
        check_limits(experiment, load_limits())
        state.apply_experiment(experiment)
    except (SpecError, DataError) as error:
        st.error(
            f"The experiment in this link could not be opened. {error}", icon=":material/link:"
        )
        return
    data = experiment.data
    if data.source not in SAMPLES and data.title != kept:
        files = ", ".join(data.files) or "your data file"
        st.info(
            f"This link's experiment runs on an uploaded file ({files}). Upload it on the "
            "**Data** page and choose the target again; the link's preprocessing, network "
            "and training settings are kept.",
            icon=":material/link:",
        )


def write_to_url() -> None:
    """Put the current experiment into the address bar, so copying the address shares it.

    Call it in app.py after the page ran (in a ``finally``, since a page may stop early).
    """
    experiment = state.experiment()
    wanted = {} if experiment == Experiment() else share.to_query(experiment)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
