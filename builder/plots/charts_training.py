"""Plotly figures of the Train page: live learning curves and runs compared.

Data in (epoch records, as ``builder.training.jobs.Job.history`` holds them), ``go.Figure`` out,
with the shared look of ``builder.plots.charts``.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from builder.plots.charts import PALETTE, styled
from builder.plots.text import plain

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


def _wants_log(values: list[float | None]) -> bool:
    positive = [v for v in values if v is not None and v > 0]
    return bool(positive) and max(positive) / min(positive) > LOG_RATIO


def _log_axis(fig: go.Figure, values: list[float | None]) -> None:
    # One labelled tick a decade (0.1, 1, 10, 100 …): plotly's default labels the 2s and 5s
    # between decades too, which reads as "5, 2, 100, 5, 2, 10".
    if _wants_log(values):
        fig.update_yaxes(type="log", dtick=1, exponentformat="power", minor={"showgrid": True})


def _lines(history: list[dict[str, float]], key: str) -> list[tuple[str, str, str, list]]:
    """(legend name, colour, dash, values) of the training and, when logged, validation line."""
    return [
        (legend, colour, dash, _values(history, name))
        for name, legend, colour, dash in (
            (key, "training", TRAIN_COLOUR, "solid"),
            (f"val_{key}", "validation", VALIDATION_COLOUR, "dash"),
        )
        if any(name in record for record in history)
    ]


def _mode(epochs: int) -> str:
    return "lines+markers" if epochs < 30 else "lines"


def _x_range(epochs: int, planned_epochs: int | None) -> list[float] | None:
    return [0.5, max(planned_epochs, epochs) + 0.5] if planned_epochs else None


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
    lines = _lines(history, key)
    for legend, colour, dash, values in lines:
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=values,
                mode=_mode(len(epochs)),
                name=legend,
                line={"color": colour, "dash": dash},
                hovertemplate="epoch %{x}: %{y:.4g}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(range=_x_range(len(epochs), planned_epochs))
    _log_axis(fig, [v for line in lines for v in line[3]])
    label = LABELS.get(key, key)
    return styled(fig, label.capitalize(), "epoch", label, 300)


def grown_history_figure(
    fig: go.Figure | None,
    history: list[dict[str, float]],
    key: str,
    planned_epochs: int | None = None,
) -> go.Figure:
    """``history_figure`` of a growing run, reusing the figure drawn a moment ago.

    The Train page redraws the curves of every training student twice a second.
    Setting the points of the lines already drawn costs about a twentieth of a new
    figure, whose every property Plotly validates and styles again (measured with
    py-spy on a loaded server: new figures were most of its CPU time).

    Args:
        fig: the figure this function or ``history_figure`` returned for the same run
            and key, or None.
        history, key, planned_epochs: as for ``history_figure``.

    Returns:
        ``fig`` brought up to date, or a new figure when its lines or axis type changed.
    """
    lines = _lines(history, key)
    if (
        fig is None
        or [trace.name for trace in fig.data] != [line[0] for line in lines]
        or _wants_log([v for line in lines for v in line[3]]) != (fig.layout.yaxis.type == "log")
    ):
        return history_figure(history, key, planned_epochs)
    epochs = [record["epoch"] for record in history]
    for trace, (_, _, _, values) in zip(fig.data, lines, strict=True):
        trace.x, trace.y, trace.mode = epochs, values, _mode(len(epochs))
    wanted = _x_range(len(epochs), planned_epochs)
    if wanted != (list(fig.layout.xaxis.range) if fig.layout.xaxis.range else None):
        fig.layout.xaxis.range = wanted
    return fig


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
                name=plain(name),  # a run's or a student's name
                line={"color": PALETTE[position % len(PALETTE)]},
                hovertemplate="epoch %{x}: %{y:.4g}<extra>%{fullData.name}</extra>",
            )
        )
    _log_axis(fig, shown)
    label = metric_label(key)
    return styled(fig, f"Runs compared: {label}", "epoch", label, 360)
