"""Output layer and loss controls: both follow the task unless overridden, with warnings."""

import streamlit as st

from builder.experiment.spec import (
    ACTIVATIONS,
    DEFAULT_OUTPUT,
    INITIALIZERS,
    LOSSES,
    NetworkSpec,
    output_warnings,
)
from ui import state
from ui.layer_editor import INITIALIZER_HELP
from ui.text import literal

AUTO = "auto"
FOLLOWS_TASK = "Follows the task unless you override it: {}."


def _auto_choice(widget, key: str, owner, attr: str, label: str, options, default: str) -> None:
    """A selectbox whose first option, 'auto', leaves the setting to the task (stored as None)."""
    state.bind(
        widget,
        key,
        owner,
        attr,
        label,
        [AUTO, *options],
        to_widget=lambda value: value or AUTO,
        from_widget=lambda value: None if value == AUTO else value,
        format_func=lambda value: f"auto: {default}" if value == AUTO else value,
        help=FOLLOWS_TASK.format(default),
    )


def render(network: NetworkSpec, task: str) -> None:
    """Show the output activation, loss and output initializer, and what is wrong with them.

    Args:
        network: edited in place: output activation, loss, output initializer.
        task: the task in force, which sets the defaults.
    """
    activation, loss = DEFAULT_OUTPUT[task]
    left, middle, right = st.columns(3)
    _auto_choice(
        left.selectbox,
        "build_output_activation",
        network,
        "output_activation",
        "Output activation",
        ACTIVATIONS,
        activation,
    )
    _auto_choice(middle.selectbox, "build_loss", network, "loss", "Loss", LOSSES, loss)
    state.bind(
        right.selectbox,
        "build_output_init",
        network,
        "output_initializer",
        "Output initializer",
        INITIALIZERS,
        help=INITIALIZER_HELP,
    )
    for warning in output_warnings(network, task):
        st.warning(literal(warning), icon=":material/warning:")
