"""The Train page's live progress of a job and the runs kept in the browser's workspace."""

import streamlit as st

from builder.numbers import shown
from builder.plots.charts_training import comparison_figure, grown_history_figure, metric_label
from builder.training import jobs
from builder.training.playback import horizon
from builder.training.progress import (
    PAUSED,
    PAUSING,
    QUEUED,
    REPLAYING,
    STARTING,
    STOPPING,
    TRAINING,
    Progress,
    progress,
)
from builder.training.runs import Run, curve_keys, differences, runs_table
from builder.workspace import recorder
from ui import boundary, state, workspace
from ui.text import literal

# The runs table's (sprintf) format of ``shown``: four significant digits.
SHOWN = "%.4g"


def _status(job: jobs.Job, view: Progress) -> None:
    if view.state == QUEUED:
        position = view.position
        ahead = f", {position - 1} run(s) ahead" if position and position > 1 else ""
        st.info(f"Queued, position {position}{ahead}. It starts as soon as a worker is free.")
        return
    parts = [f"Epoch {view.epoch} of {view.planned}", f"{view.elapsed:.1f} s elapsed"]
    eta = job.eta() if view.state == TRAINING and not view.ahead else None
    if eta is not None and job.may_end_early:
        parts.append(f"up to {eta:.0f} s left (early stopping may end it sooner)")
    elif eta is not None:
        parts.append(f"about {eta:.0f} s left")
    elif view.state == STARTING:
        parts.append("preparing the data and building the network")
    elif view.state == REPLAYING:
        parts.append(f"replayed at a watchable pace: the run has ended, {view.ahead} to draw")
    elif view.ahead:
        parts.append(f"drawn at a watchable pace, {view.ahead} epoch(s) behind the run")
    st.caption(" · ".join(parts))
    st.progress(view.share)
    _state_message(job, view)


def _state_message(job: jobs.Job, view: Progress) -> None:
    """What the run's state asks of the student, or what it achieved."""
    if view.state == STOPPING:
        st.info(
            "Stopping… The network is still being built: the run ends after its first epoch."
            if view.epoch == job.epochs_before
            else "Stopping… The run ends after the epoch in progress.",
            icon=":material/hourglass_top:",
        )
    elif view.state == PAUSING:
        st.info("Pausing after the epoch in progress…", icon=":material/hourglass_top:")
    elif view.state == PAUSED:
        st.info(
            f"Paused after epoch {view.epoch}. Step one epoch, resume, or stop.",
            icon=":material/pause_circle:",
        )
    elif view.state in (jobs.FAILED, jobs.INTERRUPTED):
        st.error(literal(job.error), icon=":material/error:")
    elif view.state == jobs.STOPPED and job.result is None:
        st.warning(
            "Stopped after 0 epochs, before it started: nothing was trained.",
            icon=":material/pan_tool:",
        )
    elif view.state == jobs.STOPPED:
        st.warning(
            f"Stopped after {view.epoch} epoch(s); the model trained so far is kept. "
            f"{literal(job.note or '')}",
            icon=":material/pan_tool:",
        )
    elif view.state == jobs.FINISHED:
        result = job.result
        scores = ", ".join(f"{k} {shown(v)}" for k, v in result["metrics"]["test"].items())
        early = " Early stopping ended it." if result["ended"] == "early_stopped" else ""
        st.success(
            f"Finished {result['epochs_run']} epochs in {view.elapsed:.1f} s.{early} "
            f"Test split, with the weights of {_kept(result)}: {scores}.",
            icon=":material/check_circle:",
        )


def _kept(result: dict) -> str:
    """Which epoch's weights the run's model holds, in words."""
    kept = result["kept_epoch"]
    if kept == result["epochs_run"]:
        return f"epoch {kept}, the last"
    return f"epoch {kept}, the one with the lowest validation loss"


def show_progress(job: jobs.Job | None, view: Progress | None = None) -> None:
    """Status, epoch, elapsed time, ETA and the loss and accuracy (or MAE) curves of a job,
    with the epochs ``view`` has drawn (by default, all that arrived).

    The charts are drawn empty before the first epoch: the browser then has the charting
    code loaded and the charts in place when the first point comes, which it draws at
    once instead of after seconds of loading (measured by ``benchmarks/first_point.py``).
    """
    if job is None:
        st.info("Choose the settings and press **Train**. The curves grow here, epoch by epoch.")
        history, planned = [], state.experiment().train.epochs
    else:
        view = view or progress(job)
        _status(job, view)
        history, planned = job.history[: view.epoch], job.epochs
        if job.done and view.epoch >= len(job.history):
            # Ended early (early stopping, Stop) and fully drawn: the axis fits the epochs
            # run, not the planned ones that never came.
            planned = len(job.history)
        elif job.may_end_early:
            planned = horizon(len(history), planned)
    if history:
        metric = "accuracy" if "accuracy" in history[0] else "mae"
    else:
        metric = "mae" if state.task() == "regression" else "accuracy"
    left, right = st.columns(2)
    left.plotly_chart(_live_figure(job, history, "loss", planned), key="train_chart_loss")
    right.plotly_chart(_live_figure(job, history, metric, planned), key="train_chart_metric")


