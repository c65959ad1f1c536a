"""When a browser session has ended for good, so the worker pool can stop its training job.

Streamlit keeps a disconnected session for ``server.disconnectedSessionTTL`` seconds:
a tab that reconnects after a network blip gets its session back, running job
included. After that the session, and the job's result, are out of reach, and the
job only holds a worker that other students are queued for.

Streamlit has no public hook for that moment. A ``weakref.finalize`` on an object in
session state is not one: expired sessions leave Streamlit's store lazily, when some
other session disconnects (measured with a TTL of 3 s: the finalizer ran when another
tab closed, 20 s later; a quiet server may never run it). So the check below asks
``Runtime.is_active_session`` (public, safe on any thread) and counts a session that
stayed disconnected for longer than the TTL Streamlit uses as gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx


def end_check() -> Callable[[], bool] | None:
    """For the current session: a check that turns True once the session has ended.

    Returns:
        The check, to hand to ``builder.training.jobs.submit_training``; None outside a
        session of a running server (then nothing is ever stopped for this reason).
    """
    context = get_script_run_ctx()
    if context is None or not runtime.exists():
        return None
    return _SessionEnded(context.session_id, st.get_option("server.disconnectedSessionTTL"))


class _SessionEnded:
    """Called by the pool's dispatcher thread, never by a script run."""

    def __init__(self, session_id: str, grace_seconds: float):
        self.session_id = session_id
        self.grace_seconds = grace_seconds
        self.away_since: float | None = None

    def __call__(self) -> bool:
        try:
            connected = runtime.get_instance().is_active_session(self.session_id)
        except RuntimeError:  # no runtime: an AppTest between runs, or a server shutting down
            return False
        if connected:
            self.away_since = None
            return False
        now = time.monotonic()
        if self.away_since is None:
            self.away_since = now
        return now - self.away_since > self.grace_seconds
