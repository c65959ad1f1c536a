"""The weights a worker saves while it trains, so an interrupted run can continue.

The worker writes into a folder the server chose inside the workspace (never one a
browser named). Each file is written under a temporary name and renamed into place,
so the newest complete file is always a whole one, even after a kill mid-write. The two
newest are kept: the server writes the run's epochs once a second, so after a crash
the newest weights may be a little ahead of the epochs it kept, and the run continues
from the newest weights that are not.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

SAVED = re.compile(r"epoch-(\d{6})\.weights\.h5")
# The weights the run started from (``layer_weights`` output): a run continued from a
# checkpoint still reports them, so a restart from it starts where it started.
INITIAL = "initial-weights.json"


def saved_path(folder: str | os.PathLike, epoch: int) -> Path:
    """Where the weights after ``epoch`` (1-based) go."""
    return Path(folder) / f"epoch-{epoch:06d}.weights.h5"


def partial_path(folder: str | os.PathLike, epoch: int) -> Path:
    """The temporary name a checkpoint is written under before it is renamed into place."""
    return Path(folder) / f"partial-{epoch:06d}.weights.h5"


KEPT = 2


def _saved(folder: str | os.PathLike) -> list[tuple[int, Path]]:
    """The complete checkpoints in ``folder`` as (epoch, path), oldest first."""
    if not os.path.isdir(folder):
        return []
    return sorted(
        (int(match[1]), Path(folder) / name)
        for name in os.listdir(folder)
        if (match := SAVED.fullmatch(name))
    )


def latest(folder: str | os.PathLike, at_most: int | None = None) -> tuple[int, Path] | None:
    """The newest complete checkpoint in ``folder`` as (epoch, path), of an epoch no later
    than ``at_most`` when given; None when there is none."""
    found = [(epoch, path) for epoch, path in _saved(folder) if at_most is None or epoch <= at_most]
    return found[-1] if found else None


def prune(folder: str | os.PathLike) -> None:
    """Remove all but the ``KEPT`` newest checkpoints, and any partial file, from ``folder``."""
    for _, path in _saved(folder)[:-KEPT]:
        path.unlink(missing_ok=True)
    for name in os.listdir(folder):
        if name.startswith("partial-"):
            (Path(folder) / name).unlink(missing_ok=True)


def save_initial(folder: str | os.PathLike, weights: dict[str, Any]) -> None:
    """Keep the weights a run started from in ``folder`` (nothing when it is gone)."""
    if not os.path.isdir(folder):  # the student deleted their data meanwhile
        return
    partial = Path(folder) / f"partial-{INITIAL}"
    partial.write_text(json.dumps(weights))
    os.replace(partial, Path(folder) / INITIAL)


def initial(folder: str | os.PathLike) -> dict[str, Any] | None:
    """The weights kept by ``save_initial``; None when there are none."""
    try:
        return json.loads((Path(folder) / INITIAL).read_text())
    except (OSError, ValueError):
        return None
