"""The browser's workspace: a cookie names it, the store keeps it, session state caches it.

On a session's first script run the cookie's token opens the workspace (an unknown or
missing one opens a fresh workspace with a new token) and brings back its uploaded
table and experiment; on every run the session's runs are refreshed when the store
says they changed (another tab, a run that ended) and a run training for this
workspace is followed, whichever tab started it. The token lives only in the cookie
and the server's session state: never in the address bar, so a shared link opens the
experiment but not the work.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging

import pandas as pd
import streamlit as st

from builder.config import load_limits
from builder.errors import BuilderError, DataError, SpecError
from builder.experiment.spec import DataSpec, Experiment, check_limits
from builder.tables.bounded import load_files_bounded
from builder.tables.data import ReadOptions
from builder.training import lineage
from builder.training.runs import CONTINUED, RESTARTED, Run
from builder.workspace import recorder
from builder.workspace.classes import Upload
from builder.workspace.database import DatabaseError
from builder.workspace.store import TOKEN, WorkspaceFull, get_store
from ui import sessions, state

COOKIE = "nnb_workspace"
SAVE_WAIT_SECONDS = 30.0  # a run's result is written within moments of its end
# A student learns that the server is at fault; the host reads which database and why in the log.
NO_DATABASE = "This server cannot reach the database that keeps your work. Tell whoever runs it."
# What a reset keeps: the workspace's identity, and the lesson, which came with the link,
# not with the work.
KEEP = ("workspace_token", "workspace_id", "share_restored", "lesson", "lesson_experiment")


def sync() -> None:
    """Once per script run, in app.py after ``state.init_state()``: open the workspace (first
    run), keep an ended run, refresh the runs if they changed, follow a run in training."""
    try:
        store = get_store()
    except DatabaseError as error:  # NNB_DATABASE_URL is wrong, or its server is down
        logging.getLogger(__name__).error("%s", error)
        st.error(NO_DATABASE)
        st.stop()
    if "workspace_id" not in st.session_state:
        _open(st.context.cookies.get(COOKIE))  # not a str under AppTest: a new workspace
    wid = st.session_state.workspace_id
    sessions.watch(wid)
    collect_run()
    revision = store.revision(wid)
    if revision is None:  # deleted in another tab, or expired: start a new one
        _reset()
        _open(None)
        wid = st.session_state.workspace_id
        revision = store.revision(wid)
    if revision != st.session_state.get("workspace_revision"):
        known = {run.number: run for run in st.session_state.runs}
        st.session_state.runs = recorder.runs(store, wid, known)
        st.session_state.workspace_revision = revision
    job = st.session_state.job
    training = recorder.live(wid)
    if training is not None and (job is None or job.done) and training.job is not job:
        _follow(training)


def _open(token: object) -> None:
    """Open the token's workspace, or a new one; bring back its table and experiment."""
    store = get_store()
    token, wid, fresh = store.open(token)
    st.session_state.workspace_token, st.session_state.workspace_id = token, wid
    st.session_state.workspace_revision = None
    if fresh:
        return
    kept = store.upload(wid)
    if kept is not None:
        # The host's caps may have been lowered since: the table then stays behind.
        with contextlib.suppress(DataError):
            load_upload(*kept)
    experiment = store.saved_experiment(wid)
    if experiment is not None and not _names_kept_table(experiment, kept):
        # Saved for a table that was not kept (a store from before uploads that did not fit
        # were refused): the rows shown must keep their own file's name.
        experiment = dataclasses.replace(experiment, data=state.experiment().data)
    if experiment is not None:
        # It may name columns of a table that could not be read back.
        with contextlib.suppress(SpecError, DataError):
            state.apply_experiment(experiment)
        st.session_state.workspace_experiment = experiment.to_dict()


def _names_kept_table(experiment: Experiment, kept: Upload | None) -> bool:
    """False when ``experiment`` is on an upload other than the kept one (no table kept:
    the pages ask for its file, by its name)."""
    if experiment.data.source != "upload" or kept is None:
        return True
    return [name for name, _ in kept[0]] == list(experiment.data.files)


def _follow(training: recorder.LiveRun) -> None:
    st.session_state.job = training.job
    st.session_state.job_run = training  # the job with its run number and save signal


