"""Experiment files: the JSON text and its size cap."""

import pytest

from builder.errors import SpecError
from builder.experiment.experiment_file import MAX_FILE_BYTES, from_json, to_json
from builder.experiment.presets import preset_experiment


def test_a_file_round_trips_and_opens_with_a_byte_order_mark():
    experiment = preset_experiment("titanic")
    experiment.name = "Überleben 🚢"
    text = to_json(experiment)
    assert "Überleben 🚢" in text  # readable, not escaped
    assert from_json(text) == experiment
    assert from_json(b"\xef\xbb\xbf" + text.encode()) == experiment


def test_an_oversized_file_is_refused_before_parsing():
    with pytest.raises(SpecError, match="at most 200,000 bytes"):
        from_json(b" " * (MAX_FILE_BYTES + 1))
