"""The Class page's panels: join or leave a class, create one, and open its board.

The teacher's code and key are kept in this session's state only (never in the address
bar or a cookie); the key is shown once, when the class is created. Wrong codes and keys
count against the browser's workspace and its client address in a server-wide
``limiter.Guesses``.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from builder.classroom.challenges import METRICS, READY, Challenge, lesson_challenge
from builder.classroom.codes import ClassError
from builder.classroom.limiter import Guesses
from builder.config import load_limits
from builder.errors import DataError, SpecError
from builder.experiment.spec import Experiment, check_limits
from builder.tables.samples import SAMPLES
from builder.workspace.classes import ClassInfo, ClassStore, Upload, WrongGuess, get_classes
from builder.workspace.store import get_store
from ui import boundary, state, workspace
from ui.text import literal

TEACHER = "class_teacher"  # (code, key) of the board this session opened
CREATED = "class_created"  # (code, key) to show once, just after creating
NO_CHALLENGE, OWN_GOAL = "none", "own"
_GUESSES: Guesses | None = None


def classes() -> ClassStore:
    return get_classes(get_store())


def plain(text: str) -> str:
    """``text`` shown literally in Markdown (``text.literal``): names and titles come from users."""
    return literal(text)


def closes(info: ClassInfo) -> str:
    when = dt.datetime.fromtimestamp(info.expires, dt.UTC)
    return when.strftime("%d %b %H:%M UTC")


def guesses() -> Guesses:
    """The server's count of wrong codes and keys, sized by the host's limits."""
    global _GUESSES
    if _GUESSES is None:
        _GUESSES = Guesses(load_limits().guesses_per_address)
    return _GUESSES


def client_address() -> str | None:
    """The browser's address as the server sees it; None for a local connection.

    Streamlit's web server (uvicorn) puts the client named in ``X-Forwarded-For`` in place
    of the proxy's address only when the connection comes from an address listed in
    ``FORWARDED_ALLOW_IPS`` (default: 127.0.0.1 and ::1, so ``deploy/nginx.py``'s nginx on
    the same machine is trusted): a browser cannot choose its own address by sending the
    header.
    """
    return st.context.ip_address


def _guarded(action, *args):
    """Run a code- or key-checking ``action`` unless the browser or its address is locked
    out; a code or key that opens nothing counts as a wrong guess. Returns the action's
    value, or None with an error shown."""
    wid, address = st.session_state.workspace_id, client_address()
    if refusal := guesses().refusal(wid, address):
        st.error(refusal, icon=":material/hourglass:")
        return None
    try:
        return action(*args)
    except ClassError as error:
        if isinstance(error, WrongGuess):
            guesses().failed(wid, address)
        st.error(literal(error), icon=":material/error:")
        return None


def render_membership() -> ClassInfo | None:
    """The class this browser is in (with Leave), else the form to join one."""
    wid = st.session_state.workspace_id
    member = classes().membership(wid)
    if member is not None:
        info, name = member.info, member.name
        st.success(
            f"You are in **{plain(info.title)}** as **{plain(name)}** (class code "
            f"{info.code}). Your runs from now on go to your teacher's board.",
            icon=":material/groups:",
        )
        if info.challenge:
            st.info(f"Challenge: {literal(info.challenge.goal)}", icon=":material/flag:")
        st.button(
            "Leave this class",
            key="class_leave",
            on_click=boundary.callback(classes().leave),
            args=(wid,),
            help="Your runs stop going to the board; your own work stays here.",
        )
        return info
    if code := classes().removed_from(wid):
        removed_notice(code)
        st.button(
            "Hide this notice",
            key="class_removed_hide",
            on_click=boundary.callback(classes().leave),
            args=(wid,),
            help="Forget the removal; you can join a class below.",
        )
    with st.form("class_join_form"):
        st.markdown("**Join a class**")
        code = st.text_input(
            "Class code",
            key="class_join_code",
            max_chars=12,
            help="The 8-character code your teacher shows, such as K7QM-3XPA.",
        )
        name = st.text_input(
            "Your name for the class",
            key="class_join_name",
            max_chars=30,
            help="What your teacher sees next to your runs: a first name or a nickname. "
            "Nothing else about you is asked or kept.",
        )
        pressed = st.form_submit_button(
            "Join", key="class_join", help="Join the class and load its lesson."
        )
    if pressed:
        _join(wid, code, name)
    return None


def removed_notice(code: str) -> None:
    """What a student reads once their teacher removed them from the class ``code``."""
    st.warning(
        f"Your teacher removed you from the class {code}: your runs no longer go to its "
        "board. Your own work stays here. To join again, you need the class code from "
        "your teacher.",
        icon=":material/person_remove:",
    )


def _join(wid: str, code: str, name: str) -> None:
    info = _guarded(classes().join, wid, code, name)
    if info is None:
        return
    try:
        check_limits(info.lesson, load_limits())
        _load_table(info)
        state.apply_experiment(info.lesson)
        st.session_state.train_message = (
            f"The lesson of {literal(info.title)} is loaded: train it here."
        )
    except (SpecError, DataError) as error:
        st.session_state.class_message = literal(
            f"Joined, but the lesson could not be loaded: {error}"
        )
    st.rerun()


def _load_table(info: ClassInfo) -> None:
    """Give the student the uploaded table the lesson runs on (a sample loads by its key).

    Raises:
        DataError: the class's copy cannot be read (or no longer fits the host's caps).
    """
    if info.lesson.data.source in SAMPLES:
        return
    table = classes().table(info.code)
    if table is None:
        st.session_state.class_message = (
            f"{_without_table(info.lesson)} Ask your teacher for it and upload it on the "
            "**Data** page; the lesson's settings are kept."
        )
        return
    workspace.take_upload(*table)


def _without_table(lesson: Experiment) -> str:
    files = literal(", ".join(lesson.data.files) or "a file of its own")
    return f"This lesson runs on an uploaded table ({files}), which the class does not hold."


def _lesson_table(lesson: Experiment) -> Upload | None:
    """The teacher's kept upload when the lesson runs on it, else None."""
    if lesson.data.source in SAMPLES:
        return None
    kept = get_store().upload(st.session_state.workspace_id)
    if kept is None or [name for name, _ in kept[0]] != list(lesson.data.files):
        return None
    return kept


