"""The network diagram as a plotly figure: inputs, hidden units and outputs, left to right."""

from __future__ import annotations

import plotly.graph_objects as go

from builder.experiment.summary import DiagramGeometry

ROLE_COLOURS = {"input": "#2ca02c", "hidden": "#1f77b4", "output": "#ff7f0e"}
EDGE_COLOUR = "rgba(120, 120, 120, 0.25)"
PIXELS_PER_SLOT = 34
TRACE_SCALE = "RdBu_r"  # negative blue, zero white, positive red


def network_figure(
    geometry: DiagramGeometry,
    values: list[list[float]] | None = None,
    notes: list[list[str]] | None = None,
) -> go.Figure:
    """Draw a network from its geometry (``builder.experiment.summary.diagram_geometry``).

    Args:
        geometry: the placed nodes and edges.
        values: optional, per column, a number per unit (e.g. a traced row's activations);
            nodes are then coloured by it and show it.
        notes: optional, per column, a hover text per unit (e.g. how its value was computed).

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
    top = (geometry.height - 1) / 2
    for position, column in enumerate(geometry.columns):
        marker = {"size": 16, "color": ROLE_COLOURS[column.role], "line": {"width": 1}}
        hover = [n.label for n in column.nodes]
        mode, shown = "markers", None
        if values is not None:
            numbers = [float(values[position][n.unit]) for n in column.nodes]
            marker.update(size=26, color=numbers, colorscale=TRACE_SCALE, cmid=0)
            mode, shown = "markers+text", [f"{v:.2g}" for v in numbers]
        if notes is not None:
            hover = [f"{n.label}<br>{notes[position][n.unit]}" for n in column.nodes]
        figure.add_trace(
            go.Scatter(
                x=[n.x for n in column.nodes],
                y=[n.y for n in column.nodes],
                mode=mode,
                marker=marker,
                text=shown,
                textfont={"size": 9},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                name=column.title.replace("<br>", " "),
            )
        )
        x = column.nodes[0].x if column.nodes else 0
        figure.add_annotation(x=x, y=top + 1, text=f"<b>{column.title}</b>", showarrow=False)
        if column.gap_y is not None:
            figure.add_annotation(
                x=x, y=column.gap_y, text=f"⋮ +{column.hidden_units}", showarrow=False
            )
    figure.update_layout(
        showlegend=False,
        height=max(260, PIXELS_PER_SLOT * (geometry.height + 3)),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "range": [-top - 1, top + 1.8]},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure
