"""Runs in training, found again by their workspace and written to the store as they go.

A training job lives in the server process (``builder.training.jobs``); the browser
tab that started it may reload, close, or open a second tab. So each run started here
is registered under its workspace, where any session of that workspace finds it and
follows its job, and a recorder thread writes it to the store: its epochs once a
second while it trains (so a server that dies leaves the curve so far), and its end
with the worker's result. A run may also start from an ended one, continued from its
weights or restarted from its initial weights (``builder.training.lineage``): a new run
that records its parent. No session needs to be open for the run to be kept. A run kept
with its model is then logged to MLflow when the host asks for it (``mlflow_log``).

A browser's sessions all meet one server process (replicas sharing a store sit behind a
proxy that keeps each browser on its replica): a run the store lists as training that is
not registered here was cut off by a server that died, and is shown as interrupted.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

import pandas as pd

from builder.errors import TrainingError
from builder.experiment.spec import Experiment
from builder.training import jobs, lineage
from builder.training.runs import Run, from_job
from builder.workspace import checkpoints, mlflow_log
from builder.workspace.store import RUNNING, WorkspaceFull, WorkspaceStore

HISTORY_SECONDS = 1.0
INTERRUPTED_NOTE = "The server stopped while this run trained."
NOT_KEPT = "Its model was not kept: "


@dataclasses.dataclass
class LiveRun:
    """A run in training: its workspace, number, job, and when it has been written."""

    workspace: str
    number: int
    job: jobs.Job
    experiment: Experiment
    saved: threading.Event = dataclasses.field(default_factory=threading.Event)
    # The run it started from, and how (``Run.parent``, ``Run.origin``).
    parent: int | None = None
    origin: str | None = None


_LIVE: dict[str, LiveRun] = {}
_LOCK = threading.Lock()


def live(wid: str) -> LiveRun | None:
    """The workspace's run in training (or just ended and not yet written), if any."""
    with _LOCK:
        return _LIVE.get(wid)


def start(
    store: WorkspaceStore,
    wid: str,
    experiment: Experiment,
    table: pd.DataFrame | None = None,
    abandoned: Callable[[], bool] | None = None,
    resume: Run | None = None,
    pool: jobs.WorkerPool | None = None,
    start_from: lineage.StartFrom | None = None,
) -> LiveRun:
    """Train ``experiment`` as the workspace's next run, or continue an interrupted ``resume``.

    Args:
        store: where the run is kept.
        wid: the workspace id.
        experiment: what to train (the interrupted run's own, when continuing; with
            ``start_from``, the parent's data, preprocessing and network).
        table: the uploaded table, for an experiment on an upload.
        abandoned: see ``builder.training.jobs.WorkerPool.submit``.
        resume: an interrupted run; it continues from its newest saved weights.
        pool: the worker pool; the shared one when omitted.
        start_from: an ended run the new run starts from (``lineage.plan``); its epochs
            are then set there.

    Raises:
        TrainingError: the workspace already trains a run (perhaps in another tab), the
            run to continue has no saved weights, or the run to start from kept none
            or does not fit ``experiment``.
        SpecError: a setting is not allowed.
    """
    if resume is not None and start_from is not None:
        raise ValueError("Give an interrupted run to resume or a run to start from, not both.")
    with _LOCK:
        if wid in _LIVE:
            raise TrainingError(
                "A run of yours is already training (perhaps in another tab). Wait for it to "
                "end, or stop it, before starting another."
            )
        plan, parent, origin = None, None, None
        if start_from is not None:
            experiment, plan = lineage.plan(start_from, experiment)
            parent, origin = start_from.parent.number, start_from.how
        if resume is not None:
            folder = store.checkpoint_dir(wid, resume.number, create=False)
            found = checkpoints.latest(folder, at_most=len(resume.history))
            if found is None:
                raise TrainingError(
                    f"{resume.name} saved no weights before it was cut off, so it cannot "
                    "continue. Press Train to run it again."
                )
            history = resume.history[: found[0]]
            plan = {
                "weights": str(found[1]),
                "history": history,
                "seconds": resume.seconds,
                "initial_weights": checkpoints.initial(folder),
            }
            parent, origin = resume.parent, resume.origin
            number = resume.number
            store.restart_run(wid, number, plan["history"])
        else:
            number = store.new_run(wid, experiment, parent=parent, origin=origin)
        try:
            job = jobs.submit_training(
                experiment,
                table,
                pool=pool,
                abandoned=abandoned,
                checkpoints=str(store.checkpoint_dir(wid, number)),
                resume=plan,
            )
        except Exception:  # nothing started: the runs stay as they were
            if resume is None:
                store.delete_runs(wid, [number])
            else:
                store.restart_run(wid, number, resume.history)
            raise
        run = LiveRun(wid, number, job, experiment, parent=parent, origin=origin)
        _LIVE[wid] = run
    threading.Thread(
        target=_record, args=(store, run), name=f"nnb-record-{number}", daemon=True
    ).start()
    return run


def runs(store: WorkspaceStore, wid: str, known: dict[int, Run] | None = None) -> list[Run]:
    """The workspace's runs, leaving out the one in training here (its job shows it);
    a run the store lists as training that no job here trains is shown as interrupted."""
    training = live(wid)
    shown = []
    for run in store.runs(wid, known):
        if run.state != RUNNING:
            shown.append(run)
        elif training is None or training.number != run.number:
            interrupted = dataclasses.replace(run, state=jobs.INTERRUPTED, note=INTERRUPTED_NOTE)
            shown.append(store.with_checkpoint(wid, interrupted))
    return shown


def _record(store: WorkspaceStore, run: LiveRun) -> None:
    """Write the run's epochs while it trains, then its end; runs on its own thread."""
    job = run.job
    written = -1
    try:
        while not job.wait(HISTORY_SECONDS):
            history = job.history
            if len(history) != written:
                store.update_history(run.workspace, run.number, history, job.elapsed())
                written = len(history)
        record = from_job(job, run.experiment, run.number, run.parent, run.origin)
        if job.state == jobs.INTERRUPTED:  # the server shuts down: keep it to continue
            store.update_history(run.workspace, run.number, record.history, record.seconds)
            return
        try:
            store.finish_run(record, run.workspace)
        except WorkspaceFull as full:
            record.result, record.note = None, f"{NOT_KEPT}{full}"
            store.finish_run(record, run.workspace)
        mlflow_log.log_in_background(record)  # on a thread of its own: saved is set at once
    except Exception:  # the run stays listed as training and shows as interrupted later
        logging.getLogger(__name__).exception("could not keep run %s", run.number)
    finally:
        run.saved.set()
        with _LOCK:
            if _LIVE.get(run.workspace) is run:
                del _LIVE[run.workspace]