def collect_run() -> bool:
    """Once the session's job has ended and been written: refresh the runs, and add the
    run to the Train page's comparison, which shows the last few. True when it did."""
    training = st.session_state.get("job_run")
    if training is None or not training.job.done:
        return False
    if st.session_state.get("job_collected") == training.job.id:
        return False
    training.saved.wait(SAVE_WAIT_SECONDS)
    st.session_state.job_collected = training.job.id
    known = {run.number: run for run in st.session_state.runs}
    wid = st.session_state.workspace_id
    st.session_state.runs = recorder.runs(get_store(), wid, known)
    st.session_state.workspace_revision = get_store().revision(wid)
    chosen = [n for n in st.session_state.train_compare_runs if n != training.number]
    _compare([*chosen, training.number][-4:])
    return True


def _compare(numbers: list[int]) -> None:
    """Choose these runs for the Train page's comparison."""
    st.session_state.train_compare_runs = numbers
    st.session_state.pop("train_compare", None)  # its multiselect starts from the choice


def start_training(
    experiment: Experiment,
    table: pd.DataFrame | None,
    resume: Run | None = None,
    start_from: lineage.StartFrom | None = None,
) -> None:
    """Train ``experiment`` as the workspace's next run (or continue ``resume``, or start
    from another run: see ``recorder.start``); the session follows its job.

    Raises:
        BuilderError: the run cannot start, with the reason in words.
    """
    collect_run()  # a run that ended a moment ago is kept before its job is replaced
    wid = st.session_state.workspace_id
    training = recorder.start(
        get_store(),
        wid,
        experiment,
        table,
        abandoned=sessions.end_check(wid),
        resume=resume,
        start_from=start_from,
    )
    _follow(training)


def continue_run(number: int) -> None:
    """Continue an interrupted run from its saved weights (a button callback)."""
    run = _run(number)
    if run is None:
        return
    try:
        start_training(run.experiment, _table_of(run), run)
    except BuilderError as error:
        st.session_state.train_error = str(error)


def continue_from(number: int, extra_epochs: int) -> None:
    """Train run ``number`` on for ``extra_epochs`` more epochs from the weights it kept,
    with the training settings chosen now, as a new run (a button callback)."""
    parent = _run(number)
    if parent is not None:
        experiment = copy.deepcopy(parent.experiment)
        experiment.train = copy.deepcopy(state.experiment().train)
        _start_from(lineage.StartFrom(parent, CONTINUED, extra_epochs), experiment)


def restart_from(number: int) -> None:
    """Train the experiment being edited from the weights run ``number`` started from, as a
    new run, so two settings are compared from one start (a button callback)."""
    parent = _run(number)
    if parent is not None:
        _start_from(lineage.StartFrom(parent, RESTARTED), copy.deepcopy(state.experiment()))


def _start_from(start: lineage.StartFrom, experiment: Experiment) -> None:
    """Start a run from ``start.parent``; a reason it cannot goes to the Train page."""
    try:
        planned, _ = lineage.plan(start, experiment)
        check_limits(planned, load_limits())
        start_training(planned, _table_of(start.parent), start_from=start)
    except BuilderError as error:
        st.session_state.train_error = str(error)


def _run(number: int) -> Run | None:
    return next((run for run in st.session_state.runs if run.number == number), None)


def _table_of(run: Run) -> pd.DataFrame | None:
    """The uploaded table ``run`` trained on (None for a sample, which the worker reads).

    Raises:
        DataError: that table is not loaded.
    """
    table = state.run_table(run)
    if table is None:
        raise DataError(
            f"{run.name} trained on '{run.experiment.data.title}', which is not loaded. "
            "Upload that file again on the Data page, then continue."
        )
    return table if run.experiment.data.source == "upload" else None


def clear_runs() -> None:
    """Forget the workspace's runs (a run in training, never among them, goes on)."""
    numbers = [run.number for run in st.session_state.runs]
    get_store().delete_runs(st.session_state.workspace_id, numbers)
    _compare([])


def load_upload(files: list[tuple[str, bytes]], options: dict, stack_column: str) -> None:
    """Make uploaded files, as the store keeps them, the session's table.

    Raises:
        DataError: the files cannot be read (or no longer fit the host's caps).
    """
    _show_upload(files, *_read_upload(files, options, stack_column))


