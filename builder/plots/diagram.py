"""The network diagram as a plotly figure: inputs, hidden units and outputs, left to right."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from builder.experiment.summary import DiagramGeometry

ROLE_COLOURS = {"input": "#2ca02c", "hidden": "#1f77b4", "output": "#ff7f0e"}
EDGE_COLOUR = "rgba(120, 120, 120, 0.25)"
PIXELS_PER_SLOT = 34
TRACE_SCALE = "RdBu_r"  # negative blue, zero white, positive red
CHARACTER_PIXELS = 6.5  # about one character of the 11px label font
MAX_LABEL_MARGIN = 260


def network_figure(
    geometry: DiagramGeometry,
    values: list[list[float]] | None = None,
    notes: list[list[str]] | None = None,
    labels: list[list[str] | None] | None = None,
) -> go.Figure:
    """Draw a network from its geometry (``builder.experiment.summary.diagram_geometry``).

    Args:
        geometry: the placed nodes and edges.
        values: optional, per column, a number per unit (e.g. a traced row's activations);
            nodes are then coloured by it and show it in a colour readable on the node.
        notes: optional, per column, a hover text per unit (e.g. how its value was computed).
        labels: optional, per column, a text per unit written beside it (None: none);
            by default the input and output units carry their names.

    Returns:
        A figure with one trace of edges and one trace of nodes per layer; a
        compressed layer shows "⋮ +N" where its undrawn units would be.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in geometry.edges:
        xs += [a.x, b.x, None]
        ys += [a.y, b.y, None]
    figure = go.Figure(
        go.Scatter(
            x=xs, y=ys, mode="lines", line={"color": EDGE_COLOUR, "width": 1}, hoverinfo="skip"
        )
    )
    if labels is None:
        labels = [None] * len(geometry.columns)
        for end in (0, -1):  # keyed by unit, as a compressed column draws only some
            labels[end] = {n.unit: n.label for n in geometry.columns[end].nodes}
    top = (geometry.height - 1) / 2
    widest = {"left": 0, "right": 0}
    for position, column in enumerate(geometry.columns):
        marker = {"size": 16, "color": ROLE_COLOURS[column.role], "line": {"width": 1}}
        hover = [n.label for n in column.nodes]
        mode, shown, ink = "markers", None, None
        if values is not None:
            numbers = [float(values[position][n.unit]) for n in column.nodes]
            fills = node_colours(numbers)
            marker.update(size=26, color=fills)
            mode, shown = "markers+text", [short_number(v) for v in numbers]
            ink = [readable_text(fill) for fill in fills]
        if notes is not None:
            hover = [f"{n.label}<br>{notes[position][n.unit]}" for n in column.nodes]
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
                    text=text,
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
