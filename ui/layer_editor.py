"""The layer stack editor: one bordered block of controls per hidden Dense layer.

Each layer has a stable id, so its widget keys (``build_units_<id>``, ...) move
with it when layers are reordered, removed or duplicated.
"""

import copy
from itertools import count

import streamlit as st

from builder.experiment.spec import ACTIVATIONS, INITIALIZERS, LayerSpec, NetworkSpec
from ui import boundary, lesson, state

IDS = "build_layer_ids"
OWNER = "build_layers_owner"
# The units slider and its exact box show the same setting. An edit of one gives the other
# a new key, so it is drawn afresh from the setting: a value the browser still sends for
# the old one (events 50 ms apart outrun the reruns) then belongs to a widget that is gone
# and changes nothing, and the last value the user set wins. Deleting the twin's state
# instead raised KeyError when both callbacks ran in one rerun, and let stale values win.
GENERATIONS = "build_unit_generations"
SLIDER, BOX = "build_units", "build_units_exact"
_NEW_IDS = count(1)

ACTIVATION_HELP = (
    "relu: the usual choice for hidden layers. tanh/sigmoid squash into a range and learn "
    "slowly when stacked deep. elu/selu/gelu: smooth variants of relu. softmax belongs in an "
    "output layer; linear adds no non-linearity."
)
INITIALIZER_HELP = (
    "How the weights start. glorot suits tanh/sigmoid, he suits relu; random_uniform is the "
    "classic tutorials' 'uniform' (-0.05 to 0.05); zeros makes every unit learn the same thing."
)


def layer_ids(hidden: list[LayerSpec]) -> list[int]:
    """The layers' stable ids, renewed when the list was replaced (a preset, a link)."""
    ids = st.session_state.get(IDS, [])
    if st.session_state.get(OWNER) is not hidden or len(ids) != len(hidden):
        ids = [next(_NEW_IDS) for _ in hidden]
        st.session_state[IDS] = ids
        st.session_state[OWNER] = hidden
    return ids


def _add(hidden: list[LayerSpec], max_layers: int) -> None:
    if st.session_state.get(OWNER) is not hidden or len(hidden) >= max_layers:
        return  # a stack replaced meanwhile, or a second click past the limit
    hidden.append(LayerSpec(units=hidden[-1].units if hidden else 8))
    st.session_state[IDS].append(next(_NEW_IDS))


def _index(hidden: list[LayerSpec], layer_id: int) -> int | None:
    """Where the layer is now, or None once it is gone.

    A button's arguments are those of the run that drew it: a second click that arrives
    before the first one's rerun has ended would otherwise act on a position that has
    since moved (or no longer exists). The stack may also have been replaced meanwhile.
    """
    ids = st.session_state.get(IDS, [])
    if st.session_state.get(OWNER) is not hidden or layer_id not in ids:
        return None
    return ids.index(layer_id)


def _remove(hidden: list[LayerSpec], layer_id: int) -> None:
    if (index := _index(hidden, layer_id)) is not None:
        del hidden[index]
        del st.session_state[IDS][index]


def _move(hidden: list[LayerSpec], layer_id: int, step: int) -> None:
    index = _index(hidden, layer_id)
    if index is None or not 0 <= index + step < len(hidden):
        return
    other = index + step
    ids = st.session_state[IDS]
    hidden[index], hidden[other] = hidden[other], hidden[index]
    ids[index], ids[other] = ids[other], ids[index]


def _duplicate(hidden: list[LayerSpec], layer_id: int, max_layers: int) -> None:
    if (index := _index(hidden, layer_id)) is not None and len(hidden) < max_layers:
        hidden.insert(index + 1, copy.deepcopy(hidden[index]))
        st.session_state[IDS].insert(index + 1, next(_NEW_IDS))


def _buttons(hidden: list[LayerSpec], index: int, layer_id: int, max_layers: int) -> None:
    """Move up/down, duplicate and remove buttons for one layer."""
    buttons = (
        ("up", "arrow_upward", "Move this layer towards the input", index == 0, _move, -1),
        ("down", "arrow_downward", "Move this layer towards the output",
         index == len(hidden) - 1, _move, 1),
        ("duplicate", "content_copy", "Insert a copy of this layer below",
         len(hidden) >= max_layers, _duplicate, max_layers),
        ("remove", "delete", "Remove this layer", False, _remove, None),
    )  # fmt: skip
    for column, (name, icon, help_text, disabled, action, extra) in zip(
        st.columns(len(buttons), gap="small"), buttons, strict=True
    ):
        column.button(
            "",
            icon=f":material/{icon}:",
            key=f"build_{name}_{layer_id}",
            **lesson.controls("network", help_text=help_text, disabled=disabled),
            on_click=boundary.callback(action),
            args=(hidden, layer_id) if extra is None else (hidden, layer_id, extra),
        )


