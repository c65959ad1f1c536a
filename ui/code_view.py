"""'Show the code': a page's slice of the generated training script, in an expander."""

import streamlit as st

from builder.errors import DataError, SpecError
from builder.export.codegen import script_section
from ui import state
from ui.text import literal


def render(step: str, key: str) -> None:
    """Show the part of the training script that a page's settings write.

    Args:
        step: "data", "build" or "train" (see ``builder.export.codegen.script_section``).
        key: the expander's widget key, prefixed with the page name.
    """
    with st.expander("Show the code", icon=":material/code:", key=key):
        try:
            experiment = state.experiment()
            code = script_section(experiment, step, state.table(), st.session_state.reports)
        except (SpecError, DataError) as error:
            st.info(literal(error), icon=":material/info:")
            return
        st.caption(
            "This step's part of a plain pandas + scikit-learn + Keras script that reproduces "
            "the run. Download the whole script on the **Export** page."
        )
        st.code(code, language="python")
