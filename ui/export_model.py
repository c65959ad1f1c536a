"""The Export page's downloads of a trained run: the .keras model and its weights at once;
ONNX, TensorFlow Lite, the SavedModel and the run bundle once a worker has converted it.

Converting takes a worker a few seconds, so it runs only when asked, as a job in the same
pool as training; the converted files are kept in the session, by the run's job.
"""

import streamlit as st

from builder.config import load_limits
from builder.errors import BuilderError
from builder.experiment import naming
from builder.export.bundle import (
    named_for_run,
    run_files,
    sample_data,
    upload_data,
    zip_bytes,
)
from builder.export.codegen import training_script
from builder.export.prediction import TFJS_UNAVAILABLE
from builder.tables.samples import SAMPLES
from builder.training import jobs
from builder.training.runs import Run
from builder.workspace.store import get_store
from ui import boundary, sessions, state
from ui.text import literal

REFRESH_SECONDS = 0.5


def model_section() -> None:
    """The run chooser, the model downloads, and the other formats with the bundle."""
    run = state.choose_run("export_run", "Every run of this browser that produced a model.")
    stem = naming.run_file_stem(run.experiment, run.number)
    files = run.result["export"]
    _downloads(
        [
            (
                "model",
                "Model (.keras)",
                files["model.keras"],
                f"{stem}.keras",
                "The network with its preprocessing inside: it takes the raw columns.",
            ),
            (
                "weights",
                "Weights only (.weights.h5)",
                files["model.weights.h5"],
                f"{stem}.weights.h5",
                "The weights, for a model built by the script.",
            ),
        ]
    )
    st.caption(
        "Use the model in any Python with TensorFlow: `keras.models.load_model(path)`, then "
        "`model.predict({column: values, ...})` with numbers (NaN where missing) for numeric "
        'columns and text ("" where missing) for the others. See the README.'
    )
    st.markdown("**Other formats and the run bundle**")
    job = st.session_state.export_conversions.get(run.job_id)
    if job is None or job.state in (jobs.FAILED, jobs.STOPPED):
        _offer_conversion(run, job)
    elif not job.done:
        _conversion_progress(run.job_id)
    else:
        _converted_downloads(run, stem, job.result["files"])
    st.caption(TFJS_UNAVAILABLE)


def _offer_conversion(run: Run, failed: jobs.Job | None) -> None:
    if failed is not None:
        st.error(literal(failed.error or "The conversion stopped."), icon=":material/error:")
    st.caption(
        "ONNX (ONNX Runtime), TensorFlow Lite (LiteRT) and a TensorFlow SavedModel, and a "
        "bundle that runs as downloaded: every format, predict.py, train.py and its data."
    )
    if st.button(
        "Prepare the other formats and the bundle",
        key="export_convert",
        icon=":material/sync:",
        help="A worker converts the model; it takes a few seconds.",
    ):
        try:
            # Nobody can fetch the files once every tab of this browser has gone.
            gone = sessions.end_check(st.session_state.workspace_id)
            job = jobs.submit_conversion(run.result, abandoned=gone)
            st.session_state.export_conversions[run.job_id] = job
        except BuilderError as error:
            st.error(literal(error), icon=":material/error:")
            return
        st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
@boundary.guarded
def _conversion_progress(job_id: str) -> None:
    """Redraw while the conversion is queued or runs; rerun the page once it has ended."""
    job = st.session_state.export_conversions[job_id]
    if job.done:
        st.rerun()
    if job.state == jobs.QUEUED:
        st.info(
            f"Waiting for a free worker (position {job.position}).", icon=":material/hourglass:"
        )
    else:
        st.info("Converting the model…", icon=":material/sync:")


def _converted_downloads(run: Run, stem: str, converted: dict[str, bytes]) -> None:
    saved = {k: v for k, v in converted.items() if k.startswith("model_savedmodel/")}
    _downloads(
        [
            (
                "onnx",
                "ONNX (.onnx)",
                converted["model.onnx"],
                f"{stem}.onnx",
                "The network for ONNX Runtime. It takes the prepared inputs: predict.py in "
                "the bundle prepares raw columns for it.",
            ),
            (
                "tflite",
                "TensorFlow Lite (.tflite)",
                converted["model.tflite"],
                f"{stem}.tflite",
                "The network for phones and small boards (LiteRT). It takes the prepared inputs.",
            ),
            (
                "savedmodel",
                "SavedModel (.zip)",
                zip_bytes(named_for_run(saved, stem)),
                f"{stem}_savedmodel.zip",
                "A TensorFlow SavedModel folder, for tf.saved_model.load and TensorFlow "
                "Serving. It takes the raw columns.",
            ),
        ]
    )
    why_not = _why_data_left_out(run)
    with_data = not why_not and st.checkbox(
        "Put the data in the bundle",
        value=True,
        key="export_bundle_data",
        help="train.py reads it from the bundle's data/ folder. Leave it out to share the "
        "model without the table.",
    )
    if why_not:
        st.caption(why_not)
    st.download_button(
        "Run bundle (.zip)",
        _bundle(run, stem, converted, with_data),
        file_name=f"{stem}.zip",
        key="export_download_bundle",
        icon=":material/folder_zip:",
        help="Unzip, pip install -r requirements.txt, then python predict.py "
        "example_rows.csv (or any file of rows) or python train.py. Its README says what "
        "each file is.",
    )


def _downloads(files: list[tuple[str, str, bytes, str, str]]) -> None:
    """Download buttons side by side, each (key, label, bytes, file name, help)."""
    for column, (key, label, content, name, help_text) in zip(
        st.columns(len(files)), files, strict=True
    ):
        column.download_button(
            label,
            content,
            file_name=name,
            key=f"export_download_{key}",
            icon=":material/download:",
            help=help_text,
        )


def _why_data_left_out(run: Run) -> str:
    """Why the run's table can't go in the bundle; "" when it can. Reads no file."""
    data = run.experiment.data
    if data.source in SAMPLES:
        return ""
    kept = get_store().upload_summary(st.session_state.workspace_id)
    if kept is None or kept[0] != list(data.files):
        return "The uploaded file is no longer kept here, so the bundle leaves it out."
    cap = load_limits().max_bundle_data_mb
    if kept[1] > cap * 1_000_000:
        return f"The uploaded file is over this server's {cap} MB bundle limit: left out."
    return ""


def _bundle(run: Run, stem: str, converted: dict, with_data: bool) -> bytes:
    """The bundle's zip, made once per run and data choice in this session."""
    cache = st.session_state.export_bundles
    key = (run.job_id, with_data)
    if key not in cache:
        frame = state.run_table(run)
        # The loaded table's read options, only if it is the run's table.
        reports = st.session_state.reports if frame is not None else None
        script = training_script(run.experiment, frame, reports, bundled=True)
        data = _data_files(run) if with_data else None
        files = run_files(run.experiment, run.result, stem, script, data, converted, frame)
        cache.clear()  # one bundle at a time: each holds the run's models and data
        cache[key] = zip_bytes(files, folder=stem)
    return cache[key]


def _data_files(run: Run) -> dict[str, bytes] | None:
    """The run's table files for the bundle's data/ folder; None if the upload has just gone."""
    source = run.experiment.data.source
    if source in SAMPLES:
        return sample_data(source)
    kept = get_store().upload(st.session_state.workspace_id)
    return upload_data(kept[0]) if kept is not None else None
