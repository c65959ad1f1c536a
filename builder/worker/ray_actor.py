"""A warm worker as a Ray actor: the job loop of a worker process (``serve``), fed by Ray calls.

``builder.training.ray_pool`` makes one actor per worker. The actor runs ``serve`` in a
thread of its own process, so TensorFlow is imported there once and jobs run one at a
time, exactly as in a worker process; the pipe is replaced by a queue of jobs and a list
of outgoing messages. Every method returns at once, so the actor keeps Ray's default
of one call at a time, under which one caller's calls run in the order they were sent:
a stop can never overtake the job it is meant for.
"""

from __future__ import annotations

import collections
import os
import queue
import threading

from builder.worker.serve import serve


class _Pipe:
    """The worker's end of the pipe ``serve`` expects: it receives jobs, sends messages."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.sent: collections.deque = collections.deque()  # appends and pops are thread-safe

    def recv(self):
        return self.jobs.get()

    def send(self, message) -> None:
        self.sent.append(message)


class ActorWorker:
    """One warm worker; wrapped with ``ray.remote`` by the pool (this module needs no Ray)."""

    def __init__(self, threads: int, warm: bool, growth_mb: float, standby_mb: float):
        self._pipe = _Pipe()
        self._events = {name: threading.Event() for name in ("stop", "pause", "step")}
        self._serving = threading.Thread(
            target=serve,
            args=(self._pipe, *self._events.values(), threads, warm, growth_mb, standby_mb),
            daemon=True,
            name="nnb-serve",
        )
        self._serving.start()

    def put(self, message) -> None:
        """Hand ``serve`` a job ``(job_id, kind, payload)``, or None to end it."""
        self._pipe.jobs.put(message)

    def flag(self, name: str, on: bool) -> None:
        """Set or clear the ``stop``, ``pause`` or ``step`` event the running job looks at."""
        (self._events[name].set if on else self._events[name].clear)()

    def take(self) -> tuple[int, list, bool]:
        """(this process's id, the messages ``serve`` sent since the last call, whether it
        still serves: False once it retired)."""
        # Read before the messages: once serve has ended, all it sent is already there.
        serving = self._serving.is_alive()
        messages = []
        while self._pipe.sent:
            messages.append(self._pipe.sent.popleft())
        return os.getpid(), messages, serving
