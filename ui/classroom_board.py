"""The class board: the teacher's live table and chart, a student's own view, and the
challenge mark on a student's Train page."""

from __future__ import annotations

import time

import streamlit as st

from builder.classroom.board import (
    ENDED,
    board_rows,
    board_table,
    student_rank,
    validation_curves,
)
from builder.classroom.challenges import mark
from builder.classroom.codes import ClassError
from builder.config import load_limits
from builder.errors import DataError, SpecError
from builder.experiment.spec import check_limits
from builder.plots.charts_training import comparison_figure
from ui import boundary, classroom, state
from ui.text import literal

BOARD_SECONDS = 3.0  # students' runs end every few seconds in a busy class
STUDENT_SECONDS = 5.0


def render_teacher(code: str, key: str) -> None:
    """The board of the class that ``code`` and ``key`` open, refreshed on a timer."""
    try:
        info = classroom.classes().teacher_class(code, key)
    except ClassError as error:  # ended since it was opened
        classroom.close_board()
        st.error(literal(error), icon=":material/error:")
        return
    st.subheader(f"Class board: {literal(info.title)}")
    st.caption(
        f"Class code **{info.code}** · closes {classroom.closes(info)}"
        + (f" · challenge: {literal(info.challenge.goal)}" if info.challenge else "")
    )
    left, right = st.columns([3, 1])
    left.toggle(
        "Students see the board (only their own runs and their rank)",
        value=info.students_see_board,
        key="class_board_students_see",
        on_change=boundary.callback(_set_students_see),
        args=(code, key),
        help="Off: only you see the board. On: each student sees their own rows and place, "
        "never another student's name or run.",
    )
    right.button(
        "Close the board",
        key="class_board_close",
        on_click=boundary.callback(classroom.close_board),
        help="Forget the teacher key in this tab; enter it again to come back.",
    )
    if message := st.session_state.pop("class_board_message", None):
        st.success(message, icon=":material/open_in_browser:")
    _live_board(code, key)


def _set_students_see(code: str, key: str) -> None:
    """Keep the teacher's choice (a toggle callback); a class that ended meanwhile closes
    the board, whose next run says so."""
    try:
        info = classroom.classes().teacher_class(code, key)
        flag = st.session_state.class_board_students_see
        classroom.classes().update(code, key, info.challenge, flag)
    except ClassError:
        pass  # render_teacher reads the class again and shows why it cannot


@st.fragment(run_every=BOARD_SECONDS)
@boundary.guarded
def _live_board(code: str, key: str) -> None:
    """The table, the curves and the chooser, read again every few seconds."""
    started = time.perf_counter()
    try:
        info = classroom.classes().teacher_class(code, key)
    except ClassError as error:
        st.error(literal(error), icon=":material/error:")
        return
    students = classroom.classes().students(info.code)
    rows = board_rows(students, info.lesson, info.challenge)
    training = sum(run.state not in ENDED for _, _, runs in students for run in runs)
    read_ms = (time.perf_counter() - started) * 1000
    st.caption(
        f"{len(students)} students · {len(rows)} ended runs · {training} training · "
        f"board read in {read_ms:.0f} ms, again every {BOARD_SECONDS:g} s"
    )
    _remove_form(code, key, students)
    if not rows:
        st.info("No runs yet: students' runs appear here as they end.", icon=":material/groups:")
        return
    st.dataframe(board_table(rows), key="class_board_table", hide_index=True)
    curves = validation_curves(rows)
    if curves:
        fig = comparison_figure(curves, "val_loss")
        fig.update_layout(title="The class's validation loss")
        st.plotly_chart(fig, key="class_board_chart")
    by_label = {f"{row.student} · run {row.run.number}": row for row in rows}
    chosen = st.selectbox(
        "A student's run",
        list(by_label),
        key="class_board_pick",
        help="Choose a run to open its experiment here, on your screen.",
    )
    if st.button(
        "Open this experiment",
        key="class_board_open",
        help="Load the student's settings into your Build and Train pages (your own runs "
        "stay as they are).",
    ):
        _open_run(chosen, by_label[chosen].run.experiment)


