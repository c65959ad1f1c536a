"""A lesson: what a teacher lets a class change, and a short note shown on every page.

A teacher thinks in a few groups of controls, not in single settings, so a lesson
gives each *control group* one state: ``editable`` (the default), ``locked`` (shown but
fixed) or ``hidden`` (not shown, and fixed too). The groups cover every setting of an
``Experiment`` exactly once (a test holds them to it):

- ``data``: the sample or upload, the target, the task and the columns left out;
- ``preprocessing``: scaling, encoding, missing values, the test split and its seed;
- ``network``: the hidden layers, the output layer and the loss;
- ``optimizer``: the optimizer and its momentum;
- ``learning_rate``, ``batch_size``, ``epochs``: one setting each;
- ``validation``: validation data, early stopping and class balancing;
- ``seed``: the training seed (starting weights and shuffling).

A lesson link is an experiment link (``share``) plus ``lesson=<version>.<payload>``:
the note and the groups that are not editable, as compact JSON, deflated and written in
URL-safe base64 like the experiment. The fixed values are the link's experiment's own.
A link is never trusted: it is capped in length, every group and state is checked, and
any problem raises ``SpecError`` with a sentence.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.errors import SpecError
from builder.experiment import share
from builder.experiment.spec import Experiment

PARAM = "lesson"
VERSION = 1
MAX_NOTE_CHARS = 300
MAX_LINK_CHARS = 2_000
MAX_JSON_BYTES = 4_000
EDITABLE, LOCKED, HIDDEN = "editable", "locked", "hidden"
STATES = (EDITABLE, LOCKED, HIDDEN)
_BAD_LINK = "This link does not hold a lesson (it may have been cut short when copied)."


@dataclass(frozen=True)
class Group:
    """A group of controls a lesson locks or hides together.

    Attributes:
        label: what the group is called on the Export page and in tooltips.
        settings: the experiment's settings it holds, as ``section`` or ``section.attr``.
    """

    label: str
    settings: tuple[str, ...]


GROUPS = {
    "data": Group("data (sample or upload, target, task, columns left out)", ("data",)),
    "preprocessing": Group("preprocessing (scaling, encoding, missing values, split)", ("prep",)),
    "network": Group("network (hidden layers, output, loss)", ("network",)),
    "optimizer": Group("optimizer (and momentum)", ("train.optimizer", "train.momentum")),
    "learning_rate": Group("learning rate", ("train.learning_rate",)),
    "batch_size": Group("batch size", ("train.batch_size",)),
    "epochs": Group("epochs", ("train.epochs",)),
    "validation": Group(
        "validation and early stopping (and class balancing)",
        (
            "train.validation",
            "train.validation_split",
            "train.early_stopping",
            "train.patience",
            "train.restore_best_weights",
            "train.class_weights",
        ),
    ),
    "seed": Group("training seed", ("train.seed",)),
}


def group_of(section: str, attr: str) -> str:
    """The group holding setting ``attr`` of experiment section ``section`` (e.g. "train").

    Raises:
        KeyError: no group holds the setting.
    """
    for name, group in GROUPS.items():
        if section in group.settings or f"{section}.{attr}" in group.settings:
            return name
    raise KeyError(f"No lesson group holds {section}.{attr}")


def _values(raw: dict[str, Any], group: str) -> dict[str, Any]:
    """The settings of ``group`` in an experiment's ``to_dict()``, by path."""
    values = {}
    for path in GROUPS[group].settings:
        section, _, attr = path.partition(".")
        values[path] = raw[section][attr] if attr else raw[section]
    return values


