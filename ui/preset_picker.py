"""The Build page's presets: one that fits the loaded data is offered first, and applying
one asks before it replaces the student's data or a network they built."""

import streamlit as st

from builder.config import HostLimits
from builder.errors import DataError, SpecError
from builder.experiment.presets import PRESETS, preset_experiment, sample_preset
from builder.experiment.spec import NetworkSpec, check_limits
from builder.training.runs import layers_text
from ui import boundary, lesson, state
from ui.text import literal

PENDING = "build_preset_pending"


def fitting_preset() -> str | None:
    """The preset in force, else the first one on the loaded sample, else None."""
    experiment = state.experiment()
    if experiment.name in PRESETS:
        return experiment.name
    if state.table() is None:
        return None
    return sample_preset(experiment.data.source)


def work_at_stake(key: str) -> list[str]:
    """What applying preset ``key`` would throw away, in words (empty: nothing)."""
    experiment, frame = state.experiment(), state.table()
    lost = []
    if frame is not None and PRESETS[key].experiment.data.source != experiment.data.source:
        lost.append(f"your data ({experiment.data.title}, {len(frame):,} rows)")
    built = experiment.network
    own_preset = PRESETS.get(experiment.name)
    if built != NetworkSpec() and (own_preset is None or built != own_preset.experiment.network):
        lost.append("the network you built")
    return lost


def apply(key: str, limits: HostLimits) -> str | None:
    """Make preset ``key``'s experiment the session's; returns why it could not, or None."""
    try:
        experiment = preset_experiment(key)
        check_limits(experiment, limits)
        state.apply_experiment(experiment)
    except (SpecError, DataError) as error:
        return str(error)
    return None


def ready_message(key: str) -> str:
    """What preset ``key`` set up, for the Train page a student lands on to train it."""
    preset = PRESETS[key]
    network, train = preset.experiment.network, preset.experiment.train
    return (
        f"**{preset.title}** is set up as the tutorial ran it: hidden layers "
        f"{layers_text(network.hidden)}, trained with {train.optimizer} for {train.epochs} "
        f"epochs in batches of {train.batch_size}. Press **Train** to start."
    )


def _apply(key: str, limits: HostLimits) -> None:
    st.session_state.pop(PENDING, None)
    if error := apply(key, limits):
        st.session_state.build_error = literal(error)
    else:
        st.session_state.build_message = (
            f"Preset **{literal(key)}** applied: data, preprocessing, network and training are set."
        )


def _request(limits: HostLimits) -> None:
    """The Apply button's callback: apply at once, or ask first when work would be lost."""
    key = st.session_state.build_preset_choice
    if key is None:
        st.session_state.build_error = "Choose a preset first."
    elif work_at_stake(key):
        st.session_state[PENDING] = key
    else:
        _apply(key, limits)


def render(limits: HostLimits) -> None:
    """The preset choice, its Apply button, the question before losing work, and the outcome."""
    state.seed_widgets(build_preset_choice=fitting_preset())
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    choice = left.selectbox(
        "Classic experiment",
        [None, *PRESETS],
        format_func=lambda k: "Choose a preset…" if k is None else f"{k}: {PRESETS[k].title}",
        key="build_preset_choice",
        **lesson.controls(
            *lesson.EVERYTHING,
            help_text="The first-network tutorials' experiments, and a few lessons. Applying "
            "one loads its data and sets preprocessing, network and training exactly as the "
            "tutorial did.",
        ),
    )
    right.button(
        "Apply preset",
        key="build_preset_apply",
        on_click=boundary.callback(_request),
        args=(limits,),
        type="primary",
        **lesson.controls(
            *lesson.EVERYTHING,
            disabled=choice is None,
            help_text="Replaces the current data and settings with the preset's (you are asked "
            "first when that would replace your data or a network you built).",
        ),
    )
    if choice is not None:
        st.caption(PRESETS[choice].lesson)
    if pending := st.session_state.get(PENDING):
        st.warning(
            f"Applying **{literal(pending)}** replaces {' and '.join(work_at_stake(pending))}.",
            icon=":material/warning:",
        )
        yes, no = st.columns(2)
        yes.button(
            f"Replace with {literal(pending)}",
            key="build_preset_confirm",
            on_click=boundary.callback(_apply),
            args=(pending, limits),
            help="Load the preset's data and settings.",
        )
        no.button(
            "Keep my work",
            key="build_preset_cancel",
            on_click=boundary.callback(st.session_state.pop),
            args=(PENDING, None),
            help="Leave the data and the network as they are.",
        )
    if message := st.session_state.pop("build_message", None):
        st.success(message, icon=":material/check_circle:")
    if error := st.session_state.pop("build_error", None):
        st.error(error, icon=":material/error:")
