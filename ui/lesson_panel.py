"""The Export page's "Share with a class" panel: a teacher chooses what students may change,
writes a note, and copies a lesson link built from the current experiment."""

from urllib.parse import urlencode

import streamlit as st

from builder.errors import SpecError
from builder.experiment import lesson as rules
from builder.experiment.lesson import EDITABLE, GROUPS, HIDDEN, LOCKED, MAX_NOTE_CHARS, Lesson
from builder.experiment.spec import Experiment
from ui import lesson, state
from ui.text import literal

STATE_NAMES = {
    EDITABLE: "editable",
    LOCKED: "shown but locked",
    HIDDEN: "hidden (and fixed)",
}
NOTE = "lesson_note"


def _choices(start: Lesson) -> dict[str, str]:
    """One choice per control group, three to a row; returns the state of each group."""
    chosen = {}
    columns = st.columns(3)
    for position, (name, group) in enumerate(GROUPS.items()):
        key = f"lesson_group_{name}"
        state.keep_choice(key, list(STATE_NAMES), start.state(name))
        chosen[name] = columns[position % 3].selectbox(
            group.label.capitalize(),
            list(STATE_NAMES),
            format_func=STATE_NAMES.get,
            key=key,
            help=f"Editable: students change the {group.label} as they like. Locked: they see "
            "it but cannot change it. Hidden: it is not shown, and stays as it is now.",
        )
    return chosen


def _summary(made: Lesson) -> str:
    """What the students will be able to do, in words."""
    parts = []
    for label, names in (
        ("Students will be able to change", made.editable()),
        ("They will see but not change", [n for n in GROUPS if made.state(n) == LOCKED]),
        ("Hidden from them", [n for n in GROUPS if made.state(n) == HIDDEN]),
    ):
        if names:
            parts.append(f"{label}: {', '.join(GROUPS[n].label for n in names)}.")
    return " ".join(parts) if made.fixed() else "Nothing is locked: students may change everything."


def render(experiment: Experiment) -> None:
    """The group choices, the note, the lesson link to copy and what it will do."""
    st.subheader("Share with a class")
    st.caption(
        "A lesson link opens these settings for every student, with the controls you lock "
        "drawn disabled and the ones you hide left out, and your note at the top of every page."
    )
    start = lesson.current() or Lesson()
    chosen = _choices(start)
    state.keep_choice(NOTE, None, start.note)
    note = st.text_area(
        "Note for the class",
        key=NOTE,
        max_chars=MAX_NOTE_CHARS,
        placeholder="Try three learning rates; which one diverges?",
        help=f"Shown at the top of every page (at most {MAX_NOTE_CHARS} characters).",
    )
    try:
        made = Lesson(note=note, groups=chosen)
    except SpecError as error:
        st.error(literal(f"This lesson cannot be shared yet. {error}"), icon=":material/school:")
        return
    # The link opens the Start page, not this one: st.context.url is the page's address.
    base = (st.context.url or "").removesuffix("export")
    st.code(f"{base}?{urlencode(rules.to_query(experiment, made))}", language=None, wrap_lines=True)
    st.caption(_summary(made))
