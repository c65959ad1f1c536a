"""Training jobs on a Ray cluster: the pool of ``builder.training.jobs`` with actors for workers.

Chosen with ``NNB_JOB_BACKEND=ray`` and ``NNB_RAY_ADDRESS`` (``builder.config.job_backend``).
``RayPool`` is a ``WorkerPool`` whose workers are Ray actors (``builder.worker.ray_actor``),
each in a process of its own on some node of the cluster, importing TensorFlow once and
running the same job loop as a local worker. Everything else is the local pool's own code:
the queue and positions, the time limit, a dead worker failing only its job and being
replaced, a grown worker handing over to a warm successor, ``Job`` handles for the pages.
The server imports Ray, never TensorFlow.

Progress travels by polling: the dispatcher keeps one ``take`` call outstanding per
actor and collects the answers every ``POLL_SECONDS``. Simpler than a threaded actor or
a ``ray.util.queue`` actor, and sound: an actor taking one call at a time runs one
caller's calls in order (a job, then its stop), and a dead actor shows as a failed call.
"""

from __future__ import annotations

import collections
import logging
import os
import threading

import ray
import ray.exceptions

from builder.training.jobs import WorkerPool, _Worker
from builder.worker.ray_actor import ActorWorker

# How often the dispatcher collects the actors' messages: an epoch reaches the page
# at most this much later than from a local worker.
POLL_SECONDS = 0.1
CPUS_PER_WORKER = 1
_REMOTE: dict[str, object] = {}
_CONNECT_LOCK = threading.Lock()


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` as a driver, once per process."""
    with _CONNECT_LOCK:
        if not ray.is_initialized():
            ray.init(address=address, logging_level=logging.WARNING)


def _remote_class():
    # Made once per process: each ``ray.remote`` call exports the class to the cluster again.
    if "actor" not in _REMOTE:
        _REMOTE["actor"] = ray.remote(
            num_cpus=CPUS_PER_WORKER, max_restarts=0, scheduling_strategy="SPREAD"
        )(ActorWorker)
    return _REMOTE["actor"]


class _Flag:
    """A stop, pause or step event of the pool's side, kept in the actor."""

    def __init__(self, actor, name: str):
        self._actor, self._name = actor, name

    def set(self) -> None:
        self._actor.flag.remote(self._name, True)

    def clear(self) -> None:
        self._actor.flag.remote(self._name, False)


class _Conn:
    """The pool's end of an actor's pipe: sends are calls; messages wait in ``inbox``,
    filled by the dispatcher's polling."""

    def __init__(self, actor):
        self._actor = actor
        self.inbox: collections.deque = collections.deque()

    def send(self, message) -> None:
        self._actor.put.remote(message)

    def poll(self) -> bool:
        return bool(self.inbox)

    def recv(self):
        return self.inbox.popleft()

    def close(self) -> None:
        """Nothing to release: the actor goes with ``_Process.kill``."""


class _Process:
    """What the pool asks of a worker's process, answered for an actor."""

    exitcode = None  # a process on another node: its exit code never reaches the server

    def __init__(self, actor):
        self.actor = actor
        self.pid: int | None = None  # known from the actor's first answer
        self.alive = True
        self.taking = None  # the outstanding ``take`` call

    def is_alive(self) -> bool:
        return self.alive

    def kill(self) -> None:
        self.alive = False
        ray.kill(self.actor, no_restart=True)

    def join(self, timeout: float | None = None) -> None:
        """Nothing to wait for: ``ray.kill`` ends the actor."""


class _ActorWorker(_Worker):
    """A pool worker whose process is a Ray actor."""

    def _start(self, threads: int, warm: bool, growth_mb: float, standby_mb: float) -> None:
        actor = _remote_class().remote(threads, warm, growth_mb, standby_mb)
        self.process, self.conn = _Process(actor), _Conn(actor)
        self.stop_event, self.pause_event, self.step_event = (
            _Flag(actor, name) for name in ("stop", "pause", "step")
        )


class RayPool(WorkerPool):
    """``WorkerPool`` on a Ray cluster: at most ``max_workers`` actors, one CPU each."""

    def __init__(self, address: str = "auto", max_workers: int | None = None, **options):
        """Connect to the cluster at ``address``, then start as ``WorkerPool`` does.

        Args:
            address: the Ray head, ``host:port`` (``auto``: a cluster started on this host).
            max_workers: most jobs at once; by default ``NNB_MAX_CONCURRENT_TRAININGS``
                if set, else one per CPU of the cluster.
            options: as for ``WorkerPool``.
        """
        connect(address)
        if max_workers is None and "NNB_MAX_CONCURRENT_TRAININGS" not in os.environ:
            cpus = ray.cluster_resources().get("CPU", CPUS_PER_WORKER)
            max_workers = max(1, int(cpus // CPUS_PER_WORKER))
        super().__init__(max_workers=max_workers, **options)

    def _threads_per_worker(self) -> int:
        return CPUS_PER_WORKER

    def _spawn(self) -> _Worker:
        return _ActorWorker(
            self._threads, self._warm, self.worker_growth_mb, self.worker_standby_mb
        )

    def _await_news(self) -> None:
        """Collect what the actors sent; wait up to ``POLL_SECONDS`` for a submission."""
        with self._lock:
            timeout = min(POLL_SECONDS, self._next_timeout())
            workers = [*self._workers, *(w.successor for w in self._workers if w.successor)]
            for worker in workers:
                if worker.process.alive and worker.process.taking is None:
                    worker.process.taking = worker.process.actor.take.remote()
        if self._wake_reader.poll(timeout):
            self._drain_wake()
        calls = {w.process.taking: w for w in workers if w.process.taking is not None}
        if not calls:
            return
        answered, _ = ray.wait(list(calls), num_returns=len(calls), timeout=0)
        with self._lock:
            for call in answered:
                self._collect(calls[call], call)

    @staticmethod
    def _collect(worker: _Worker, call) -> None:
        worker.process.taking = None
        try:
            pid, messages, serving = ray.get(call)
        except ray.exceptions.RayError:  # the actor died: the pool fails its job, replaces it
            worker.process.alive = False
            return
        worker.process.pid = pid
        worker.conn.inbox.extend(messages)
        worker.process.alive = serving and worker.process.alive
