"""Slowing down guesses: after a few wrong class codes or teacher keys, a browser waits.

Pure and in memory (one server process serves the app): the clock is handed in, so tests
step time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
LOCKOUT_SECONDS = 120.0


class GuessLimiter:
    """Counts each caller's failed guesses; too many within a window locks the caller out."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        lockout: float = LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        """Args:
        max_failures: failures allowed within ``window`` seconds before the lockout.
        window: how far back failures count.
        lockout: seconds a caller waits once over the limit.
        clock: seconds from any fixed start (``time.monotonic``).
        """
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, who: str) -> int:
        """Whole seconds ``who`` must wait before guessing again; 0 when they may guess."""
        with self._lock:
            left = self._locked_until.get(who, 0.0) - self.clock()
            if left <= 0:
                self._locked_until.pop(who, None)
                return 0
            return math.ceil(left)

    def failed(self, who: str) -> None:
        """Record a wrong guess by ``who``; the one over the limit starts the lockout."""
        with self._lock:
            now = self.clock()
            recent = [t for t in self._failures.get(who, []) if now - t < self.window]
            recent.append(now)
            if len(recent) >= self.max_failures:
                self._locked_until[who] = now + self.lockout
                recent = []
            self._failures[who] = recent
            # Forget callers with nothing recent, so the map does not grow with every browser.
            for other in [
                k for k, v in self._failures.items() if not v or now - v[-1] > self.window
            ]:
                if other != who:
                    del self._failures[other]

    def message(self, seconds: int) -> str:
        """What a locked-out caller reads."""
        return (
            f"Too many wrong codes or keys from this browser. Try again in {seconds} seconds, "
            "and check the code with your teacher."
        )
