"""Lessons in links: round trips, damaged and forged lesson links, and what a lesson fixes."""

import json
from dataclasses import fields

import pytest

from builder.errors import SpecError
from builder.experiment import lesson, share
from builder.experiment.lesson import (
    GROUPS,
    HIDDEN,
    LOCKED,
    MAX_LINK_CHARS,
    MAX_NOTE_CHARS,
    Lesson,
    decode,
    encode,
    from_query,
    group_of,
    to_query,
)
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment, TrainSpec

NOTE = "Try three learning rates; which one diverges?"


def _pack(data, version: str = "1") -> str:
    return f"{version}.{share.pack(data)}"


def test_a_lesson_round_trips_through_a_short_link():
    wanted = Lesson(note=NOTE, groups={"data": LOCKED, "network": LOCKED, "seed": HIDDEN})
    link = encode(wanted)
    assert share.unpack(link.split(".", 1)[1], 1000, "bad") == {
        "note": NOTE,
        "groups": {"data": "locked", "network": "locked", "seed": "hidden"},
    }
    assert decode(link) == wanted and len(link) < 150
    assert decode(encode(Lesson())) == Lesson()


def test_a_lesson_link_carries_the_experiment_and_the_lesson():
    experiment = preset_experiment("wine-type")
    wanted = Lesson(note=NOTE, groups={"data": LOCKED})
    query = to_query(experiment, wanted)
    assert share.from_query(query) == experiment
    assert from_query(query) == wanted
    assert from_query(share.to_query(experiment)) is None


def test_editable_groups_do_not_travel():
    assert Lesson(groups={"epochs": "editable", "data": LOCKED}).groups == {"data": LOCKED}
    assert Lesson(groups={"data": LOCKED}).editable() == [n for n in GROUPS if n != "data"]


def test_every_setting_belongs_to_exactly_one_group():
    raw = Experiment().to_dict()
    paths = [section for section in ("data", "prep", "network")]
    paths += [f"train.{f.name}" for f in fields(TrainSpec)]
    held = [path for group in GROUPS.values() for path in group.settings]
    assert sorted(held) == sorted(paths)
    assert set(raw) - {"name", "version"} == {"data", "prep", "network", "train"}
    assert group_of("train", "learning_rate") == "learning_rate"
    assert group_of("network", "units") == "network" and group_of("prep", "seed") == "preprocessing"
    assert group_of("train", "momentum") == "optimizer"


def test_changes_to_fixed_groups_are_found_refused_and_set_back():
    reference = preset_experiment("wine-type")
    rules = Lesson(groups={"data": LOCKED, "network": HIDDEN})
    edited = preset_experiment("wine-type")
    edited.train.learning_rate = 0.1
    assert rules.changed(reference, edited) == []
    rules.check(reference, edited)  # an editable group may change
    edited.network.hidden[0].units = 99
    edited.data.excluded = [*edited.data.excluded, "pH"]
    assert rules.changed(reference, edited) == ["data", "network"]
    with pytest.raises(SpecError, match=r"lesson fixes.*data.*network"):
        rules.check(reference, edited)
    restored = rules.restore(reference, edited)
    assert restored.network == reference.network and restored.data == reference.data
    assert restored.train.learning_rate == 0.1


def test_a_note_is_capped_and_kept_plain():
    assert Lesson(note="  a\nb  ").note == "a\nb"
    with pytest.raises(SpecError, match=f"at most {MAX_NOTE_CHARS}"):
        Lesson(note="x" * (MAX_NOTE_CHARS + 1))
    with pytest.raises(SpecError, match="control characters"):
        Lesson(note="ring\x07")


GOOD = encode(Lesson(note=NOTE, groups={"data": LOCKED, "network": LOCKED}))
BAD_LINKS = {
    "empty": ("", "does not hold a lesson"),
    "no version": (GOOD.split(".", 1)[1], "does not hold a lesson"),
    "cut short": (GOOD[:-10], "does not hold a lesson"),
    "not base64": ("1.!!!$$$", "does not hold a lesson"),
    "another version": (_pack({"note": "hi"}, version="2"), "lesson version 2"),
    "a bad group name": (_pack({"groups": {"weather": "locked"}}), "no control group 'weather'"),
    "a bad state": (_pack({"groups": {"data": "frozen"}}), "Received: 'frozen'"),
    "groups not a mapping": (_pack({"groups": ["data"]}), "must be a mapping"),
    "a bad note": (_pack({"note": 5}), "note must be a text"),
    "a long note": (_pack({"note": "x" * 400}), "at most 300"),
    "an unknown key": (_pack({"owner": "me"}), "does not hold a lesson"),
    "a list": (_pack([1, 2]), "does not hold a lesson"),
    "too long": ("1." + "A" * MAX_LINK_CHARS, f"at most {MAX_LINK_CHARS:,}"),
    "a zip bomb": (_pack({"note": " " * 100_000}), "more than 4,000 bytes"),
}


@pytest.mark.parametrize("name", list(BAD_LINKS))
def test_damaged_lesson_links_are_refused_with_a_message(name):
    text, says = BAD_LINKS[name]
    with pytest.raises(SpecError, match=says):
        decode(text)


def test_a_damaged_lesson_parameter_is_refused_from_the_query():
    with pytest.raises(SpecError):
        from_query({lesson.PARAM: GOOD[:-10], share.PARAM: share.encode(Experiment())})
    assert json.loads(json.dumps(from_query({lesson.PARAM: GOOD}).groups)) == {
        "data": "locked",
        "network": "locked",
    }
