"""Export page: save and open the experiment as JSON, share it as a link, download the script
and the trained model (``ui.export_model``)."""

from urllib.parse import urlencode

import streamlit as st

from builder.config import load_limits
from builder.errors import DataError, SpecError
from builder.experiment import experiment_file, naming, share
from builder.experiment.spec import check_limits
from builder.export.codegen import training_script
from builder.tables.samples import SAMPLES
from ui import boundary, export_model, lesson, lesson_panel, state
from ui.entry import run_through_app
from ui.text import literal

run_through_app()


def open_experiment() -> None:
    """Apply a newly uploaded experiment file (the uploader's callback, before the page runs)."""
    upload = st.session_state.export_upload_json
    if upload is None:
        return
    try:
        experiment = experiment_file.from_json(upload.getvalue())
        check_limits(experiment, load_limits())
        state.apply_experiment(experiment)
    except (SpecError, DataError) as error:
        st.session_state.export_error = literal(f"'{upload.name}' could not be opened. {error}")
        return
    message = (
        f"Opened **{literal(naming.stem(experiment))}**: its data, preprocessing, network, "
        "training."
    )
    if experiment.data.source not in SAMPLES:
        files = literal(", ".join(experiment.data.files) or "its data file")
        message += f" It runs on an uploaded file ({files}): upload it on the **Data** page."
    st.session_state.export_message = message


def open_section() -> None:
    """The uploader that opens an experiment file, and what came of the last one."""
    st.subheader("Open an experiment file")
    st.file_uploader(
        "Experiment file (.json)",
        type=["json"],
        key="export_upload_json",
        on_change=boundary.callback(open_experiment),
        **lesson.controls(
            *lesson.EVERYTHING,
            help_text="A file saved with 'Download the experiment' above. It replaces the data "
            "choice and every setting; a bundled sample is loaded for you.",
        ),
    )
    if message := st.session_state.pop("export_message", None):
        st.success(message, icon=":material/check_circle:")
    if error := st.session_state.pop("export_error", None):
        st.error(error, icon=":material/error:")


st.title("Export & share")
if state.table() is None:
    open_section()
state.require_table()
experiment = state.experiment()
stem = naming.stem(experiment)

st.subheader("Save the experiment")
st.download_button(
    "Download the experiment (.json)",
    experiment_file.to_json(experiment),
    file_name=f"{stem}.json",
    mime="application/json",
    key="export_download_json",
    icon=":material/download:",
    help="Every setting: data choice, target, preprocessing, layers and training. "
    "Open it again below, or send it to someone.",
)

st.subheader("Share a link")
st.code(
    f"{st.context.url or ''}?{urlencode(share.to_query(experiment))}",
    language=None,
    wrap_lines=True,
)
st.caption(
    "Opening this address restores the setup: the same sample, target, preprocessing, "
    "network and training settings (an uploaded file must be uploaded again)."
)
lesson_panel.render(experiment)

st.subheader("Python script")
try:
    script = training_script(experiment, state.table(), st.session_state.reports)
except (SpecError, DataError) as error:
    st.info(literal(error), icon=":material/info:")
else:
    st.download_button(
        "Download the script (.py)",
        script,
        file_name=f"{stem}.py",
        mime="text/x-python",
        key="export_download_script",
        icon=":material/code:",
        help="A standalone pandas + scikit-learn + Keras script that reads the data, "
        "prepares it, builds, trains and evaluates the network with these settings.",
    )
    with st.expander("Show the script", icon=":material/code:", key="export_script_view"):
        st.code(script, language="python")

st.subheader("Trained model")
if state.finished_runs():
    export_model.model_section()
else:
    st.info(
        "Train a model on the **Train** page to download it here. Until then, the script "
        "above trains the same network in plain Keras.",
        icon=":material/hourglass:",
    )
open_section()
