"""Session state in one place: every key a page reads is initialised here.

Everything lives in ``st.session_state``, so one student's data and runs are
never visible to another session on a shared server. The table, the runs and the
experiment are a cache of the browser's workspace on the server (``ui.workspace``).
"""

import pandas as pd
import streamlit as st

from builder.errors import DataError, SpecError
from builder.experiment.defaults import proposed_data, proposed_settings
from builder.experiment.lesson import EDITABLE, GROUPS
from builder.experiment.spec import DataSpec, Experiment, check_columns
from builder.tables.columns import excluded_for_new_target, infer_task
from builder.tables.data import ReadReport
from builder.tables.samples import SAMPLES, load_sample
from ui import boundary, lesson

DEFAULTS = {
    "table": None,
    "reports": [],
    "uploads": {},
    "bound_keys": set(),
    "runs": [],
    # The task the student chose for each target of the loaded table, by target.
    "task_choices": {},
    "job": None,
    "job_run": None,
    # The runs chosen for the Train page's comparison, by number: kept while the page is
    # not drawn (Streamlit then drops its multiselect's value) and across setting changes.
    "train_compare_runs": [],
    # The Export page's conversion jobs by the job id of the run they convert, and the
    # bundle zip it made last (``ui.export_model``).
    "export_conversions": {},
    "export_bundles": {},
}


def init_state() -> None:
    """Create every session key this app uses, once per session."""
    if "experiment" not in st.session_state:
        st.session_state.experiment = Experiment()
    if "proposed" not in st.session_state:
        st.session_state.proposed = _settings(Experiment())
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if hasattr(value, "copy") else value


def experiment() -> Experiment:
    """The session's experiment description."""
    return st.session_state.experiment


def table() -> pd.DataFrame | None:
    """The loaded table, or None before anything was loaded."""
    return st.session_state.table


def _settings(experiment: Experiment) -> dict:
    """The preprocessing, network and training settings, to tell whether they were edited."""
    raw = experiment.to_dict()
    return {part: raw[part] for part in ("prep", "network", "train")}


def _propose_settings(frame: pd.DataFrame) -> None:
    """Give the experiment the defaults for ``frame`` (``builder.experiment.defaults``).

    Only when its settings are still the ones proposed last: settings the user chose, or
    a preset's, are kept (the Build page offers the defaults with a button instead).
    """
    current = experiment()
    if _settings(current) == st.session_state.proposed:
        use_defaults(frame)


def use_defaults(frame: pd.DataFrame) -> None:
    """Replace the preprocessing, network and training settings by the defaults for ``frame``.

    Widgets bound to the old settings forget their state, so they show the new ones.
    """
    proposal = proposed_settings(frame, experiment())
    st.session_state.experiment = proposal
    st.session_state.proposed = _settings(proposal)
    for key in st.session_state.bound_keys:
        st.session_state.pop(key, None)
    st.session_state.bound_keys = set()


def set_table(
    frame: pd.DataFrame, reports: list[ReadReport], data: DataSpec, target: str | None
) -> None:
    """Make a freshly read table current, choosing a target and the columns to leave out.

    Without a usable ``target``, the last column that can be predicted is proposed (the
    last column when none can: the page then says what is wrong with it).
    Widget keys of the Data page are reset so its controls show the new table's settings.
    """
    data = proposed_data(frame, data, target)
    st.session_state.experiment.data = data
    st.session_state.table = frame
    st.session_state.reports = reports
    st.session_state.data_target = data.target
    st.session_state.data_task = "inferred"
    st.session_state.task_choices = {}
    st.session_state.data_excluded = list(data.excluded)
    _propose_settings(frame)


def task() -> str | None:
    """The task in force: the user's choice, else the one the target implies."""
    data = experiment().data
    frame = table()
    if frame is None or data.target not in frame.columns:
        return None
    return data.task or infer_task(frame[data.target])[0]


