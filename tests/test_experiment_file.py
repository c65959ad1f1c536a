"""Experiment files: the JSON text, its size cap, and a safe file name."""

import pytest

from builder.errors import SpecError
from builder.experiment.experiment_file import MAX_FILE_BYTES, file_stem, from_json, to_json
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment


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


def test_file_names_keep_only_safe_characters():
    assert file_stem(preset_experiment("wine-type")) == "wine-type"
    assert file_stem(Experiment(name="../../etc/passwd")) == "etc-passwd"
    assert file_stem(Experiment(name="???")) == "experiment"
