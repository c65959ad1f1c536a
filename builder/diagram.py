"""The network diagram as a plotly figure: inputs, hidden units and outputs, left to right."""

from __future__ import annotations

import plotly.graph_objects as go

from builder.summary import DiagramGeometry

ROLE_COLOURS = {"input": "#2ca02c", "hidden": "#1f77b4", "output": "#ff7f0e"}
EDGE_COLOUR = "rgba(120, 120, 120, 0.25)"
PIXELS_PER_SLOT = 34


def network_figure(geometry: DiagramGeometry) -> go.Figure:
    """Draw a network from its geometry (``builder.summary.diagram_geometry``).

    Args:
        geometry: the placed nodes and edges.

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
    for column in geometry.columns:
        figure.add_trace(
            go.Scatter(
                x=[n.x for n in column.nodes],
                y=[n.y for n in column.nodes],
                mode="markers",
                marker={"size": 16, "color": ROLE_COLOURS[column.role], "line": {"width": 1}},
                text=[n.label for n in column.nodes],
                hovertemplate="%{text}<extra></extra>",
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
