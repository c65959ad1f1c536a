"""When every browser tab of a workspace has gone for good, so the pool can stop its training.

A run belongs to a workspace (``builder.workspace``), not to the tab that started it:
after a reload, or in a second tab of the same browser, another session follows it.
Each script run therefore records its session under its workspace (``watch``), and the
run counts as abandoned only once none of those sessions is connected and the last of
them has stayed away longer than ``server.disconnectedSessionTTL``: a network blip or a
reload keeps the run; a closed browser frees its worker for the next student.

Streamlit has no public hook for a session's end. A ``weakref.finalize`` on an object in
session state is not one: expired sessions leave Streamlit's store lazily, when some
other session disconnects (measured with a TTL of 3 s: the finalizer ran when another
tab closed, 20 s later; a quiet server may never run it). So the check below asks
``Runtime.is_active_session`` (public, safe on any thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

KEPT_SESSIONS = 20  # the newest sessions remembered per workspace (each reload adds one)
SWEEP_SECONDS = 60.0  # how often ended sessions' uploaded files are looked for

_WATCHERS: dict[str, list[str]] = {}
_LOCK = threading.Lock()
_LAST_SEEN: dict[str, float] = {}  # session id: when it was last seen connected
_swept_at = 0.0


def watch(workspace: str) -> None:
    """Note that the current session shows ``workspace`` (call it on every script run)."""
    context = get_script_run_ctx()
    if context is None:
        return
    with _LOCK:
        sessions = _WATCHERS.setdefault(workspace, [])
        if context.session_id not in sessions:
            sessions.append(context.session_id)
            del sessions[:-KEPT_SESSIONS]
    _release_ended_uploads(context)


def _release_ended_uploads(context) -> None:
    """Free the uploaded files of sessions that have ended, once a minute at most.

    Streamlit frees a session's uploads when it shuts the session down, but a session
    whose tab closed expires from its store after ``server.disconnectedSessionTTL``
    without being shut down, keeping its uploads (up to the upload cap) until the
    server stops. One away for longer than that can never come back.
    """
    global _swept_at
    now = time.monotonic()
    with _LOCK:
        if now - _swept_at < SWEEP_SECONDS or not runtime.exists():
            return
        _swept_at = now
        known = {session for sessions in _WATCHERS.values() for session in sessions}
    server = runtime.get_instance()
    grace = float(st.get_option("server.disconnectedSessionTTL"))
    for session in known:
        if server.is_active_session(session):
            _LAST_SEEN[session] = now
        elif now - _LAST_SEEN.setdefault(session, now) > grace:
            context.uploaded_file_mgr.remove_session_files(session)


def end_check(workspace: str) -> Callable[[], bool] | None:
    """For a workspace: a check that turns True once all its sessions have ended.

    Returns:
        The check, to hand to ``builder.training.jobs.submit_training``; None outside a
        session of a running server (then nothing is ever stopped for this reason).
    """
    if get_script_run_ctx() is None or not runtime.exists():
        return None
    watch(workspace)
    return _WorkspaceLeft(workspace, st.get_option("server.disconnectedSessionTTL"))


class _WorkspaceLeft:
    """Called by the pool's dispatcher thread, never by a script run."""

    def __init__(self, workspace: str, grace_seconds: float):
        self.workspace = workspace
        self.grace_seconds = grace_seconds
        self.away_since: float | None = None

    def __call__(self) -> bool:
        with _LOCK:
            sessions = list(_WATCHERS.get(self.workspace, []))
        try:
            server = runtime.get_instance()
            connected = any(server.is_active_session(session) for session in sessions)
        except RuntimeError:  # no runtime: an AppTest between runs, or a server shutting down
            return False
        if connected:
            self.away_since = None
            return False
        now = time.monotonic()
        if self.away_since is None:
            self.away_since = now
        return now - self.away_since > self.grace_seconds
