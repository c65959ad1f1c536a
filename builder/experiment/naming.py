"""What runs and downloads are called: the data's short name, the preset, the run number.

``iris · run 2`` on screen and ``iris-run-2.keras`` on disk, so a student can tell their
downloads apart and match each to the run in the app.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from builder.experiment.presets import PRESETS
from builder.experiment.spec import Experiment
from builder.tables.samples import SAMPLES


def _slug(text: str) -> str:
    """Letters, digits, ``_`` and ``-`` only, lower case, at most 40 characters."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:40].strip("-_")


def _data_name(experiment: Experiment) -> str:
    """The sample's key, or the stem of the first uploaded file ('' without data)."""
    data = experiment.data
    if data.source in SAMPLES:
        return data.source
    named = data.files[0] if data.files else data.title
    return _slug(PurePath(named.replace("\\", "/")).stem) if named else ""


def stem(experiment: Experiment) -> str:
    """The experiment's short name: its data, with the preset it follows when that adds a word.

    ``iris`` (the iris preset, or iris data), ``pima-small`` (a preset named after its
    data), ``pima-lr-too-high`` (a lesson preset on pima), ``tips`` (an upload of
    tips.csv); ``experiment`` when nothing names it.
    """
    data = _data_name(experiment)
    name = _slug(experiment.name) if experiment.name != "untitled" else ""
    preset = PRESETS.get(experiment.name)
    if preset is not None and preset.experiment.data.source != experiment.data.source:
        name = ""  # the preset's name is left over from data loaded before this one
    if not name or name == data:
        return data or "experiment"
    if not data or name.startswith(f"{data}-"):
        return name
    return f"{data}-{name}"


def run_name(experiment: Experiment, number: int) -> str:
    """A run as the pages show it: ``iris · run 2``."""
    return f"{stem(experiment)} · run {number}"


def run_file_stem(experiment: Experiment, number: int) -> str:
    """A run's downloads without their extension: ``iris-run-2``."""
    return f"{stem(experiment)}-run-{number}"