@dataclass
class Lesson:
    """A note for the class and the state of each control group (editable when not named).

    Attributes:
        note: shown at the top of every page; at most ``MAX_NOTE_CHARS`` characters.
        groups: the groups that are ``locked`` or ``hidden``, by name.
    """

    note: str = ""
    groups: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.note, str) or len(self.note) > MAX_NOTE_CHARS:
            raise SpecError(
                f"A lesson's note must be a text of at most {MAX_NOTE_CHARS} characters."
            )
        if any(ord(c) < 32 and c != "\n" for c in self.note):
            raise SpecError("A lesson's note may hold line breaks but no other control characters.")
        self.note = self.note.strip()
        if not isinstance(self.groups, dict):
            raise SpecError(f"A lesson's groups must be a mapping. Received: {self.groups!r:.60}")
        for name, state in self.groups.items():
            if name not in GROUPS:
                raise SpecError(
                    f"A lesson has no control group {name!r:.40}. Groups: {', '.join(GROUPS)}."
                )
            if state not in STATES:
                raise SpecError(
                    f"Group {name!r} must be one of {', '.join(STATES)}. Received: {state!r:.40}"
                )
        # Editable is the default, so it never travels: one lesson, one link.
        self.groups = {name: state for name, state in self.groups.items() if state != EDITABLE}

    def state(self, group: str) -> str:
        """``editable``, ``locked`` or ``hidden`` for control group ``group``."""
        return self.groups.get(group, EDITABLE)

    def fixed(self) -> list[str]:
        """The groups a student cannot change (locked or hidden), in the groups' order."""
        return [name for name in GROUPS if self.state(name) != EDITABLE]

    def editable(self) -> list[str]:
        """The groups a student can change, in the groups' order."""
        return [name for name in GROUPS if self.state(name) == EDITABLE]

    def changed(self, reference: Experiment, experiment: Experiment) -> list[str]:
        """The fixed groups whose settings in ``experiment`` differ from ``reference``'s."""
        before, after = reference.to_dict(), experiment.to_dict()
        return [name for name in self.fixed() if _values(before, name) != _values(after, name)]

    def check(self, reference: Experiment, experiment: Experiment) -> None:
        """Refuse an experiment that changes what the lesson fixes.

        Raises:
            SpecError: naming the fixed groups that ``experiment`` changes.
        """
        if changed := self.changed(reference, experiment):
            labels = "; ".join(GROUPS[name].label for name in changed)
            raise SpecError(
                f"The lesson fixes these settings, and this would change them: {labels}."
            )

    def restore(self, reference: Experiment, experiment: Experiment) -> Experiment:
        """A copy of ``experiment`` with every fixed group set back to ``reference``'s."""
        raw, fixed = copy.deepcopy(experiment.to_dict()), reference.to_dict()
        for name in self.fixed():
            for path, value in _values(fixed, name).items():
                section, _, attr = path.partition(".")
                if attr:
                    raw[section][attr] = copy.deepcopy(value)
                else:
                    raw[section] = copy.deepcopy(value)
        return Experiment.from_dict(raw)


def encode(lesson: Lesson) -> str:
    """The lesson as a short URL-safe text: ``"<version>.<base64url of deflated JSON>"``."""
    return f"{VERSION}.{share.pack({'note': lesson.note, 'groups': lesson.groups})}"


def decode(text: str) -> Lesson:
    """Rebuild the lesson a link holds.

    Raises:
        SpecError: the text is damaged, too long, of another version or holds a bad value.
    """
    if not isinstance(text, str) or len(text) > MAX_LINK_CHARS:
        raise SpecError(f"A lesson link must be at most {MAX_LINK_CHARS:,} characters. {_BAD_LINK}")
    version, dot, payload = text.strip().partition(".")
    if not dot or not version.isdigit():
        raise SpecError(_BAD_LINK)
    if int(version) != VERSION:
        raise SpecError(
            f"This lesson was made for lesson version {version:.10}; this app reads version "
            f"{VERSION}. Ask for a new link."
        )
    raw = share.unpack(payload, MAX_JSON_BYTES, _BAD_LINK)
    if not isinstance(raw, dict) or set(raw) - {"note", "groups"}:
        raise SpecError(_BAD_LINK)
    return Lesson(note=raw.get("note", ""), groups=raw.get("groups", {}))


def from_query(params: Mapping[str, str]) -> Lesson | None:
    """The lesson of a link's query parameters, or None when it has none.

    Raises:
        SpecError: the lesson parameter is damaged.
    """
    return decode(params[PARAM]) if PARAM in params else None


def to_query(experiment: Experiment, lesson: Lesson) -> dict[str, str]:
    """The query parameters of a lesson link: the experiment and the lesson."""
    return {**share.to_query(experiment), PARAM: encode(lesson)}
