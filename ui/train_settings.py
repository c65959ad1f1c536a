"""The Train page's settings: optimizer, learning rate, batch, epochs, validation, stopping, seed.

Every widget edits ``experiment.train`` through ``state.bind``, so the settings
survive a visit to another page and travel with the experiment (link, JSON, presets).
"""

import streamlit as st

from builder.config import HostLimits
from builder.experiment.rates import learning_rate_warning
from builder.experiment.spec import OPTIMIZERS, Experiment
from ui import lesson, state

# A log scale: each step multiplies the rate by about 3.
RATES = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
VALIDATION_LABELS = {
    "test": "the test split",
    "split": "a share of the training rows",
    "none": "none",
}


def render(experiment: Experiment, task: str | None, limits: HostLimits) -> None:
    """Draw the settings and write every change into ``experiment.train``."""
    spec = experiment.train
    first = st.columns(4)
    state.bind(
        first[0].selectbox,
        "train_optimizer",
        spec,
        "optimizer",
        "Optimizer",
        OPTIMIZERS,
        help="adam adapts each weight's step and is a good default; sgd takes plain steps "
        "(with momentum if you like); rmsprop and adagrad adapt the step in other ways.",
    )
    state.bind(
        first[1].select_slider,
        "train_learning_rate",
        spec,
        "learning_rate",
        "Learning rate",
        options=sorted({*RATES, spec.learning_rate}),
        format_func=lambda rate: f"{rate:g}",
        help="How big a step each update takes (log scale). Too high: the loss jumps or "
        "explodes. Too low: it hardly moves.",
    )
    state.bind(
        first[2].number_input,
        "train_batch_size",
        spec,
        "batch_size",
        "Batch size",
        min_value=1,
        max_value=65536,
        step=1,
        help="Rows per weight update. Small batches: many noisy steps; large: few smooth ones.",
    )
    state.bind(
        first[3].number_input,
        "train_epochs",
        spec,
        "epochs",
        "Epochs",
        min_value=1,
        max_value=limits.max_epochs,
        step=1,
        help=f"Passes over the training rows (at most {limits.max_epochs} on this server).",
    )
    # Always in sight: the box's own message about its maximum hides under "Press Enter
    # to apply" while the user types.
    if lesson.shown("epochs"):
        first[3].caption(f"At most {limits.max_epochs} epochs on this server.")
    if warning := learning_rate_warning(spec.optimizer, spec.learning_rate):
        st.warning(warning, icon=":material/speed:")
    second = st.columns(4)
    state.bind(
        second[0].selectbox,
        "train_validation",
        spec,
        "validation",
        "Validation data",
        list(VALIDATION_LABELS),
        format_func=VALIDATION_LABELS.get,
        help="Rows the network does not learn from, scored after every epoch (the dashed "
        "curves). 'A share of the training rows' takes the last ones, as Keras does.",
    )
    if spec.validation == "split":
        state.bind(
            second[1].slider,
            "train_validation_split",
            spec,
            "validation_split",
            "Validation share",
            min_value=0.05,
            max_value=0.9,
            step=0.05,
            help="The share of training rows held out for validation.",
        )
    if spec.optimizer == "sgd":
        state.bind(
            second[2].slider,
            "train_momentum",
            spec,
            "momentum",
            "Momentum",
            min_value=0.0,
            max_value=0.99,
            step=0.01,
            help="Carries part of the last step into the next, like a ball rolling downhill.",
        )
    state.bind(
        second[3].number_input,
        "train_seed",
        spec,
        "seed",
        "Seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        help="Fixes the starting weights and the shuffling: the same seed gives the same run.",
    )
    third = st.columns(4)
    state.bind(
        third[0].checkbox,
        "train_early_stopping",
        spec,
        "early_stopping",
        "Early stopping",
        help="Stop when the validation loss has not improved for a number of epochs. On by "
        "default with a generous epoch budget, so a run ends once it stops learning.",
    )
    if spec.early_stopping:
        state.bind(
            third[1].number_input,
            "train_patience",
            spec,
            "patience",
            "Patience (epochs)",
            min_value=1,
            max_value=10_000,
            step=1,
            help="Epochs without improvement before training stops.",
        )
        state.bind(
            third[2].checkbox,
            "train_restore_best",
            spec,
            "restore_best_weights",
            "Keep the best epoch's weights",
            help="End with the weights of the epoch with the lowest validation loss.",
        )
    if task in ("binary", "multiclass"):
        state.bind(
            third[3].checkbox,
            "train_class_weights",
            spec,
            "class_weights",
            "Balance the classes",
            help="Weigh rare classes up in the loss, so an unbalanced target is not learned as "
            "'always the common class'.",
        )