def take_upload(files: list[tuple[str, bytes]], options: dict, stack_column: str) -> None:
    """Read newly uploaded files (with ``ReadOptions(**options)``), keep them in the
    workspace, and make them the session's table; all of it or, on an error, none.

    A table the workspace cannot keep is refused rather than shown: a reload would
    bring back the table kept before, and the experiment would name the new file.

    Raises:
        DataError: the files cannot be read, or do not fit in the workspace; the session's
            table and the kept one stay as they were.
    """
    frame, reports = _read_upload(files, options, stack_column)
    try:
        get_store().save_upload(st.session_state.workspace_id, files, options, stack_column)
    except WorkspaceFull as full:
        names = ", ".join(name for name, _ in files)
        them = "it" if len(files) == 1 else "them"
        raise DataError(
            f"Not loaded: {names}, as this server could not keep {them} for your browser. "
            f"{full} The table you had stays loaded."
        ) from full
    _show_upload(files, frame, reports)


def read_kept_upload(options: dict, stack_column: str) -> None:
    """Read the kept upload again with other read options (``take_upload``).

    Raises:
        DataError: the files cannot be read so, or the workspace keeps none any more.
    """
    kept = get_store().upload(st.session_state.workspace_id)
    if kept is None:
        raise DataError("This server no longer keeps your table: upload it again.")
    take_upload(kept[0], options, stack_column)


def kept_upload_files() -> list[tuple[str, bytes]]:
    """The files of the upload the workspace keeps (none when it keeps none)."""
    kept = get_store().upload(st.session_state.workspace_id)
    return [] if kept is None else kept[0]


def kept_upload_names() -> list[str] | None:
    """The file names of the upload the workspace keeps, or None."""
    kept = get_store().upload_summary(st.session_state.workspace_id)
    return None if kept is None else kept[0]


def _read_upload(
    files: list[tuple[str, bytes]], options: dict, stack_column: str
) -> tuple[pd.DataFrame, list]:
    options = {**options, "na_values": tuple(options["na_values"])}
    return load_files_bounded(files, ReadOptions(**options), stack_column)


def _show_upload(files: list[tuple[str, bytes]], frame: pd.DataFrame, reports: list) -> None:
    names = [name for name, _ in files]
    state.set_table(
        frame, reports, DataSpec(source="upload", title=", ".join(names), files=names), None
    )
    # Set only when it differs: on the Data page, its radio (already on upload) is drawn.
    if st.session_state.get("data_source_kind") != "upload":
        st.session_state.data_source_kind = "upload"


def save_experiment() -> None:
    """Keep the experiment being edited when it changed (in app.py, after the page ran)."""
    current = state.experiment().to_dict()
    if st.session_state.get("workspace_experiment") != current:
        get_store().save_experiment(st.session_state.workspace_id, state.experiment())
        st.session_state.workspace_experiment = current


def kept_line() -> str:
    """What the server keeps for this browser, how much, and for how long."""
    limits = load_limits()
    used = get_store().usage(st.session_state.workspace_id) / (1024 * 1024)
    return (
        f"Your table, runs and models are kept on this server for this browser "
        f"({used:.1f} MB of {limits.workspace_mb} MB), so a reload, a new tab or a restarted "
        f"server loses nothing. They are deleted {limits.workspace_days} days after your "
        "last visit."
    )


def keep_cookie() -> None:
    """Put the workspace's token in a cookie, so a reload or a new tab finds the workspace.

    Streamlit reads cookies (``st.context.cookies``) but cannot set one, so a line of
    JavaScript does; it is renewed on every run, lasting as long as the server keeps
    the workspace. ``SameSite=Strict``: no other site's page sends it along.
    """
    token = st.session_state.workspace_token
    if not TOKEN.fullmatch(token):  # only tokens the store made may reach the page
        raise ValueError("The workspace token is malformed.")
    seconds = load_limits().workspace_days * 86400
    st.sidebar.html(
        f"<script>document.cookie = '{COOKIE}={token}; Max-Age={seconds}; Path=/; "
        "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def start_fresh() -> None:
    """Forget the table, runs and experiment of this workspace (a button callback)."""
    _stop_training()
    get_store().clear(st.session_state.workspace_id)
    _reset()


def delete_data() -> None:
    """Remove this browser's workspace from the server; a new, empty one takes its place."""
    _stop_training()
    get_store().delete(st.session_state.workspace_id)
    _reset()
    _open(None)


def _stop_training() -> None:
    training = recorder.live(st.session_state.workspace_id)
    if training is not None:
        training.job.stop()


def _reset() -> None:
    """Drop the session's cached table, runs, experiment and widget values."""
    for key in list(st.session_state):
        if key not in KEEP:
            del st.session_state[key]
    state.init_state()