def _live_figure(job: jobs.Job | None, history: list[dict[str, float]], key: str, planned: int):
    """The job's curve of ``key``, grown from the one drawn at the last redraw."""
    figures = st.session_state.setdefault("train_live_figures", {})
    job_id = job.id if job is not None else None
    drawn_for, previous = figures.get(key, (None, None))
    fig = grown_history_figure(previous if drawn_for == job_id else None, history, key, planned)
    figures[key] = (job_id, fig)
    return fig


def _notices(runs: list[Run], training: bool) -> None:
    """A message for each run whose model the workspace could not keep, and a message and
    a Continue button for each run the server lost while it trained."""
    for run in runs:
        if run.note and run.note.startswith(recorder.NOT_KEPT):
            st.warning(literal(f"{run.name}: {run.note}"), icon=":material/cloud_off:")
        if run.state != jobs.INTERRUPTED:
            continue
        if run.checkpoint_epoch is None:
            st.warning(
                f"{literal(run.name)} was cut off by a server restart before it saved any weights. "
                "Press Train to run it again.",
                icon=":material/restart_alt:",
            )
            continue
        st.warning(
            f"{literal(run.name)} was cut off by a server restart after {len(run.history)} epoch(s); "
            f"its weights were saved after epoch {run.checkpoint_epoch}.",
            icon=":material/restart_alt:",
        )
        st.button(
            f"Continue {literal(run.name)} from epoch {run.checkpoint_epoch}",
            key=f"train_continue_{run.number}",
            on_click=boundary.callback(workspace.continue_run),
            args=(run.number,),
            disabled=training,
            help="Train on from the last saved weights up to the run's planned epochs "
            "(the optimizer starts afresh).",
        )


def _columns(table) -> dict:
    """What the runs table's result columns mean, each number shown as the page shows it."""
    number = st.column_config.NumberColumn
    config = {
        "from": st.column_config.TextColumn(
            help="The run this one started from: continued from the weights it kept, or "
            "restarted from the same initial weights (Go on from a run)."
        ),
        "best val loss": number(format=SHOWN, help="The lowest validation loss of any epoch."),
        "kept epoch": number(
            format="%d",
            help="The epoch whose weights the run kept: the one with the lowest validation "
            "loss under 'Keep the best epoch's weights', else the last. The test columns "
            "score this model.",
        ),
        "seconds": number(
            format="%.1f",
            help="Elapsed time: from a worker taking the run until it ended, building, "
            "scoring and saving the model included.",
        ),
    }
    for name in table.columns:
        if name.startswith(("linear model ", "boosted trees ")):
            config[name] = number(
                format=SHOWN,
                help=f"{name[0].upper()}{name[1:]} on the same test split, fitted on the same "
                "training rows and inputs (empty: not computed for this run).",
            )
        if name.startswith("test "):
            config[name] = number(
                format=SHOWN, help=f"{name[5:]} on the test split, of the kept epoch's model."
            )
    return config


def show_runs_table(runs: list[Run], live: Run | None = None) -> None:
    """The runs table, with the run in training (``live``, as drawn now) as its last row."""
    st.subheader("Runs")
    shown_runs = [run for run in runs if live is None or run.number != live.number]
    if live is not None:
        shown_runs.append(live)
    if not shown_runs:
        st.caption("Every run is kept here, so you can compare learning rates or networks.")
        return
    table = runs_table(shown_runs)
    st.dataframe(table, key="train_runs_table", hide_index=True, column_config=_columns(table))


def show_comparison(runs: list[Run], training: bool = False) -> None:
    """Chosen runs' curves on one chart with what differs between them, and a Continue
    button for each interrupted run (disabled while ``training``)."""
    if not runs:
        return
    _notices(runs, training)
    names = {run.number: run.name for run in runs}
    # The widget's value while it is drawn, else the choice remembered; runs that no
    # longer exist drop out.
    chosen = st.session_state.get("train_compare", st.session_state.train_compare_runs)
    st.session_state.train_compare = [number for number in chosen if number in names]
    chosen = st.multiselect(
        "Runs to compare",
        list(names),
        format_func=names.get,
        key="train_compare",
        help="Their curves share one chart; the settings that differ are listed below it.",
    )
    st.session_state.train_compare_runs = chosen
    picked = [run for run in runs if run.number in chosen]
    keys = curve_keys(picked)
    if picked and keys:
        key = st.selectbox(
            "Curve",
            keys,
            format_func=metric_label,
            key="train_compare_curve",
            help="Validation loss shows best how well each run generalises.",
        )
        curves = [(run.name, run.history) for run in picked]
        st.plotly_chart(comparison_figure(curves, key), key="train_compare_chart")
        lines = differences(picked)
        if lines:
            # Not in `code` spans: a backtick in a column name would end the span.
            st.markdown("**What differs:**\n" + "\n".join(f"- {literal(line)}" for line in lines))
        elif len(picked) > 1:
            st.caption("These runs share every setting.")
    st.button(
        "Clear runs",
        key="train_clear_runs",
        on_click=boundary.callback(workspace.clear_runs),
        help="Forget every run of this browser, and delete their models from the server.",
    )
