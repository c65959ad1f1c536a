"""The weights a worker saves while it trains, so an interrupted run can continue.

The worker writes into a folder the server chose inside the workspace (never one a
browser named). Each file is written under a temporary name and renamed into place,
so the newest complete file is always a whole one, even after a kill mid-write.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SAVED = re.compile(r"epoch-(\d{6})\.weights\.h5")


def saved_path(folder: str | os.PathLike, epoch: int) -> Path:
    """Where the weights after ``epoch`` (1-based) go."""
    return Path(folder) / f"epoch-{epoch:06d}.weights.h5"


def partial_path(folder: str | os.PathLike, epoch: int) -> Path:
    """The temporary name a checkpoint is written under before it is renamed into place."""
    return Path(folder) / f"partial-{epoch:06d}.weights.h5"


def latest(folder: str | os.PathLike) -> tuple[int, Path] | None:
    """The newest complete checkpoint in ``folder`` as (epoch, path); None when there is none."""
    found = []
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if match := SAVED.fullmatch(name):
                found.append((int(match[1]), Path(folder) / name))
    return max(found) if found else None


def keep_only(folder: str | os.PathLike, kept: Path) -> None:
    """Remove every checkpoint and partial file in ``folder`` but ``kept``."""
    for name in os.listdir(folder):
        path = Path(folder) / name
        if path != kept and (SAVED.fullmatch(name) or name.startswith("partial-")):
            path.unlink(missing_ok=True)
