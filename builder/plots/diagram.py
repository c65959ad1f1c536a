"""The network diagram as a plotly figure: inputs, hidden units and outputs, left to right."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from builder.errors import DataError
from builder.experiment.summary import DiagramColumn, DiagramGeometry
from builder.plots.text import plain

ROLE_COLOURS = {"input": "#2ca02c", "hidden": "#1f77b4", "output": "#ff7f0e"}
EDGE_COLOUR = "rgba(120, 120, 120, 0.25)"
PIXELS_PER_SLOT = 34
TRACE_SCALE = "RdBu_r"  # negative blue, zero white, positive red
CHARACTER_PIXELS = 6.5  # about one character of the 11px label font
MAX_LABEL_MARGIN = 260
# Drawn weights: per sign, a line width and a depth on TRACE_SCALE for each third of
# the layer's largest |weight| (six edge traces at most, however many edges).
WEIGHT_WIDTHS = (0.6, 1.6, 3.2)
WEIGHT_DEPTHS = (0.45, 0.7, 0.95)
WEIGHT_OPACITY = 0.7


def network_figure(
    geometry: DiagramGeometry,
    values: list[list[float]] | None = None,
    notes: list[list[str]] | None = None,
    labels: list[list[str] | None] | None = None,
    weights: Mapping[str, Sequence] | None = None,
) -> go.Figure:
    """Draw a network from its geometry (``builder.experiment.summary.diagram_geometry``).

    Args:
        geometry: the placed nodes and edges.
        values: optional, per column, a number per unit (e.g. a traced row's activations);
            nodes are then coloured by it and show it in a colour readable on the node.
        notes: optional, per column, a hover text per unit (e.g. how its value was computed),
            plain text whose lines are split by "\n".
        labels: optional, per column, a text per unit written beside it (None: none);
            by default the input and output units carry their names.
            Labels and notes hold column and class names: they are drawn literally.
        weights: optional, the network's weights as a worker sends them
            (``builder.worker.live.layer_arrays`` or ``layer_weights``, e.g. a
            ``Job.snapshots`` entry's second item): ``{layer name: [kernel, bias]}`` for
            each Dense layer in order, the kernel (inputs × units) and the bias (units)
            as arrays or nested lists; the bias is absent for a layer without one. The
            names are not read, only the order. Edges are then red for a positive weight
            and blue for a negative one, thicker for a larger |weight| (in thirds of the
            layer's largest), and show their weight on hover; hidden and output nodes are
            coloured by their bias (unless ``values`` colours them) and show it on hover.

    Returns:
        A figure with the edges (one trace, or with ``weights`` up to six by sign and
        width plus one of invisible hover points), then one trace of nodes per layer; a
        compressed layer shows "⋮ +N" where its undrawn units would be.

    Raises:
        DataError: ``weights`` does not fit the geometry (layer count or an array's shape).
    """
    layers = None if weights is None else _fitted_weights(geometry, weights)
    figure = go.Figure(
        _plain_edges(geometry) if layers is None else _weighted_edges(geometry, layers)
    )
    biases: list[np.ndarray | None] = [None] * len(geometry.columns)
    if layers is not None:
        biases[1:] = [bias for _, bias in layers]
    if labels is None:
        labels = [None] * len(geometry.columns)
        for end in (0, -1):  # keyed by unit, as a compressed column draws only some
            labels[end] = {n.unit: n.label for n in geometry.columns[end].nodes}
    top = (geometry.height - 1) / 2
    widest = {"left": 0, "right": 0}
    for position, column in enumerate(geometry.columns):
        marker = {"size": 16, "color": ROLE_COLOURS[column.role], "line": {"width": 1}}
        hover = [plain(n.label) for n in column.nodes]
        mode, shown, ink = "markers", None, None
        if values is not None:
            numbers = [float(values[position][n.unit]) for n in column.nodes]
            fills = node_colours(numbers)
            marker.update(size=26, color=fills)
            mode, shown = "markers+text", [short_number(v) for v in numbers]
            ink = [readable_text(fill) for fill in fills]
        elif biases[position] is not None:
            numbers = np.nan_to_num(
                biases[position][[n.unit for n in column.nodes]], posinf=0, neginf=0
            )
            fills = node_colours([float(v) for v in numbers])
            marker.update(color=fills)
        if notes is not None:
            hover = [
                f"{plain(n.label)}<br>{plain(notes[position][n.unit]).replace(chr(10), '<br>')}"
                for n in column.nodes
            ]
        if biases[position] is not None:
            hover = [
                f"{text}<br>bias {biases[position][n.unit]:.3g}"
                for text, n in zip(hover, column.nodes, strict=True)
            ]
        figure.add_trace(
            go.Scatter(
                x=[n.x for n in column.nodes],
                y=[n.y for n in column.nodes],
                mode=mode,
                marker=marker,
                text=shown,
                textfont={"size": 9, "color": ink},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                name=column.title.replace("<br>", " "),
            )
        )
        if labels[position] is not None:
            # Inputs are named on their left, everything else on its right.
            side = "left" if position == 0 else "right"
            for node in column.nodes:
                text = labels[position][node.unit]
                widest[side] = max(widest[side], len(text))
                figure.add_annotation(
                    x=node.x,
                    y=node.y,
                    text=plain(text),
                    showarrow=False,
                    xanchor="right" if side == "left" else "left",
                    xshift=-16 if side == "left" else 16,
                    font={"size": 11},
                )
        x = column.nodes[0].x if column.nodes else 0
        figure.add_annotation(x=x, y=top + 1, text=f"<b>{column.title}</b>", showarrow=False)
        if column.gap_y is not None:
            figure.add_annotation(
                x=x, y=column.gap_y, text=f"⋮ +{column.hidden_units}", showarrow=False
            )
    # The labels sit in the margins, which grow with the longest one.
    margin = {side: 10 + min(MAX_LABEL_MARGIN, CHARACTER_PIXELS * n) for side, n in widest.items()}
    figure.update_layout(
        showlegend=False,
        height=max(260, PIXELS_PER_SLOT * (geometry.height + 3)),
        margin={"l": margin["left"], "r": margin["right"], "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "range": [-top - 1, top + 1.8]},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def _plain_edges(geometry: DiagramGeometry) -> go.Scatter:
    """Every drawn edge in one grey trace."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in geometry.edges:
        xs += [a.x, b.x, None]
        ys += [a.y, b.y, None]
    return go.Scatter(
        x=xs, y=ys, mode="lines", line={"color": EDGE_COLOUR, "width": 1}, hoverinfo="skip"
    )


def _fitted_weights(
    geometry: DiagramGeometry, weights: Mapping[str, Sequence]
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(kernel, bias or None) per layer, checked against the columns' sizes."""
    columns = geometry.columns
    if len(weights) != len(columns) - 1:
        raise DataError(
            f"The diagram has {len(columns) - 1} layers with weights but "
            f"{len(weights)} were received ({', '.join(weights) or 'none'}). "
            "Draw the weights of the network this diagram shows."
        )
    layers = []
    for (name, arrays), (left, right) in zip(weights.items(), pairwise(columns), strict=True):
        kernel = np.asarray(arrays[0])
        bias = np.asarray(arrays[1]) if len(arrays) > 1 else None
        expected = [("kernel", kernel, (left.size, right.size))]
        if bias is not None:
            expected.append(("bias", bias, (right.size,)))
        for what, array, shape in expected:
            if array.shape != shape:
                raise DataError(
                    f"Layer {name!r} has a {what} of shape {array.shape}, but the diagram's "
                    f"{_title(right)} layer expects {shape}. "
                    "Draw the weights of the network this diagram shows."
                )
        layers.append((kernel, bias))
    return layers


def _title(column: DiagramColumn) -> str:
    return column.title.replace("<br>", ", ")


def _weighted_edges(
    geometry: DiagramGeometry, layers: list[tuple[np.ndarray, np.ndarray | None]]
) -> list[go.Scatter]:
    """Edge traces binned by sign and |weight|, then one trace of hover points on the edges.

    A hover point sits on its edge at a fraction of the way that grows with the source's
    place in its column: at the midpoints, a layer's edges would cross in a few shared
    points and hide each other's hover.
    """
    bins: dict[tuple[bool, int], tuple[list, list]] = {}
    hover_x, hover_y, hover_text, hover_weight = [], [], [], []
    for (left, right), (kernel, _) in zip(pairwise(geometry.columns), layers, strict=True):
        # A diverged run's weights may be NaN or infinite: drawn thinnest (NaN, in blue)
        # and thickest; the hover says which.
        sizes = np.abs(kernel.astype(np.float64))
        largest = float(sizes[np.isfinite(sizes)].max(initial=0.0)) or 1.0
        sizes = np.nan_to_num(sizes, nan=0.0, posinf=largest)
        for rank, a in enumerate(left.nodes):
            along = 0.3 + 0.4 * rank / max(1, len(left.nodes) - 1)
            for b in right.nodes:
                weight = kernel[a.unit, b.unit]
                third = min(len(WEIGHT_WIDTHS) - 1, int(3 * sizes[a.unit, b.unit] / largest))
                xs, ys = bins.setdefault((bool(weight >= 0), third), ([], []))
                xs += [a.x, b.x, None]
                ys += [a.y, b.y, None]
                hover_x.append(round(a.x + along * (b.x - a.x), 4))
                hover_y.append(round(a.y + along * (b.y - a.y), 4))
                hover_text.append(f"{plain(a.label)} → {plain(b.label)}")
                hover_weight.append(weight)
    traces = []
    for (positive, third), (xs, ys) in sorted(bins.items()):
        depth = WEIGHT_DEPTHS[third] / 2
        colour = sample_colorscale(TRACE_SCALE, [0.5 + depth if positive else 0.5 - depth])[0]
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": colour, "width": WEIGHT_WIDTHS[third]},
                opacity=WEIGHT_OPACITY,
                hoverinfo="skip",
                name=f"{'positive' if positive else 'negative'} weights, third {third + 1}",
            )
        )
    traces.append(
        go.Scatter(
            x=hover_x,
            y=hover_y,
            mode="markers",
            marker={"size": 8, "color": "rgba(0, 0, 0, 0)"},
            text=hover_text,
            customdata=np.asarray(hover_weight, dtype=np.float32),
            hovertemplate="%{text}: weight %{customdata:.3g}<extra></extra>",
            name="weights",
        )
    )
    return traces


def short_number(value: float) -> str:
    """A value in at most about four characters, to fit inside a node (hover has it in full)."""
    if value != 0 and abs(value) < 0.01:
        return "≈0"
    if abs(value) >= 1000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2g}"


def node_colours(numbers: list[float]) -> list[str]:
    """Colours on the trace scale, white at zero and darkest at the column's largest magnitude."""
    largest = max((abs(v) for v in numbers), default=0.0) or 1.0
    return sample_colorscale(TRACE_SCALE, [0.5 + v / (2 * largest) for v in numbers])


def readable_text(colour: str) -> str:
    """Black or white, whichever contrasts more with an ``rgb(r, g, b)`` colour (WCAG ratio)."""
    lightness = relative_luminance(colour)
    return "#000000" if (lightness + 0.05) / 0.05 >= 1.05 / (lightness + 0.05) else "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` colour, 0 (black) to 1 (white)."""
    channels = [float(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
