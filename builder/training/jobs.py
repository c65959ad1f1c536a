"""The only door to TensorFlow: a pool of warm worker processes running jobs.

Streamlit clears Keras' global session after every script run whenever
``keras`` is imported in the server, and TensorFlow is not safe for concurrent
model building in threads, so training never happens in the server process.
``WorkerPool`` starts worker processes from a fork server that has imported
TensorFlow once (the server never imports it; see ``worker_context``); each
warms up in the background and then runs jobs one at a time. A dispatcher
thread hands queued jobs to idle workers, streams each epoch's logs into the job,
stops a job at its time limit, replaces a worker that crashed or was killed,
failing only that worker's job, and
stops the jobs whose submitter says they are abandoned (a student closed the tab).
A worker whose memory has grown is recycled: its successor starts beforehand and
takes its place once warm, so no student waits for TensorFlow to load again.

A ``Job`` is reachable only through the handle ``submit`` returns, so one
session never sees another's runs even though all share one pool.

On a Ray cluster (``NNB_JOB_BACKEND=ray``), ``builder.training.ray_pool.RayPool`` is this
pool with Ray actors for worker processes; ``get_pool`` picks one or the other.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import logging
import multiprocessing
import os
import statistics
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

import pandas as pd

from builder.config import job_backend, load_limits
from builder.errors import TrainingError
from builder.experiment.spec import Experiment, validate
from builder.tables.samples import SAMPLES

QUEUED, RUNNING, FINISHED, STOPPED, FAILED = "queued", "running", "finished", "stopped", "failed"
INTERRUPTED = "interrupted"  # the server shut down mid-run; the saved weights can continue it
ENDED = (FINISHED, STOPPED, FAILED, INTERRUPTED)
GRACE_SECONDS = 15.0
WARM_WORKERS = 2
# A worker that has grown this share of its memory allowance gets a successor, which
# imports TensorFlow while the worker goes on serving and takes over once warm.
STANDBY_SHARE = 0.5


def worker_context():
    """The multiprocessing context workers start in.

    ``forkserver`` where the platform has it: the fork server, a fresh process the
    server starts, imports ``builder.worker.preload`` once, and each worker is a fork of
    it. Elsewhere (Windows) ``spawn``, where each worker imports TensorFlow itself.
    Never ``fork``: the server's threads and Streamlit's state must not be copied.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["builder.worker.preload"])
    return context


def _worker_main(conn, events, threads: int, warm: bool, growth_mb: float, standby_mb: float):
    """Entry point of a worker process; imports the worker code only there."""
    from builder.worker.serve import ignore_stop_signals, serve

    ignore_stop_signals()  # the server ends its workers (spawn; a fork server's ignore them already)
    serve(conn, *events, threads, warm, growth_mb, standby_mb)


