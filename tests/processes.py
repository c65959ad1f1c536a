"""Linux process helpers for the tests that kill servers (descendants, whether a pid runs)
and for the worker start-up benchmark (CPU seconds)."""

import contextlib
import os
import time
from pathlib import Path


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first, then parent pid)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """The ids of the processes ``pid`` started, and of those they started, and so on
    (a server's workers are children of its fork server)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = int(_stat(entry.name)[1])
    found, frontier = [], [pid]
    while frontier:
        started = [child for child, parent in parents.items() if parent in frontier]
        found += started
        frontier = started
    return found


def cpu_seconds(pid: int) -> float:
    """CPU seconds ``pid`` used, with those of the children it has reaped; 0 once it is gone."""
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    return sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")


def running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended; only its exit status is left to collect)."""
    try:
        return _stat(pid)[0] != "Z"
    except OSError:
        return False


def still_running(pids: list[int], seconds: float) -> list[int]:
    """Wait up to ``seconds`` for ``pids`` to end; return those still running."""
    deadline = time.monotonic() + seconds
    while (left := [pid for pid in pids if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