def render_create() -> None:
    """The teacher's form: a class on the experiment being edited, with a challenge."""
    if created := st.session_state.pop(CREATED, None):
        code, key = created
        st.success(f"Class created. Students join with the code **{code}**.")
        st.warning(
            "Your teacher key is shown this once. Copy it and keep it private: with the "
            "code, it opens the class board. Students never need it.",
            icon=":material/key:",
        )
        st.code(key, language=None)
    lesson = state.experiment()
    with st.expander("Create a class (teachers)", expanded=False), st.form("class_create_form"):
        table = "" if lesson.data.source in SAMPLES else ", with a copy of your table"
        st.caption(
            f"The lesson is the experiment you have now: {plain(lesson.data.title)}, "
            f"{lesson.train.epochs} epochs. Students who join start from it{table}."
        )
        title = st.text_input(
            "Class title",
            key="class_new_title",
            max_chars=80,
            help="What students see when they join, e.g. 'Year 10 · Tuesday'.",
        )
        options = [NO_CHALLENGE, *READY, OWN_GOAL]
        choice = st.selectbox(
            "Challenge",
            options,
            key="class_new_challenge",
            format_func=lambda k: {NO_CHALLENGE: "No challenge", OWN_GOAL: "Your own goal"}.get(
                k, READY.get(k) and READY[k].title
            ),
            help="Every student run is marked against it, on their Train page and the board.",
        )
        metric = st.selectbox(
            "Own goal: metric",
            list(METRICS),
            format_func=METRICS.get,
            key="class_new_metric",
            help="Accuracy for classes; R² or MAE for numbers (lower MAE is better).",
        )
        threshold = st.number_input(
            "Own goal: reach",
            value=0.8,
            step=0.05,
            key="class_new_threshold",
            help="The test-split value a run must reach.",
        )
        max_params = st.number_input(
            "Own goal: at most this many parameters (0: no budget)",
            min_value=0,
            value=0,
            key="class_new_max_params",
            help="A budget on the network's size.",
        )
        max_epochs = st.number_input(
            "Own goal: at most this many epochs (0: no budget)",
            min_value=0,
            value=0,
            key="class_new_max_epochs",
            help="A budget on training length.",
        )
        see = st.checkbox(
            "Students see the board (only their own runs and rank)",
            key="class_new_see_board",
            help="Off by default. Students never see other students' names or runs.",
        )
        pressed = st.form_submit_button(
            "Create the class", key="class_create", help="Get a class code and a teacher key."
        )
    if pressed:
        _create(title, choice, metric, threshold, int(max_params), int(max_epochs), see)


def _create(title, choice, metric, threshold, max_params, max_epochs, see) -> None:
    lesson = state.experiment()
    try:
        challenge: Challenge | None = READY.get(choice)
        if choice == OWN_GOAL:
            challenge = lesson_challenge(
                lesson,
                metric,
                float(threshold),
                max_params=max_params or None,
                max_epochs=max_epochs or None,
            )
        table = _lesson_table(lesson)
        code, key = classes().create(
            title, lesson, challenge, see, table=table, owner=st.session_state.workspace_id
        )
    except (ClassError, SpecError) as error:
        st.error(literal(error), icon=":material/error:")
        return
    if table is None and lesson.data.source not in SAMPLES:
        st.session_state.class_message = (
            f"{_without_table(lesson)} This server keeps no copy of it (too big for your "
            "workspace, or not the table you have loaded), so each student must upload it on "
            "the **Data** page after joining."
        )
    st.session_state[CREATED] = (code, key)
    st.session_state[TEACHER] = (code, key)
    st.rerun()


def render_open() -> tuple[str, str] | None:
    """The teacher's code and key entry; returns the (code, key) this session opened."""
    if TEACHER in st.session_state:
        return st.session_state[TEACHER]
    with st.form("class_open_form"):
        st.markdown("**Open a class board (teachers)**")
        code = st.text_input(
            "Class code", key="class_open_code", max_chars=12, help="Your class's code."
        )
        key = st.text_input(
            "Teacher key",
            key="class_open_key",
            type="password",
            max_chars=64,
            help="The key shown once when you created the class.",
        )
        pressed = st.form_submit_button(
            "Open the board", key="class_open", help="Show your class's runs."
        )
    if pressed and _guarded(classes().teacher_class, code, key) is not None:
        st.session_state[TEACHER] = (code, key)
        st.rerun()
    return None


def close_board() -> None:
    """Forget the teacher's access in this session (a button callback)."""
    st.session_state.pop(TEACHER, None)
