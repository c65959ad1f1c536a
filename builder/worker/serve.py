"""The main loop of one worker process: import TensorFlow once, then run jobs as they come.

Started by ``builder.training.jobs`` (``worker_context``). Messages on the pipe:
the server sends ``(job_id, kind, payload)`` or ``None`` (quit); the worker sends
``("ready",)``, ``("epoch", job_id, epoch, logs, seconds)``,
``("weights", job_id, epoch, weights, prep)``, ``("paused", job_id)`` and
``("going", job_id)`` (see ``PauseControl``), ``("done", job_id, result)`` and
``("failed", job_id, message)``, the last two preceded by ``("retiring",)`` when the
worker exits after this job, or, once, by ``("tiring",)`` when it will soon (the pool
then starts its successor).
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from multiprocessing.connection import wait
from pathlib import Path

# XLA:CPU in TensorFlow 2.21 compiles through its new fusion emitters, which about
# doubles the compile time of a small epoch function: the wait between clicking Train
# and the first point on the chart. The flag brings the classic emitters back. Later
# XLA releases drop it and abort on flags they do not know, hence the version check.
FAST_COMPILE_FLAG = "--xla_cpu_use_fusion_emitters=false"
FAST_COMPILE_VERSIONS = ("2.21.",)
# Training is background work: on a full classroom server the pages and their
# live charts must keep the CPU before the workers do.
WORKER_NICENESS = 10
# Browser tests that must see a job before its first epoch (a moment on a warm worker)
# name a file here and create it: the job waits while it exists. Unset, nothing waits.
HOLD_FILE_VARIABLE = "NNB_TEST_HOLD_FILE"
HOLD_LIMIT_S = 120
# Browser tests that need a run still going (to reload, restart the server or steer it)
# write seconds into a file named here: while it exists, each epoch end waits that long
# (Stop ends the wait). A tiny network then stays running without burning the CPU that
# the other tests share. Unset, nothing waits.
SLOW_FILE_VARIABLE = "NNB_TEST_SLOW_FILE"


def _tensorflow_version() -> str:
    for distribution in ("tensorflow-cpu", "tensorflow"):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return ""


def faster_xla_compile(environ: dict[str, str] | None = None) -> bool:
    """Add the fast-compile flag to ``XLA_FLAGS`` where this TensorFlow knows it.

    Must run before TensorFlow is imported. Returns whether the flag is set.
    """
    environ = os.environ if environ is None else environ
    if not _tensorflow_version().startswith(FAST_COMPILE_VERSIONS):
        return False
    flags = environ.get("XLA_FLAGS", "")
    if "xla_cpu_use_fusion_emitters" not in flags:  # a flag the host set itself wins
        environ["XLA_FLAGS"] = f"{flags} {FAST_COMPILE_FLAG}".strip()
    return True


def quiet_tensorflow(threads: int = 0) -> None:
    """Import TensorFlow with its start-up chatter off and a thread budget for this worker."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    faster_xla_compile()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # one compiled function per run is expected: no retrace noise
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def resident_mb(pid: int | str = "self") -> float:
    """A process's resident memory in MB; 0 once it is gone or where /proc is missing
    (a worker then never retires)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def background_priority() -> None:
    """Lower this process to ``WORKER_NICENESS``, once however often it is called (a worker
    forked from the fork server inherits its niceness). POSIX only: a laptop on Windows
    keeps the default priority."""
    if hasattr(os, "nice"):
        os.nice(max(0, WORKER_NICENESS - os.nice(0)))


def ignore_stop_signals() -> None:
    """Ignore SIGINT and SIGTERM: this process ends when the server ends it.

    Ctrl-C, and systemd or ``docker stop`` stopping the service, signal the server's whole
    process group, workers and fork server included. A worker dying of it would look to
    the server, still shutting down, like a crash ("perhaps out of memory"), and its run
    would be kept as failed instead of interrupted, with no Continue. The server's
    shutdown ends the workers itself, and a worker ends with the server however it ended
    (``exit_with_parent``). Main thread only: called by the fork server (``preload``),
    whose workers inherit it from the fork, and by a worker's entry point (``spawn``).
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def exit_with_parent() -> None:
    """End this process the moment the process that started it ends, however it ended.

    A server killed with SIGKILL cannot stop its workers, and a worker would notice
    only when it next writes to its pipe: after its current epoch, or after importing
    TensorFlow, training on for nobody until then. The parent's sentinel is a pipe whose
    other end only the parent holds, so it becomes ready as soon as the parent is gone.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class PauseControl:
    """A job's pause between epochs (``builder.worker.live.Hold``), worked by the server's
    pause and step events. ``("paused", job_id)`` goes to the server when a wait begins
    and ``("going", job_id)`` when it ends, so the page shows what the worker does, not
    only what was asked."""

    def __init__(self, conn, job_id: str, stop_event, pause_event, step_event):
        self.conn, self.job_id = conn, job_id
        self.stop_event, self.pause_event, self.step_event = stop_event, pause_event, step_event

    def wanted(self) -> bool:
        """True while the user asks for a pause (and not for a stop)."""
        return self.pause_event.is_set() and not self.stop_event.is_set()

    def __call__(self) -> None:
        """Wait while paused, until Resume, Step one epoch or Stop."""
        _slowed_by_a_test(self.stop_event)
        if not self.wanted():
            return
        self.conn.send(("paused", self.job_id))
        while self.wanted():
            if self.step_event.wait(0.05):
                self.step_event.clear()
                break
        self.conn.send(("going", self.job_id))


def _held_by_a_test() -> None:
    """Wait while the file ``NNB_TEST_HOLD_FILE`` names exists (at most ``HOLD_LIMIT_S``)."""
    path = os.environ.get(HOLD_FILE_VARIABLE)
    deadline = time.monotonic() + HOLD_LIMIT_S
    while path and os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def _slowed_by_a_test(stop_event) -> None:
    """Wait the seconds written in the file ``NNB_TEST_SLOW_FILE`` names, if it exists,
    or until ``stop_event`` is set."""
    path = os.environ.get(SLOW_FILE_VARIABLE)
    try:
        seconds = float(Path(path).read_text()) if path else 0.0
    except (OSError, ValueError):  # no file: no test is slowing epochs
        return
    if seconds > 0:
        stop_event.wait(min(seconds, HOLD_LIMIT_S))


def serve(
    conn,
    stop_event,
    pause_event,
    step_event,
    threads: int = 0,
    warm: bool = True,
    growth_mb: float = float("inf"),
    standby_mb: float = float("inf"),
) -> None:
    """Serve jobs from ``conn`` until told to quit, the server goes away, or it retires.

    Args:
        conn: this worker's end of a duplex pipe.
        stop_event: set by the server to stop the running job at the next epoch end.
        pause_event: while set, the running job waits at the end of each epoch.
        step_event: set while paused: one more epoch runs, then the job waits again.
        threads: TensorFlow threads for this worker (0 = TensorFlow's default).
        warm: train a tiny network first, so the first real job finds TensorFlow ready.
        growth_mb: retire (send ``("retiring",)`` before the job's result, then exit)
            once resident memory has grown this much since the worker was ready.
        standby_mb: send ``("tiring",)`` once, before a job's result, when memory has
            grown this much (less than ``growth_mb``).
    """
    exit_with_parent()
    background_priority()
    quiet_tensorflow(threads)
    import keras

    from builder.errors import BuilderError
    from builder.worker import tasks

    if warm:
        tasks.warm_up()
    baseline_mb = resident_mb()
    tiring = False
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_id, kind, payload = message

        def send_epoch(epoch, logs, seconds, job_id=job_id):
            conn.send(("epoch", job_id, epoch, logs, seconds))

        def send_weights(epoch, weights, prep, job_id=job_id):
            conn.send(("weights", job_id, epoch, weights, prep))

        hold = PauseControl(conn, job_id, stop_event, pause_event, step_event)
        try:
            _held_by_a_test()
            result = tasks.run(kind, payload, send_epoch, stop_event.is_set, send_weights, hold)
            reply = ("done", job_id, result)
        except BuilderError as error:
            reply = ("failed", job_id, str(error))
        except Exception as error:  # the user gets a sentence; the details go to the log
            traceback.print_exc(file=sys.stderr)
            reply = (
                "failed",
                job_id,
                f"The job could not finish ({type(error).__name__}: {error}).",
            )
        # Each run builds a new model and compiled function: free them before the next job.
        keras.backend.clear_session(free_memory=True)
        # Announced before the result, so the pool never hands this worker another job.
        grown = resident_mb() - baseline_mb
        retiring = grown > growth_mb
        if retiring:
            conn.send(("retiring",))
        elif grown > standby_mb and not tiring:
            tiring = True
            conn.send(("tiring",))
        conn.send(reply)
        if retiring:
            return