def require_table() -> pd.DataFrame:
    """Return the loaded table, or tell the user to load one and stop the page."""
    frame = table()
    if frame is None:
        st.info("No data yet. Load a sample or upload a file on the **Data** page first.")
        st.page_link("pages/data.py", label="Go to Data", icon=":material/table:")
        st.stop()
    return frame


def use_sample(key: str) -> None:
    """Load a bundled sample and make it the session's table, targeting its usual column."""
    sample = SAMPLES[key]
    frame, reports = load_sample(key)
    data = DataSpec(source=key, title=sample.title, files=list(sample.files))
    set_table(frame, reports, data, sample.target)
    st.session_state.data_source_kind = "sample"
    st.session_state.data_sample = key


def seed_widgets(**values) -> None:
    """Give widgets their value from the experiment when Streamlit has dropped their state.

    Streamlit forgets a widget's value once a page without it has run, so a page
    re-seeds its widgets from the experiment, the lasting record.
    """
    for key, value in values.items():
        if key not in st.session_state:
            st.session_state[key] = value


def sync_data_choices() -> None:
    """Copy the Data page's target, task and excluded columns into the experiment.

    Runs as the widgets' on_change callback, before the script reruns, so the
    sidebar (drawn before the page) already shows the new choice. A new target gets
    its default exclusions worked out again, keeping the columns the user left out or
    put back; it is never among the excluded columns itself. Its task is the inferred
    one, unless the user chose a task for that target before.
    """
    data = experiment().data
    old_target, data.target = data.target, st.session_state.data_target
    choices = st.session_state.task_choices
    if data.target == old_target:
        choices[data.target] = st.session_state.data_task
    else:
        # Assigned even when unchanged: the box's label names the inferred task, and the
        # browser keeps showing the old target's label unless the value is sent anew.
        st.session_state.data_task = choices.get(data.target, "inferred")
    choice = st.session_state.data_task
    data.task = None if choice == "inferred" else choice
    excluded = [c for c in st.session_state.data_excluded if c != data.target]
    frame = table()
    if data.target != old_target and frame is not None:
        excluded = excluded_for_new_target(
            frame, old_target, data.target, st.session_state.data_excluded
        )
    data.excluded = excluded
    st.session_state.data_excluded = list(excluded)
    if frame is not None and data.target in frame.columns:
        _propose_settings(frame)  # the labelled rows, and so the batch and epochs, may change


def bind(
    widget,
    key: str,
    owner,
    attr: str,
    *args,
    to_widget=None,
    from_widget=None,
    on_edit=None,
    **kwargs,
):
    """Render a widget that edits ``owner.attr`` of the experiment, seeded from it.

    The key is remembered so ``apply_experiment`` can re-seed every bound widget. Under a
    lesson (``ui.lesson``) a setting of a locked group is drawn disabled, saying why, and
    one of a hidden group is not drawn.

    Args:
        widget: a Streamlit widget function, e.g. ``st.slider`` or ``column.selectbox``.
        key: the widget key.
        owner: the spec object holding the setting (e.g. ``experiment().prep``).
        attr: the setting's attribute name.
        to_widget: converts the setting to the widget's value (e.g. None -> "auto").
        from_widget: converts the widget's value back to the setting.
        on_edit: called after the user changed the widget (e.g. to re-seed a twin widget).
        *args, **kwargs: passed to the widget (label, options, help, ...).

    Returns:
        The setting's new value.
    """
    group = lesson.group_of(owner, attr)
    if lesson.state_of(group) != EDITABLE:
        return _fixed(widget, key, owner, attr, group, to_widget, *args, **kwargs)
    st.session_state.bound_keys.add(key)
    if key not in st.session_state:
        value = getattr(owner, attr)
        st.session_state[key] = to_widget(value) if to_widget else value

    def store() -> None:
        # As an on_change callback this runs before the rerun, so the sidebar is never stale.
        if key not in st.session_state:
            return  # reset in this same rerun by an earlier callback (defaults, a preset)
        raw = st.session_state[key]
        setattr(owner, attr, from_widget(raw) if from_widget else raw)
        if on_edit:
            on_edit()

    value = widget(*args, key=key, on_change=boundary.callback(store), **kwargs)
    value = from_widget(value) if from_widget else value
    setattr(owner, attr, value)
    return value


