"""Waiting for a state, never for a time: the helpers every test that polls uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str, seconds: float = 60, every: float = 0.05
) -> T:
    """Call ``condition`` until it returns something true, and return that.

    Args:
        condition: reads the state the test is about to assert; it must not change it.
        what: the state in words, for the failure message.
        seconds: how long the state may take to come on a busy machine.
        every: the pause between two looks.

    Raises:
        Failed: the state did not come within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:g} s for {what}; it did not come")
        time.sleep(every)
