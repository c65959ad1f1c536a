"""A worker process ends with the server that started it, however the server ended."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from builder.worker.serve import exit_with_parent
from tests.processes import running, still_running

ROOT = Path(__file__).resolve().parent.parent

# A server stand-in: starts a child that watches it, then waits to be killed.
PARENT = """
import multiprocessing, time
from tests.test_serve import child
multiprocessing.get_context("spawn").Process(target=child).start()
time.sleep(600)
"""


def child() -> None:
    """A worker stand-in that never writes to a pipe, so only the watch can end it."""
    exit_with_parent()
    print(os.getpid(), flush=True)
    time.sleep(600)


def test_a_worker_ends_when_its_server_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE)
    pid = int(parent.stdout.readline())
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert still_running([pid], 30) == []
    finally:
        if running(pid):
            os.kill(pid, signal.SIGKILL)
