"""Imported last by a fork server a test starts: it holds the fork server's start-up, and so
the pool's first worker, while the file ``NNB_TEST_FORK_GATE`` names exists (at most 120 s).

On arrival it writes that file's name with ``.reached`` added, so the test knows the fork
server is starting now, whatever the machine's speed.
"""

import os
import time
from pathlib import Path

GATE_VARIABLE = "NNB_TEST_FORK_GATE"

_gate = os.environ.get(GATE_VARIABLE)
if _gate:
    Path(_gate + ".reached").touch()
    _deadline = time.monotonic() + 120
    while os.path.exists(_gate) and time.monotonic() < _deadline:
        time.sleep(0.05)