def _fixed(widget, key: str, owner, attr: str, group: str, to_widget, *args, **kwargs):
    """A setting the lesson fixes: drawn disabled with the lesson's reason, or not at all.

    The widget always shows the setting and never writes it, so a change a browser sends
    for the disabled widget is dropped.
    """
    value = getattr(owner, attr)
    if lesson.shown(group):
        st.session_state[key] = to_widget(value) if to_widget else value
        kwargs |= lesson.controls(group, help_text=kwargs.get("help", ""))
        widget(*args, key=key, **kwargs)
    return value


def apply_experiment(new: Experiment) -> None:
    """Make ``new`` the session's experiment, loading the sample it names.

    Widgets bound to the experiment and the Data page's controls forget their
    state, so every page shows the new experiment's settings.

    Raises:
        SpecError: the experiment names a column the table does not have, or changes what
            the lesson in force fixes.
        DataError: the sample cannot be read.
    """
    lesson.check(new)
    if new.data.source in SAMPLES:
        use_sample(new.data.source)
    frame = table()
    if frame is not None and new.data.source in (*SAMPLES, "upload"):
        check_columns(new, list(frame.columns))
    st.session_state.experiment = new
    for key in [*st.session_state.bound_keys, "data_target", "data_task", "data_excluded"]:
        st.session_state.pop(key, None)
    st.session_state.bound_keys = set()


def keep_lesson() -> None:
    """Set back what the lesson in force fixes, should anything have changed it.

    Call it in app.py before the page runs. Locked widgets are disabled and the doors that
    replace the experiment refuse such a change, but a callback (a new sample proposing new
    settings, "Start fresh") or a forged widget message may still have made one.
    """
    rules, fixed = lesson.current(), lesson.reference()
    if rules is None or not (changed := rules.changed(fixed, experiment())):
        return
    restored = rules.restore(fixed, experiment())
    try:
        apply_experiment(restored)
    except (SpecError, DataError):
        # The lesson's upload is not loaded (or not the same file): keep its settings anyway.
        st.session_state.experiment = restored
    names = "; ".join(GROUPS[name].label for name in changed)
    st.warning(f"The lesson fixes these settings, so they were set back: {names}.")


def keep_choice(key: str, options: list | None, default) -> None:
    """Keep a widget's value on runs where it is not drawn, resetting it when no longer offered.

    A widget in a tab that is not open (lazy ``st.tabs``) is not drawn, and Streamlit then
    forgets its value; writing the value back through the Session State API keeps it.
    The widget must then be created without a default of its own.

    Args:
        key: the widget's key.
        options: the values the widget offers now, or None when any value stays valid.
        default: the value to use the first time, or when the kept one is no longer offered
            (the first option when ``default`` is not offered either).
    """
    value = st.session_state.get(key, default)
    if options is not None and value not in options:
        value = default if default in options else next(iter(options), None)
    st.session_state[key] = value


def finished_runs() -> list:
    """The workspace's runs that produced a model, oldest first."""
    return [run for run in st.session_state.runs if run.result is not None]


def run_table(run) -> pd.DataFrame | None:
    """The table a run trained on: its sample, or the loaded upload if it is still the same one."""
    source = run.experiment.data.source
    if source in SAMPLES:
        return load_sample(source)[0]
    if run.experiment.data.title == experiment().data.title:
        return table()
    return None


def choose_run(key: str, help_text: str):
    """A select box of the runs with a model, newest first; returns the chosen run."""
    by_number = {run.number: run for run in finished_runs()}
    number = st.selectbox(
        "Run",
        list(by_number)[::-1],
        format_func=lambda n: f"{by_number[n].name} · {by_number[n].state}",
        key=key,
        help=help_text,
    )
    return by_number[number]
