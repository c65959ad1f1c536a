"""An experiment as a JSON file: what the Export page downloads and opens again.

The file holds ``Experiment.to_dict()``, so it is read back by the same
``Experiment.from_dict`` that validates links and presets. A file is never
trusted: its size is capped and any problem becomes a ``SpecError`` the page
can show.
"""

from __future__ import annotations

import json

from builder.errors import SpecError
from builder.experiment.spec import Experiment

MAX_FILE_BYTES = 200_000


def to_json(experiment: Experiment) -> str:
    """The experiment as indented JSON text, readable in any editor."""
    return json.dumps(experiment.to_dict(), indent=2, ensure_ascii=False) + "\n"


def from_json(content: bytes | str) -> Experiment:
    """Read an experiment file.

    Args:
        content: the file's bytes (UTF-8) or text.

    Returns:
        The validated experiment.

    Raises:
        SpecError: the file is too big, not JSON, or holds a bad setting (named).
    """
    if len(content) > MAX_FILE_BYTES:
        raise SpecError(
            f"An experiment file is at most {MAX_FILE_BYTES:,} bytes; this one has "
            f"{len(content):,}. Choose a file the app saved."
        )
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        raw = json.loads(text)
        # A JSON escape can spell half a character (\ud800), which no page or link can show.
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError) as error:
        raise SpecError(
            "This file is not an experiment: it does not hold readable JSON text. "
            "Choose a .json file the app saved."
        ) from error
    return Experiment.from_dict(raw)