def _remove_form(code: str, key: str, students: list) -> None:
    """The teacher's Remove: a student chosen by name leaves the class, freeing the seat."""
    if message := st.session_state.pop("class_remove_message", None):
        st.success(message, icon=":material/person_remove:")
    if not students:
        return
    names = {wid: name for name, wid, _ in students}  # names are plain text in a selectbox
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Remove a student",
        list(names),
        index=None,
        format_func=names.get,
        placeholder="Choose a student",
        key="class_remove_pick",
        help="For a name that is not your student's, or a seat taken twice: the seat is "
        "freed and their runs leave the board. They can join again only with the code.",
    )
    right.button(
        "Remove from the class",
        key="class_remove",
        disabled=chosen is None,
        on_click=boundary.callback(_remove),
        args=(code, key, chosen),
        help="Take the chosen student out of the class.",
    )


def _remove(code: str, key: str, wid: str | None) -> None:
    """Remove the chosen student (a button callback); the next run says what happened."""
    if wid is None:
        return
    try:
        removed = classroom.classes().remove(code, key, wid)
    except ClassError:
        return  # the class ended: the board's next run says so
    st.session_state.class_remove_pick = None
    st.session_state.class_remove_message = (
        "Removed: their seat is free and their runs have left the board. Their page says "
        "they were removed; they can join again only with the class code."
        if removed
        else "That student had already left the class."
    )


def _open_run(label: str, experiment) -> None:
    try:
        check_limits(experiment, load_limits())
        state.apply_experiment(experiment)
    except (SpecError, DataError) as error:
        st.error(literal(f"{label} could not be opened here: {error}"), icon=":material/error:")
        return
    st.session_state.class_board_message = literal(
        f"Opened {label}'s experiment: see it on the Build and Train pages."
    )
    st.rerun(scope="app")


@st.fragment(run_every=STUDENT_SECONDS)
@boundary.guarded
def render_student(info) -> None:
    """A student's own rows and place, when the teacher lets students see the board."""
    wid = st.session_state.workspace_id
    students = classroom.classes().students(info.code)
    if wid not in {member for _, member, _ in students}:  # removed (or left in another tab)
        st.rerun(scope="app")  # the page then says why
    rows = board_rows(students, info.lesson, info.challenge)
    mine = [row for row in rows if row.workspace == wid]
    rank = student_rank(rows, wid)
    st.subheader("Your runs on the class board")
    if rank is not None:
        st.caption(f"Your best run is number {rank[0]} of {rank[1]} students with a score.")
    if mine:
        st.dataframe(board_table(mine, show_student=False), key="class_own_table", hide_index=True)
    else:
        st.caption("Your runs appear here once they end.")


def render_train_mark(runs: list) -> None:
    """On the Train page: the latest ended class run of this student, marked against the
    class's challenge (nothing when not in a class with a challenge), or the notice that
    the teacher removed them."""
    wid = st.session_state.workspace_id
    member = classroom.classes().membership(wid)
    if member is None and (code := classroom.classes().removed_from(wid)):
        classroom.removed_notice(code)
    if member is None or member.info.challenge is None:
        return
    ended = [r for r in runs if r.number >= member.first_run and r.state in ENDED]
    challenge = member.info.challenge
    if not ended:
        st.caption(
            f"Class challenge: {literal(challenge.goal)} Your next run is marked against it."
        )
        return
    latest = ended[-1]
    result = mark(challenge, latest)
    show = st.success if result.passed else st.warning
    show(
        f"Class challenge, {literal(latest.name)}: **{literal(result.label)}**. "
        f"{literal(result.reason)}",
        icon=":material/flag:",
    )
