"""How the app writes a loss or a metric, so a number reads the same on every page."""

import math

import numpy as np


def shown(value: float) -> str:
    """Four significant digits, written out without an exponent
    (``1.52``, ``39.97``, ``12350``, ``0.0001234``)."""
    if not math.isfinite(value):
        return str(value)
    return np.format_float_positional(float(f"{value:.4g}"), trim="-")


def signed(value: float) -> str:
    """``shown`` with its sign, for a difference (``+0.03``, ``-1200``)."""
    return ("+" if value >= 0 else "") + shown(value)


def rounded(value: float) -> float:
    """``shown`` as a number, for tables: sortable, and the same digits in every view of it."""
    return float(shown(value))
