"""Slowing down guesses: after a few wrong class codes or teacher keys, a browser waits, and
after many from one client address, that address waits.

A browser is its workspace, which "Delete my data" or a fresh browser replaces, so wrong
guesses are also counted per client address, where a new workspace does not help. A whole
classroom may share one address (a school's NAT), so the address's limit is set for a
class, not a person: a class of 40 that each mistype the code twice stays under the
default 100 wrong guesses in 10 minutes (``NNB_GUESSES_PER_ADDRESS``), while one address
still gets at most about 600 guesses an hour against 29**8 ≈ 5.0e11 codes. An IPv6
address counts by its /64 network, which one home or school is given whole.

Pure and in memory (each server process counts its own): the clock is handed in, so tests
step time instead of sleeping.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
LOCKOUT_SECONDS = 120.0
ADDRESS_FAILURES = 100
ADDRESS_WINDOW_SECONDS = 600.0
ADDRESS_LOCKOUT_SECONDS = 600.0


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
            # Forget callers with nothing recent, so the maps do not grow with every browser.
            for other in [
                k for k, v in self._failures.items() if not v or now - v[-1] > self.window
            ]:
                if other != who:
                    del self._failures[other]
            for other in [k for k, until in self._locked_until.items() if until <= now]:
                del self._locked_until[other]

    def message(self, seconds: int) -> str:
        """What a locked-out caller reads."""
        return (
            f"Too many wrong codes or keys from this browser. Try again in {seconds} seconds, "
            "and check the code with your teacher."
        )


def address_key(address: object) -> str | None:
    """What wrong guesses from a client address are counted under: an IPv4 address as it
    is, an IPv6 one by its /64 network (an IPv4 one written as IPv6 as IPv4); None when the
    address is unknown (a local connection)."""
    if not isinstance(address, str) or not address.strip():
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:100]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _wait_words(seconds: int) -> str:
    if seconds <= 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


class Guesses:
    """Wrong class codes and teacher keys, counted per browser and per client address."""

    def __init__(
        self, address_failures: int = ADDRESS_FAILURES, clock: Callable[[], float] = time.monotonic
    ):
        """Args:
        address_failures: wrong guesses from one address within 10 minutes before the
            address waits 10 minutes (``HostLimits.guesses_per_address``).
        clock: seconds from any fixed start (``time.monotonic``).
        """
        self.browsers = GuessLimiter(clock=clock)
        self.addresses = GuessLimiter(
            address_failures, ADDRESS_WINDOW_SECONDS, ADDRESS_LOCKOUT_SECONDS, clock
        )

    def refusal(self, browser: str, address: object) -> str | None:
        """Why this browser, or its address, may not guess now; None when it may."""
        where = address_key(address)
        if where is not None and (seconds := self.addresses.wait_seconds(where)):
            return (
                "Too many wrong class codes or teacher keys came from your network (a school "
                "or home connection) in the last few minutes. Joining or opening a class from "
                f"it can start again in {_wait_words(seconds)}: check the code with your "
                "teacher meanwhile."
            )
        if seconds := self.browsers.wait_seconds(browser):
            return self.browsers.message(seconds)
        return None

    def failed(self, browser: str, address: object) -> None:
        """Count a wrong guess against the browser and its address."""
        self.browsers.failed(browser)
        if (where := address_key(address)) is not None:
            self.addresses.failed(where)