class Job:
    """One run as its submitting session sees it: state, progress, result. Thread-safe reads."""

    def __init__(
        self,
        pool: WorkerPool,
        kind: str,
        payload: dict,
        epochs: int,
        label: str,
        abandoned: Callable[[], bool] | None,
        history: list[dict[str, float]] | None = None,
        seconds_before: float = 0.0,
        may_end_early: bool = False,
    ):
        self.id = uuid.uuid4().hex
        self.kind = kind
        self.label = label
        self.epochs = epochs
        self.may_end_early = may_end_early  # early stopping may end it before ``epochs``
        self.state = QUEUED
        self.error: str | None = None
        self.note: str | None = None
        self.result: dict[str, Any] | None = None
        self.worker_pid: int | None = None
        self.stop_requested = False
        self.pause_requested = False  # Pause pressed, and not Resume since
        self.paused = False  # the worker waits between epochs
        self.submitted_at = time.time()
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self._payload: dict | None = payload
        self._pool = pool
        self._abandoned = abandoned
        self._history: list[dict[str, float]] = list(history or [])
        self._arrived_at: list[float] = []  # when each of this job's epochs reached the server
        self._snapshots: list[tuple[int, dict]] = []  # (epochs done, layer weights)
        self.prep: dict | None = None  # the fitted preprocessing, with the first snapshot
        self._resumed_at = len(self._history)  # epochs done before this job started
        self._seconds_before = seconds_before  # elapsed time of the run this job continues
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # notified as epochs come, and at the end
        self._done = threading.Event()

    @property
    def history(self) -> list[dict[str, float]]:
        """Epoch records so far: ``{"epoch": 1, "seconds": …, "loss": …, "val_loss": …}``."""
        with self._lock:
            return list(self._history)

    @property
    def snapshots(self) -> list[tuple[int, dict]]:
        """Weight snapshots so far, oldest first: ``(epochs done, {layer: [kernel, bias]})``
        in float32 arrays; none for a network too large to watch
        (``builder.worker.live.MAX_LIVE_WEIGHTS``)."""
        with self._lock:
            return list(self._snapshots)

    @property
    def epochs_before(self) -> int:
        """Epochs the run had done before this job started (a continued run's)."""
        return self._resumed_at

    @property
    def done(self) -> bool:
        """True once the job finished, was stopped or failed."""
        return self._done.is_set()

    @property
    def position(self) -> int | None:
        """1 for the next job to start, 2 behind it, …; None once the job left the queue."""
        return self._pool._position(self)

    def stop(self) -> None:
        """Stop at the end of the current epoch, keeping the model trained so far."""
        self._pool._stop(self)

    def pause(self) -> None:
        """Wait after the current epoch until ``resume`` (or ``step``, or ``stop``)."""
        self._pool._steer(self, pause=True)

    def resume(self) -> None:
        """Go on training after a pause."""
        self._pool._steer(self, pause=False)

    def step(self) -> None:
        """While paused: train one more epoch, then wait again."""
        self._pool._steer(self, pause=True, step=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (or ``timeout`` seconds passed); True when it ended."""
        return self._done.wait(timeout)

    def wait_for_epochs(self, count: int, timeout: float) -> bool:
        """Block until the run has done ``count`` epochs (a continued run's earlier ones
        included) or has ended, for at most ``timeout`` seconds; True when it has."""
        with self._arrived:
            return self._arrived.wait_for(
                lambda: len(self._history) >= count or self.ended_at is not None, timeout
            )

    def elapsed(self) -> float:
        """The run's elapsed time: seconds from a worker taking it (after any wait in the
        queue) until it ended or now, building, training, scoring and saving the model
        included, plus the elapsed time of the run it continues.

        The one clock the Train page shows: live, in the finished message, in the runs table.
        """
        if self.started_at is None:
            return self._seconds_before
        return self._seconds_before + (self.ended_at or time.time()) - self.started_at

    def elapsed_at(self, epochs: int) -> float:
        """The elapsed time (as ``elapsed``) when the run's epoch ``epochs`` reached the
        server: the clock a replay of the run shows. 0 epochs: when the job started."""
        with self._lock:
            arrived = self._arrived_at[: max(0, epochs - self._resumed_at)]
        if not arrived or self.started_at is None:
            return self._seconds_before
        return self._seconds_before + arrived[-1] - self.started_at

    def eta(self) -> float | None:
        """Seconds until the planned epochs are done, from the pace of the epochs so far.

        The pace is the median time between epochs: a pause (or a slow moment of the
        machine) is one long gap, which a mean would spread over every epoch to come.
        """
        history = self.history[self._resumed_at :]
        # The first epoch includes building and compiling the network: no pace yet.
        if self.done or len(history) < 2:
            return None
        per_epoch = statistics.median(
            later["seconds"] - earlier["seconds"] for earlier, later in itertools.pairwise(history)
        )
        return max(0.0, per_epoch * (self.epochs - self._resumed_at - len(history)))

    # The methods below are called by the pool's dispatcher thread only.

    def _set_running(self, pid: int) -> None:
        with self._lock:
            self.state, self.worker_pid, self.started_at = RUNNING, pid, time.time()

    def _add_epoch(self, epoch: int, logs: dict[str, float], seconds: float) -> None:
        with self._lock:
            self._history.append({"epoch": epoch + 1, "seconds": seconds, **logs})
            self._arrived_at.append(time.time())
            self._arrived.notify_all()

    def _add_snapshot(self, epochs: int, weights: dict, prep: dict | None) -> None:
        with self._lock:
            self._snapshots.append((epochs, weights))
            self.prep = prep or self.prep

    def _finish(self, state: str, result: dict | None = None, error: str | None = None) -> None:
        with self._lock:
            self.state, self.result, self.error = state, result, error
            self.ended_at = time.time()
            self._payload = None
            self._arrived.notify_all()
        self._done.set()


@contextlib.contextmanager
def _no_main_script():
    """Hide the ``__main__`` module from ``spawn`` and the fork server while a worker starts.

    Under ``streamlit run``, ``__main__`` is a stand-in module for app.py (with
    ``__file__`` but no ``__spec__``), so a spawned child or the fork server would run
    app.py again, which starts a pool of its own before bootstrapping ends: the child
    dies and the pool replaces it, again and again. Workers need nothing from
    ``__main__``; their entry point lives in this module.
    """
    saved = sys.modules.get("__main__")
    stub = types.ModuleType("__main__")
    sys.modules["__main__"] = stub
    try:
        yield
    finally:
        # A Streamlit script run may have installed its own module meanwhile: keep that.
        if sys.modules.get("__main__") is stub:
            sys.modules["__main__"] = saved


class _Worker:
    """One worker process, its pipe, its stop flag and the job it runs."""

    def __init__(self, *start_args):
        self._start(*start_args)
        self.ready = False
        self.retiring = False  # ends after its job: never given another
        self.successor: _Worker | None = None  # warming up to take this one's place
        self.job: Job | None = None
        self.deadline = 0.0
        self.kill_at = 0.0
        self.timed_out = False
        self.dead = False

    def _start(self, ctx, threads: int, warm: bool, growth_mb: float, standby_mb: float) -> None:
        """Start the process; sets ``process``, ``conn`` and the three events."""
        # Stop, pause and step: looked at by the running job between its epochs.
        self.stop_event, self.pause_event, self.step_event = ctx.Event(), ctx.Event(), ctx.Event()
        self.conn, child = ctx.Pipe(duplex=True)
        events = (self.stop_event, self.pause_event, self.step_event)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, events, threads, warm, growth_mb, standby_mb),
            daemon=True,
            name="nnb-worker",
        )
        with _no_main_script():
            self.process.start()
        child.close()


class WorkerPool:
    """Warm worker processes running queued jobs, at most ``max_workers`` at once."""

    def __init__(
        self,
        max_workers: int | None = None,
        job_seconds: float | None = None,
        warm_workers: int = WARM_WORKERS,
        grace_seconds: float = GRACE_SECONDS,
        warm: bool = True,
        worker_growth_mb: float | None = None,
        worker_standby_mb: float | None = None,
    ):
        """Start ``warm_workers`` workers now; more start on demand up to ``max_workers``.

        Args:
            max_workers: most jobs running at once (host limit ``max_concurrent_trainings``).
            job_seconds: a running job is stopped after this long (``max_job_seconds``);
                one that does not stop within ``grace_seconds`` more is killed.
            warm_workers: workers the dispatcher thread starts at once, in the background.
            warm: workers train a tiny network before their first job.
            worker_growth_mb: a worker whose memory grew this much retires after its
                job and a fresh one takes its place (``worker_memory_growth_mb``).
            worker_standby_mb: a worker whose memory grew this much gets a successor,
                which takes its place once warm (default: ``STANDBY_SHARE`` of the above).
        """
        limits = load_limits()
        self.max_workers = max(1, max_workers or limits.max_concurrent_trainings)
        self.job_seconds = float(job_seconds or limits.max_job_seconds)
        self.grace_seconds = grace_seconds
        self.worker_growth_mb = float(
            limits.worker_memory_growth_mb if worker_growth_mb is None else worker_growth_mb
        )
        self.worker_standby_mb = float(
            STANDBY_SHARE * self.worker_growth_mb
            if worker_standby_mb is None
            else worker_standby_mb
        )
        self._threads = self._threads_per_worker()
        self._warm = warm
        self._ctx = worker_context()
        self._lock = threading.RLock()  # re-entered when the dispatcher stops an abandoned job
        self._pending: collections.deque[Job] = collections.deque()
        self._wake_reader, self._wake_writer = self._ctx.Pipe(duplex=False)
        self.closed = False
        self._workers: list[_Worker] = []
        self._started = threading.Event()  # the dispatcher has started the first workers
        self._thread = threading.Thread(
            target=self._dispatch_forever, args=(min(warm_workers, self.max_workers),), daemon=True
        )
        self._thread.start()

    def submit(
        self,
        kind: str,
        payload: dict,
        epochs: int = 0,
        label: str = "",
        abandoned: Callable[[], bool] | None = None,
        history: list[dict[str, float]] | None = None,
        seconds_before: float = 0.0,
        may_end_early: bool = False,
    ) -> Job:
        """Queue a job and return its handle (the only way to reach it).

        Args:
            history: epochs done before (a run continued from saved weights).
            seconds_before: the elapsed time of the run it continues.
            may_end_early: the run may end before ``epochs`` (early stopping is on).
            abandoned: asked by the dispatcher thread at least once a second while the job
                is queued or running, so it must be quick and must not raise; once it returns
                True (nobody can reach the job any more), the job leaves the queue or is
                stopped at the end of its epoch, freeing its worker for others.

        Raises:
            TrainingError: the pool was shut down.
        """
        with self._lock:
            if self.closed:
                raise TrainingError("The training service is shutting down. Reload the page.")
            job = Job(
                self,
                kind,
                payload,
                epochs,
                label,
                abandoned,
                history,
                seconds_before,
                may_end_early,
            )
            self._pending.append(job)
        self._wake()
        return job

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return [w.process.pid for w in self._workers if not w.dead and w.process.pid]

    def shutdown(self) -> None:
        """Stop the workers and fail whatever is still queued or running."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
        self._wake()
        if self._started.is_set():  # else it waits for the fork server, then ends its workers
            self._thread.join(timeout=10)
        with self._lock:
            for job in self._pending:
                job._finish(FAILED, error="The training service shut down before this job ran.")
            self._pending.clear()
            for worker in self._workers:
                if worker.ready and worker.job is None:
                    with contextlib.suppress(OSError):
                        worker.conn.send(None)
                else:  # busy or starting: it would read None only after its run or start-up
                    worker.process.kill()
                if worker.job is not None:
                    worker.job._finish(INTERRUPTED, error="The training service shut down.")
            for worker in self._workers:
                if worker.successor is not None:  # runs nothing yet
                    self._end(worker.successor)
                worker.process.join(timeout=3)
                self._end(worker)

    # Called with self._lock held, or by the dispatcher thread.

    def _threads_per_worker(self) -> int:
        # Each worker gets its share of the cores, so concurrent runs do not fight over them.
        return max(1, (os.cpu_count() or 1) // self.max_workers)

    def _spawn(self) -> _Worker:
        return _Worker(
            self._ctx, self._threads, self._warm, self.worker_growth_mb, self.worker_standby_mb
        )

    @staticmethod
    def _end(worker: _Worker) -> None:
        """Kill the worker's process if it still runs, and release its pipe."""
        worker.dead = True
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"")

    def _position(self, job: Job) -> int | None:
        with self._lock:
            for place, queued in enumerate(self._pending, start=1):
                if queued is job:
                    return place
        return None

    def _stop(self, job: Job) -> None:
        with self._lock:
            if job in self._pending:
                self._pending.remove(job)
                job.stop_requested = True
                job._finish(STOPPED)
                return
            for worker in self._workers:
                if worker.job is job:
                    job.stop_requested = True
                    worker.stop_event.set()

    def _steer(self, job: Job, pause: bool, step: bool = False) -> None:
        with self._lock:
            if job.done or job.stop_requested:
                return
            job.pause_requested = pause
            for worker in self._workers:
                if worker.job is job:
                    if step:
                        worker.step_event.set()
                    (worker.pause_event.set if pause else worker.pause_event.clear)()

    def _dispatch_forever(self, warm_workers: int) -> None:
        # The first workers start here, not in __init__: starting the first one waits for
        # the fork server to import TensorFlow, and the page that made the pool must not.
        started = [self._spawn() for _ in range(warm_workers)]
        with self._lock:
            self._workers.extend(started)
            if self.closed:  # shut down meanwhile, before it could see these workers
                for worker in started:
                    self._end(worker)
            self._started.set()
        while not self.closed:
            try:
                self._dispatch_once()
            except Exception:  # a dispatcher that dies would strand every session's jobs
                logging.getLogger(__name__).exception("job dispatcher error; carrying on")
                time.sleep(0.1)

    def _dispatch_once(self) -> None:
        """Wait for a message, a dead worker, a submission or a deadline; act on all of them."""
        self._await_news()
        with self._lock:
            if self.closed:
                return
            for worker in list(self._workers):
                self._read(worker)
            self._enforce_time_limits()
            self._stop_abandoned()
            self._hand_over()
            self._assign()

    def _await_news(self) -> None:
        """Block until a worker sent a message or died, a job was submitted, or a deadline."""
        with self._lock:
            waitables = [self._wake_reader]
            for worker in self._workers:
                waitables += [worker.conn, worker.process.sentinel]
                if worker.successor is not None:
                    waitables += [worker.successor.conn, worker.successor.process.sentinel]
            timeout = self._next_timeout()
        if self._wake_reader in wait(waitables, timeout):
            self._drain_wake()

    def _drain_wake(self) -> None:
        with self._lock:
            while self._wake_reader.poll():
                self._wake_reader.recv_bytes()

    def _next_timeout(self) -> float:
        now = time.monotonic()
        moments = [w.kill_at if w.timed_out else w.deadline for w in self._workers if w.job]
        if not moments:
            return 1.0
        return min(1.0, max(0.01, min(moments) - now))

    def _read(self, worker: _Worker) -> None:
        """Take every message a worker sent; replace it when its process is gone."""
        if worker.successor is not None:
            self._read_successor(worker)
        try:
            while worker.conn.poll():
                self._handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            worker.dead = True
        if worker.dead or not worker.process.is_alive():
            self._replace(worker)

    def _read_successor(self, worker: _Worker) -> None:
        """Note when the worker's successor is warm; forget it if its process died."""
        successor = worker.successor
        try:
            while successor.conn.poll():
                successor.ready |= successor.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            successor.dead = True
        if successor.dead or not successor.process.is_alive():
            self._end(successor)
            worker.successor = None

    def _handle(self, worker: _Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return
        # A retiring worker's process exits next; _read then puts its successor, or a
        # fresh worker, in its place.
        if kind == "retiring":
            worker.retiring = True
            return
        if kind == "tiring":
            if worker.successor is None and not self.closed:
                worker.successor = self._spawn()
            return
        job = worker.job
        if job is None or message[1] != job.id:
            return
        if kind == "epoch":
            job._add_epoch(*message[2:])
            return
        if kind == "weights":
            job._add_snapshot(*message[2:])
            return
        if kind in ("paused", "going"):
            job.paused = kind == "paused"
            return
        worker.job = None
        if kind == "done":
            result = message[2]
            state = STOPPED if result.get("ended") == "stopped" else FINISHED
            job._finish(state, result=result)
        else:
            job._finish(FAILED, error=message[2])
        job.paused = False

    def _replace(self, worker: _Worker) -> None:
        """A worker died, retired or handed over: fail its job (if any) only; its
        successor, or a fresh worker, takes its place."""
        self._end(worker)
        if worker.job is not None:
            if worker.timed_out:
                error = (
                    f"The run passed the time limit of {self.job_seconds:g} s and did not stop, "
                    "so it was ended. Try fewer epochs, a larger batch size or fewer rows."
                )
            else:
                # A Ray actor's process ends on another machine: no exit code to show.
                code = worker.process.exitcode
                how = "" if code is None else f" (exit code {code})"
                error = (
                    f"The process running this job stopped unexpectedly{how}, perhaps out "
                    "of memory. Try a smaller network or fewer rows, then train again."
                )
            worker.job._finish(FAILED, error=error)
            worker.job = None
        self._workers.remove(worker)
        successor, worker.successor = worker.successor, None
        if self.closed:
            if successor is not None:
                self._end(successor)
        else:
            self._workers.append(successor or self._spawn())

    def _hand_over(self) -> None:
        """An idle worker whose successor is warm leaves: the successor serves from now on."""
        for worker in list(self._workers):
            if worker.job is None and worker.successor is not None and worker.successor.ready:
                self._replace(worker)

    def _enforce_time_limits(self) -> None:
        now = time.monotonic()
        for worker in self._workers:
            if worker.job is None:
                continue
            if not worker.timed_out and now >= worker.deadline:
                worker.timed_out = True
                worker.kill_at = now + self.grace_seconds
                worker.job.note = (
                    f"Stopped at the time limit of {self.job_seconds:g} s per run; "
                    "the model trained so far is kept."
                )
                worker.stop_event.set()
            elif worker.timed_out and now >= worker.kill_at:
                worker.process.kill()  # its sentinel fires; the next pass replaces it

    def _stop_abandoned(self) -> None:
        running = [worker.job for worker in self._workers if worker.job is not None]
        for job in [*self._pending, *running]:
            if job._abandoned is not None and not job.stop_requested and job._abandoned():
                self._stop(job)

    def _assign(self) -> None:
        """Hand queued jobs to idle ready workers; start another worker while below the cap."""
        while self._pending:
            idle = [
                w
                for w in self._workers
                if w.ready and w.job is None and not w.dead and not w.retiring
            ]
            if not idle:
                starting = [w for w in self._workers if not w.ready and not w.dead]
                if len(starting) < len(self._pending) and len(self._workers) < self.max_workers:
                    self._workers.append(self._spawn())
                return
            worker, job = idle[0], self._pending.popleft()
            worker.stop_event.clear()
            worker.step_event.clear()
            # Pause may be pressed while the job waits in the queue.
            (worker.pause_event.set if job.pause_requested else worker.pause_event.clear)()
            worker.job, worker.timed_out = job, False
            worker.deadline = time.monotonic() + self.job_seconds
            job._set_running(worker.process.pid)
            try:
                worker.conn.send((job.id, job.kind, job._payload))
            except OSError:
                worker.dead = True  # replaced, and the job failed, on the next pass
            job._payload = None


_POOL: WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> WorkerPool:
    """The process-wide pool shared by every session of the server, started on first use.

    Worker processes on this host, or Ray actors on a cluster when ``NNB_JOB_BACKEND=ray``
    (``builder.config.job_backend``); the same interface either way.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.closed:
            backend = job_backend()
            if backend.name == "ray":
                # Imported only here: a host on the local pool needs no Ray installed.
                try:
                    from builder.training.ray_pool import RayPool
                except ModuleNotFoundError as error:
                    raise TrainingError(
                        "NNB_JOB_BACKEND=ray needs Ray: install the app with "
                        "`pip install -e '.[ray]'`."
                    ) from error
                _POOL = RayPool(backend.ray_address)
            else:
                _POOL = WorkerPool()
            atexit.register(_POOL.shutdown)
        return _POOL


def submit_training(
    experiment: Experiment,
    table: pd.DataFrame | None = None,
    pool: WorkerPool | None = None,
    abandoned: Callable[[], bool] | None = None,
    checkpoints: str | None = None,
    resume: dict[str, Any] | None = None,
) -> Job:
    """Queue a training run of ``experiment``.

    A bundled sample is read by the worker from its key; an uploaded table is sent along.

    Args:
        experiment: what to train; it is copied, so later edits do not change the run.
        table: the uploaded table (needed when ``experiment.data.source`` is not a sample).
        pool: the pool to use; the shared one when omitted.
        abandoned: True once the run is out of everyone's reach (see ``WorkerPool.submit``).
        checkpoints: a server folder where the worker saves the weights now and then.
        resume: ``{"weights": path, "history": epochs so far, "seconds": elapsed so far}``:
            continue a run from the weights saved after its last epoch in ``history``.

    Returns:
        The job handle.

    Raises:
        SpecError: a setting is not allowed.
        TrainingError: an uploaded experiment came without its table.
    """
    validate(experiment)
    payload: dict[str, Any] = {
        "experiment": experiment.to_dict(),
        "table": None,
        "checkpoints": checkpoints,
        "resume": resume,
    }
    if experiment.data.source not in SAMPLES:
        if table is None:
            raise TrainingError(
                "This experiment uses an uploaded table. Load the table on the Data page first."
            )
        payload["table"] = table
    return (pool or get_pool()).submit(
        "train",
        payload,
        epochs=experiment.train.epochs,
        label=experiment.name,
        abandoned=abandoned,
        history=(resume or {}).get("history"),
        seconds_before=(resume or {}).get("seconds", 0.0),
        may_end_early=experiment.train.early_stopping,
    )


def submit_conversion(
    result: dict[str, Any],
    pool: WorkerPool | None = None,
    abandoned: Callable[[], bool] | None = None,
) -> Job:
    """Queue the conversion of a trained run's network to ONNX, TensorFlow Lite and a SavedModel.

    Args:
        result: the run's train result (its ``"model_bytes"``, ``"prep"`` and ``"name"``).
        pool: the pool to use; the shared one when omitted.
        abandoned: True once the job is out of everyone's reach (see ``WorkerPool.submit``).

    Returns:
        The job handle; its result is ``{"files": {bundle path: bytes}}``, paths starting
        with the placeholder stem ``model`` (``model.onnx``, ``model_savedmodel/…``).

    Raises:
        TrainingError: the result holds no model, or the pool was shut down.
    """
    if not result.get("model_bytes") or "prep" not in result:
        raise TrainingError("This run holds no trained model to convert. Train it first.")
    payload = {"model_bytes": result["model_bytes"], "prep": result["prep"]}
    label = f"{result.get('name') or 'model'}: other formats"
    return (pool or get_pool()).submit("convert", payload, label=label, abandoned=abandoned)
