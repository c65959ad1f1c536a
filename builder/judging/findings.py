"""What the verdict finds beyond the baseline: reference models that beat the network,
and classes the network (almost) never predicts, each with its reasons and next steps.

Pure functions of the scores; ``builder.judging.verdict`` decides which finding leads.
Next steps name the controls as the Build and Train pages label them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from builder.experiment.spec import Experiment
from builder.judging.references import (
    LINEAR,
    TREES,
    Reference,
    main_score,
    margin_words,
    noise_margin,
    sample_note,
    score_words,
)

MIN_CLASS_ROWS = 5  # fewer test rows of a class say too little about its recall
RARELY = 0.1  # a recall at or under this: the class is (almost) never predicted


@dataclass(frozen=True)
class Comparison:
    """The network's main test score against each reference model's, and the noise margin.

    Attributes:
        linear_gain, trees_gain: the reference's score minus the network's (None when
            that reference has no score).
        margin: differences within it are noise (``references.noise_margin``).
        reasons: what a verdict says about the comparison.
    """

    linear_gain: float | None
    trees_gain: float | None
    margin: float
    reasons: list[str] = field(default_factory=list)

    @property
    def linear_wins(self) -> bool:
        """The linear model is better beyond noise."""
        return self.linear_gain is not None and self.linear_gain > self.margin

    @property
    def trees_win(self) -> bool:
        """The boosted trees are better beyond noise, and better than the linear model by more
        than noise too when that also wins (else the simpler model is the lesson)."""
        if self.trees_gain is None or self.trees_gain <= self.margin:
            return False
        return not self.linear_wins or self.trees_gain - self.linear_gain > self.margin


def _gain_words(task: str, gain: float) -> str:
    return f"{abs(gain):.3f} in R²" if task == "regression" else f"{abs(gain) * 100:.1f} points"


def compare(
    task: str, network: dict, rows: int | None, references: list[Reference] | None
) -> Comparison | None:
    """Compare the network's test scores with the reference models'.

    Args:
        task: binary, multiclass or regression.
        network: the network's test report.
        rows: test rows.
        references: the run's reference models; None when not computed (then None).
    """
    key, _ = main_score(task)
    if references is None or network.get(key) is None:
        return None
    mine = float(network[key])
    gains: dict[str, float | None] = {LINEAR: None, TREES: None}
    usable = [ref for ref in references if ref.scores.get(key) is not None]
    for ref in usable:
        gains[ref.name] = float(ref.scores[key]) - mine
    best = max((mine + gain for gain in gains.values() if gain is not None), default=mine)
    margin = noise_margin(task, mine, best, rows)
    found = Comparison(gains[LINEAR], gains[TREES], margin)
    return replace(found, reasons=_reasons(task, network, rows, references, found))


def _reasons(
    task: str, network: dict, rows: int | None, references: list[Reference], found: Comparison
) -> list[str]:
    key, _ = main_score(task)
    usable = [ref for ref in references if ref.scores.get(key) is not None]
    reasons = []
    if usable:
        theirs = ", ".join(f"{ref.label.lower()} {score_words(task, ref.scores)}" for ref in usable)
        margin = margin_words(task, found.margin, rows) if rows else "the test rows are unknown"
        reasons.append(
            f"On the same test rows, fitted on the same training rows and inputs: {theirs}; the "
            f"network {score_words(task, network)}. {margin[0].upper()}{margin[1:]}."
        )
    reasons += [
        f"The {ref.label.lower()} could not be fitted: {ref.error}."
        for ref in references
        if ref.error
    ]
    if note := sample_note(references):
        reasons.append(note)
    linear = found.linear_gain
    if found.linear_wins:
        reasons.append(
            f"The linear model beats the network by {_gain_words(task, linear)}, more than "
            "chance: the hidden layers cost more than they bring on this table."
        )
    elif linear is not None and linear >= -found.margin:
        reasons.append(
            "The linear model does about as well (within the noise margin): a network with no "
            "hidden layer would do as much."
        )
    if found.trees_win:
        reasons.append(
            f"Boosted trees beat the network by {_gain_words(task, found.trees_gain)}, more than "
            "chance: they find something in these inputs that the network misses."
        )
    return reasons


def linear_steps(experiment: Experiment, task: str) -> list[str]:
    """Next steps when a linear model does as well or better."""
    hidden, train = experiment.network.hidden, experiment.train
    kind = "linear regression" if task == "regression" else "logistic regression"
    steps = []
    if hidden:
        steps.append(
            "Try no hidden layer: remove the layers on the Build page (the bin button, 'Remove "
            f"this layer'). With none, the network is a {kind}, the kind of model that won."
        )
        strongest = max(layer.l2 for layer in hidden)
        now = f"now {strongest:g}, try {strongest * 10:g}" if strongest else "try 0.01"
        steps.append(
            f"Or keep fewer, smaller layers and a stronger L2 on each (the L2 box of each layer "
            f"on the Build page: {now}), so the network cannot bend to noise."
        )
    rate = train.learning_rate
    steps.append(
        f"Lower the Learning rate on the Train page (now {rate:g}, try {rate / 3:.2g}), so "
        "early stopping can catch the best epoch."
    )
    if not (train.early_stopping and train.restore_best_weights):
        steps.append(
            "Turn on Early stopping and 'Keep the best epoch's weights' on the Train page."
        )
    return steps


def trees_steps() -> list[str]:
    """Next steps when boosted trees do much better: what trees see that the network does not."""
    return [
        "Whole numbers that are codes (a state, a centre, a day number) reach the network as "
        "amounts, so it must learn a step for every code, which a tree does in one split. "
        "Store such a column as text in your file (for example 's12' for 12) and the app "
        "one-hot encodes it ('One-hot encode text columns' on the Build page).",
        "A date is used as a list of categories (or left out as an identifier), so its order "
        "is lost: add columns such as its year, month and day of week to your file.",
        "Skewed columns (counts, incomes, prices with a long tail) stay bunched after "
        "scaling, while trees use only the order of values: add the logarithm of such a "
        "column to your file.",
        "Give the network room to combine inputs: more units, or another layer, on the Build "
        "page, with Early stopping on and more Epochs on the Train page.",
    ]


def unpredicted(task: str, network: dict) -> list[dict]:
    """Classes the network (almost) never predicts on the test rows: each one's per-class
    entry of the report (class, recall, support) when it has enough test rows to tell."""
    if task == "regression":
        return []
    return [
        row
        for row in network.get("per_class", [])
        if row["support"] >= MIN_CLASS_ROWS and row["recall"] <= RARELY
    ]


def unpredicted_reason(rows: list[dict], network: dict) -> str:
    """The classes (almost) never predicted, with their recall, and macro F1 beside accuracy."""
    named = ", ".join(
        f"'{row['class']}' (recall {row['recall']:.0%}: {round(row['recall'] * row['support'])} "
        f"of its {row['support']} test rows found)"
        for row in rows
    )
    text = f"The network (almost) never predicts {named}."
    if "f1_macro" in network and "accuracy" in network:
        text += (
            f" Macro F1, which weighs every class the same, is {network['f1_macro']:.2f} "
            f"against an accuracy of {network['accuracy']:.1%}."
        )
    return text


def balance_steps(experiment: Experiment) -> list[str]:
    """Next steps for classes that are (almost) never predicted."""
    if not experiment.train.class_weights:
        return [
            "Turn on 'Balance the classes' on the Train page, so a rare class weighs as much "
            "in the loss as a common one."
        ]
    return [
        "'Balance the classes' is already on: collect more rows of the rare classes, or give "
        "the network more Epochs on the Train page."
    ]
