"""The lesson in force (``builder.experiment.lesson``): its note on every page, and how a
control of a fixed group is drawn (disabled, saying why) or left out.

The lesson comes from the link (``ui.share.restore_from_url``) with the experiment whose
values it fixes, and both stay in the session. This module reads them only, so
``ui.state.bind`` can apply a lock to every setting widget in one place.
"""

from __future__ import annotations

import streamlit as st

from builder.experiment import lesson as rules
from builder.experiment.lesson import EDITABLE, GROUPS, HIDDEN, Lesson
from builder.experiment.spec import (
    DataSpec,
    Experiment,
    LayerSpec,
    NetworkSpec,
    PrepSpec,
    TrainSpec,
)
from builder.tables.samples import SAMPLES
from ui.text import literal

LESSON = "lesson"
REFERENCE = "lesson_experiment"
# Every group a preset, an experiment file or a lesson of one's own would replace.
EVERYTHING = tuple(GROUPS)
SECTIONS = {
    DataSpec: "data",
    PrepSpec: "prep",
    NetworkSpec: "network",
    LayerSpec: "network",
    TrainSpec: "train",
}


def current() -> Lesson | None:
    """The lesson in force in this session, or None."""
    return st.session_state.get(LESSON)


def begin(lesson: Lesson, experiment: Experiment) -> None:
    """Put ``lesson`` in force, fixing its groups at ``experiment``'s values."""
    st.session_state[LESSON] = lesson
    st.session_state[REFERENCE] = experiment.to_dict()


def reference() -> Experiment | None:
    """The experiment whose values the lesson fixes (a fresh copy), or None."""
    raw = st.session_state.get(REFERENCE)
    return None if raw is None else Experiment.from_dict(raw)


def state_of(group: str) -> str:
    """``editable``, ``locked`` or ``hidden``: how the lesson treats control group ``group``."""
    lesson = current()
    return EDITABLE if lesson is None else lesson.state(group)


def shown(group: str) -> bool:
    """Whether the controls of ``group`` are drawn at all."""
    return state_of(group) != HIDDEN


def group_of(owner: object, attr: str) -> str:
    """The control group of setting ``attr`` of a spec object (``experiment.train``, a layer)."""
    return rules.group_of(SECTIONS[type(owner)], attr)


def controls(*groups: str, help_text: str, disabled: bool = False) -> dict:
    """A widget's ``disabled`` and ``help`` arguments under the lesson.

    Args:
        groups: the control groups the widget changes (a preset button changes them all).
        help_text: the widget's own help.
        disabled: whether the widget is disabled for a reason of its own.

    Returns:
        ``{"disabled": ..., "help": ...}``: disabled, with a help saying the lesson fixes
        it, when any of ``groups`` is locked or hidden.
    """
    fixed = [GROUPS[group].label for group in groups if state_of(group) != EDITABLE]
    if not fixed:
        return {"disabled": disabled, "help": help_text}
    return {"disabled": True, "help": f"Fixed by the lesson: {'; '.join(fixed)}.\n\n{help_text}"}


def uploads_data() -> bool:
    """Whether the lesson runs on an uploaded file, which each student uploads themselves."""
    fixed = reference()
    return fixed is not None and fixed.data.source not in SAMPLES


def keep_data_source() -> None:
    """When the lesson fixes the data, the Data page's source choices show the lesson's."""
    if state_of("data") == EDITABLE:
        return
    source = reference().data.source
    st.session_state.data_source_kind = "sample" if source in SAMPLES else "upload"
    if source in SAMPLES:
        st.session_state.data_sample = source


def check(experiment: Experiment) -> None:
    """Refuse an experiment that changes what the lesson fixes.

    Raises:
        SpecError: naming the fixed groups it changes.
    """
    lesson = current()
    if lesson is not None:
        lesson.check(reference(), experiment)


def query() -> dict[str, str]:
    """The lesson's query parameter, to keep it in the address bar (empty without a lesson)."""
    lesson = current()
    return {} if lesson is None else {rules.PARAM: rules.encode(lesson)}


def show_note() -> None:
    """The lesson's note, at the top of every page; a teacher's text, shown as plain text."""
    lesson = current()
    if lesson is not None and lesson.note:
        st.info(literal(lesson.note), icon=":material/school:")
