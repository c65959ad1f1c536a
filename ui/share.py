"""The experiment in the address bar: restored from the link once per session, written on every run.

A teacher copies the address of any page and sends it; whoever opens it lands
on the same data (a bundled sample is loaded for them) and the same settings. A lesson
link also holds a lesson (``ui.lesson``), which stays in the address bar so a reload
keeps it.
"""

import streamlit as st

from builder.config import load_limits
from builder.errors import DataError, SpecError
from builder.experiment import lesson as rules
from builder.experiment import share
from builder.experiment.spec import Experiment, check_limits
from builder.tables.samples import SAMPLES
from ui import lesson, state
from ui.text import literal

RESTORED = "share_restored"
SENT = "share_sent"  # the query this session last sent to the address bar whole


def restore_from_url() -> None:
    """Open the experiment the link holds (``?x=…`` or ``?preset=…``) and its lesson, once
    per session.

    Call it in app.py after ``state.init_state()``. A bad or forged link shows a
    message and leaves the session as it was.
    """
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    if _open_experiment():
        _open_lesson()
    elif rules.PARAM in st.query_params:
        st.error(
            "The lesson in this link was not applied, since its experiment could not be opened.",
            icon=":material/school:",
        )


def _open_experiment() -> bool:
    """Apply the link's experiment; False when the link holds one that was refused."""
    # An upload kept in the browser's workspace is already back (ui.workspace).
    kept = state.experiment().data.title if state.table() is not None else None
    try:
        experiment = share.from_query(st.query_params)
        if experiment is None:
            return True
        check_limits(experiment, load_limits())
        state.apply_experiment(experiment)
    except (SpecError, DataError) as error:
        st.error(
            literal(f"The experiment in this link could not be opened. {error}"),
            icon=":material/link:",
        )
        return False
    data = experiment.data
    if data.source not in SAMPLES and data.title != kept:
        files = literal(", ".join(data.files) or "your data file")
        st.info(
            f"This link's experiment runs on an uploaded file ({files}). Upload it on the "
            "**Data** page and choose the target again; the link's preprocessing, network "
            "and training settings are kept.",
            icon=":material/link:",
        )
    return True


def _open_lesson() -> None:
    """Put the link's lesson in force, fixing the settings the experiment now has."""
    try:
        found = rules.from_query(st.query_params)
    except SpecError as error:
        st.error(
            literal(
                f"The lesson in this link could not be opened. {error} The app opens without "
                "the lesson's limits."
            ),
            icon=":material/school:",
        )
        return
    if found is not None:
        lesson.begin(found, state.experiment())


def write_to_url() -> None:
    """Put the current experiment into the address bar, so copying the address shares it.

    Call it in app.py after the page ran (in a ``finally``, since a page may stop early).
    """
    experiment = state.experiment()
    wanted = {} if experiment == Experiment() else share.to_query(experiment)
    wanted |= lesson.query()
    # st.query_params is updated before its message leaves, and a rerun requested
    # meanwhile (a second quick edit) drops the message: the server then believes the
    # address bar holds the edit while it does not. What this session last sent whole
    # counts too, so the next run sends it again.
    if dict(st.query_params) != wanted or st.session_state.get(SENT) != wanted:
        st.query_params.from_dict(wanted)
        st.session_state[SENT] = wanted
