"""Learning rates each optimizer usually works with, and what to expect outside them."""

from __future__ import annotations

# (lowest, highest, a good first try): adam and rmsprop scale each step by the gradient's
# size, so they want small rates; sgd and adagrad take larger ones.
USUAL_RATES = {
    "adam": (1e-5, 0.1, 0.001),
    "rmsprop": (1e-5, 0.1, 0.001),
    "adagrad": (1e-4, 1.0, 0.01),
    "sgd": (1e-4, 1.0, 0.01),
}


def learning_rate_warning(optimizer: str, rate: float) -> str | None:
    """What is likely to happen with a learning rate outside the optimizer's usual range.

    Returns:
        A sentence with the rate to try instead, or None when the rate is usual.
    """
    low, high, first = USUAL_RATES[optimizer]
    if rate > high:
        return (
            f"A learning rate of {rate:g} is very high for {optimizer} (it usually works "
            f"between {low:g} and {high:g}): the steps overshoot, so the loss is likely to "
            f"jump about, climb or become NaN instead of falling. Try {first:g}."
        )
    if rate < low:
        return (
            f"A learning rate of {rate:g} is very low for {optimizer} (it usually works "
            f"between {low:g} and {high:g}): each step barely changes the weights, so the "
            f"loss is likely to hardly fall, however many epochs you give it. Try {first:g}."
        )
    return None
