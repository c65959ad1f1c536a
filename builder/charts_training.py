"""Plotly figures of the Train page: live learning curves and runs compared.

Data in (epoch records, as ``builder.jobs.Job.history`` holds them), ``go.Figure`` out,
with the shared look of ``builder.charts``.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from builder.charts import PALETTE, styled

TRAIN_COLOUR, VALIDATION_COLOUR = PALETTE[:2]
LABELS = {"loss": "loss", "accuracy": "accuracy", "mae": "mean absolute error", "mse": "MSE"}
# Above this ratio of largest to smallest value a curve is drawn on a log axis
# (a learning rate that is too high sends the first epochs' loss to 1e8).
LOG_RATIO = 1000.0


def metric_label(key: str) -> str:
    """``val_accuracy`` -> ``validation accuracy``."""
    base = key.removeprefix("val_")
    label = LABELS.get(base, base)
    return f"validation {label}" if key.startswith("val_") else f"training {label}"


def _values(history: list[dict[str, float]], key: str) -> list[float | None]:
    """The curve's values, with gaps where a value is missing or not finite."""
    values = []
    for record in history:
        value = record.get(key)
        values.append(value if value is not None and math.isfinite(value) else None)
    return values


def _log_axis(fig: go.Figure, values: list[float | None]) -> None:
    positive = [v for v in values if v is not None and v > 0]
    if positive and max(positive) / min(positive) > LOG_RATIO:
        fig.update_yaxes(type="log")


def history_figure(
    history: list[dict[str, float]], key: str, planned_epochs: int | None = None
) -> go.Figure:
    """Training and validation curves of one quantity as the epochs go by.

    Args:
        history: epoch records (``{"epoch": 1, "loss": …, "val_loss": …}``).
        key: ``loss``, ``accuracy`` or ``mae``.
        planned_epochs: fixes the x axis, so the curve visibly grows towards it.

    Returns:
        A line chart with a training and (when logged) a validation line.
    """
    epochs = [record["epoch"] for record in history]
    fig = go.Figure()
    shown: list[float | None] = []
    for name, colour, dash in (
        (key, TRAIN_COLOUR, "solid"),
        (f"val_{key}", VALIDATION_COLOUR, "dash"),
    ):
        if not any(name in record for record in history):
            continue
        values = _values(history, name)
        shown += values
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=values,
                mode="lines+markers" if len(epochs) < 30 else "lines",
                name="training" if name == key else "validation",
                line={"color": colour, "dash": dash},
                hovertemplate="epoch %{x}: %{y:.4g}<extra>%{fullData.name}</extra>",
            )
        )
    if planned_epochs:
        fig.update_xaxes(range=[0.5, max(planned_epochs, len(epochs)) + 0.5])
    _log_axis(fig, shown)
    label = LABELS.get(key, key)
    return styled(fig, label.capitalize(), "epoch", label, 300)


def comparison_figure(curves: list[tuple[str, list[dict[str, float]]]], key: str) -> go.Figure:
    """One quantity of several runs on one chart (validation loss of narrow vs wide …).

    Args:
        curves: (run name, epoch records) per run.
        key: the logged quantity to draw, e.g. ``val_loss``.

    Returns:
        A line chart with one line per run.
    """
    fig = go.Figure()
    shown: list[float | None] = []
    for position, (name, history) in enumerate(curves):
        values = _values(history, key)
        shown += values
        fig.add_trace(
            go.Scatter(
                x=[record["epoch"] for record in history],
                y=values,
                mode="lines",
                name=name,
                line={"color": PALETTE[position % len(PALETTE)]},
                hovertemplate="epoch %{x}: %{y:.4g}<extra>%{fullData.name}</extra>",
            )
        )
    _log_axis(fig, shown)
    label = metric_label(key)
    return styled(fig, f"Runs compared: {label}", "epoch", label, 360)