def units_keys(layer_id: int, generations: dict | None = None) -> tuple[str, str]:
    """The keys of a layer's units slider and exact box as they are now.

    Args:
        layer_id: the layer's stable id.
        generations: the session's ``GENERATIONS`` (read from the session when None).
    """
    if generations is None:
        generations = st.session_state.get(GENERATIONS, {})
    return tuple(
        f"{kind}_{layer_id}" + (f"_v{n}" if (n := generations.get((kind, layer_id))) else "")
        for kind in (SLIDER, BOX)
    )


def _renew(kind: str, layer_id: int) -> None:
    """Give a units widget a new key (an edit callback of its twin; see GENERATIONS)."""
    generations = st.session_state.setdefault(GENERATIONS, {})
    generations[kind, layer_id] = generations.get((kind, layer_id), 0) + 1


def unit_steps(current: int, max_units: int) -> list[int]:
    """The units slider's stops: every count to 16, then doublings, and the layer's own."""
    doublings = [2**power for power in range(5, max_units.bit_length())]
    steps = {*range(1, min(16, max_units) + 1), *doublings, max_units, current}
    return sorted(steps)


def _controls(layer: LayerSpec, layer_id: int, max_units: int) -> None:
    """The settings of one layer, bound to its LayerSpec."""
    units, exact, activation, initializer = st.columns([3, 1, 2, 2])
    slider_key, box_key = units_keys(layer_id)
    state.bind(
        units.select_slider,
        slider_key,
        layer,
        "units",
        "Units",
        unit_steps(min(layer.units, max_units), max_units),
        to_widget=lambda u: min(u, max_units),
        on_edit=lambda: _renew(BOX, layer_id),
        help="Neurons in this layer. The slider moves in steps of one up to 16, then doubles; "
        "type any number in the box beside it.",
    )
    state.bind(
        exact.number_input,
        box_key,
        layer,
        "units",
        "exactly",
        min_value=1,
        max_value=max_units,
        step=1,
        to_widget=lambda u: min(u, max_units),
        on_edit=lambda: _renew(SLIDER, layer_id),
        help=f"Any number of neurons from 1 to {max_units} (this server's limit).",
    )
    state.bind(
        activation.selectbox,
        f"build_activation_{layer_id}",
        layer,
        "activation",
        "Activation",
        ACTIVATIONS,
        help=ACTIVATION_HELP,
    )
    state.bind(
        initializer.selectbox,
        f"build_init_{layer_id}",
        layer,
        "initializer",
        "Initializer",
        INITIALIZERS,
        help=INITIALIZER_HELP,
    )
    bias, dropout, l1, l2 = st.columns([1, 2, 1, 1])
    state.bind(
        bias.checkbox,
        f"build_bias_{layer_id}",
        layer,
        "use_bias",
        "Bias",
        help="Add a learned offset to each unit.",
    )
    state.bind(
        dropout.slider,
        f"build_dropout_{layer_id}",
        layer,
        "dropout",
        "Dropout rate",
        min_value=0.0,
        max_value=0.9,
        step=0.05,
        help="Share of this layer's outputs set to 0 at random while training, "
        "which fights overfitting.",
    )
    for column, name in ((l1, "l1"), (l2, "l2")):
        state.bind(
            column.number_input,
            f"build_{name}_{layer_id}",
            layer,
            name,
            name.upper(),
            min_value=0.0,
            max_value=1.0,
            step=0.001,
            format="%.4f",
            help=f"{name.upper()} penalty on this layer's weights (0 = none).",
        )


def render(network: NetworkSpec, max_layers: int, max_units: int) -> None:
    """Show the layer stack with its controls and the 'Add layer' button.

    Args:
        network: the network whose hidden layers are edited in place.
        max_layers: the host's cap on hidden layers.
        max_units: the host's cap on units in one layer.
    """
    hidden = network.hidden
    ids = layer_ids(hidden)
    for index, (layer, layer_id) in enumerate(zip(hidden, ids, strict=True)):
        with st.container(border=True, key=f"build_layer_{layer_id}"):
            title, buttons = st.columns([3, 2])
            title.markdown(f"**Hidden layer {index + 1}** · Dense")
            with buttons:
                _buttons(hidden, index, layer_id, max_layers)
            _controls(layer, layer_id, max_units)
    if not hidden:
        st.caption("No hidden layer: the inputs feed the output directly (a linear model).")
    st.button(
        "Add layer",
        icon=":material/add:",
        key="build_add_layer",
        on_click=boundary.callback(_add),
        args=(hidden, max_layers),
        **lesson.controls(
            "network",
            disabled=len(hidden) >= max_layers,
            help_text=f"Append a Dense layer (this server allows up to {max_layers}).",
        ),
    )
