"""Plotly figure builders: data in, ``go.Figure`` out, with one look for every page.

Every builder finishes with :func:`styled`, which applies the shared :data:`TEMPLATE`
(a small one: Plotly's default template adds ~7 KB of JSON to every figure).
Builders take results that are already small (bin counts, samples, matrices from
``builder.tables.profile``), never a whole table, so a figure's JSON stays small.

Sections: shared look · Explore page. Other pages add a section of their own.

Column names, class values and titles come from users: every one goes through
``text.plain`` (``styled`` does it for the titles it sets), so Plotly draws it as text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from builder.plots.text import in_template, plain, plain_all
from builder.tables.profile import CategoryCounts, ClassBalance, Histogram, ScatterSample

# ---------------------------------------------------------------- shared look

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
POSITIVE, NEGATIVE = "#D55E00", "#0072B2"
DIVERGING = "RdBu_r"  # blue for -1, white for 0, red for +1
SEQUENTIAL = "Viridis"
GRID = "#E5E5E5"
# Top right, clear of the title at the top left. Set on the layout itself, not the template:
# Streamlit's theme replaces a template's legend.
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        font={"family": "Source Sans Pro, sans-serif", "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        hoverlabel={"namelength": -1},
        xaxis={"gridcolor": GRID, "zerolinecolor": GRID, "automargin": True},
        yaxis={"gridcolor": GRID, "zerolinecolor": GRID, "automargin": True},
    )
)


def styled(
    fig: go.Figure,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int | None = None,
    legend_title: str | None = None,
) -> go.Figure:
    """Give a figure the shared look and its titles.

    Args:
        fig: the figure to style (changed in place).
        title, x_title, y_title, legend_title: texts, drawn literally (``text.plain``);
            None leaves them out.
        height: in pixels; None keeps Plotly's default.

    Returns:
        The same figure, for chaining.
    """
    fig.update_layout(
        template=TEMPLATE,
        title={"text": None if title is None else plain(title), "x": 0},
        height=height,
        legend=LEGEND,
    )
    if legend_title is not None:
        fig.update_layout(legend_title_text=plain(legend_title))
    if x_title is not None:
        fig.update_xaxes(title_text=plain(x_title))
    if y_title is not None:
        fig.update_yaxes(title_text=plain(y_title))
    return fig


# ---------------------------------------------------------------- Explore page


def class_balance_bar(balance: ClassBalance, target: str) -> go.Figure:
    """Rows per class of the target, each bar labelled with its count and share."""
    counts = balance.counts
    shares = counts / counts.sum()
    fig = go.Figure(
        go.Bar(
            x=plain_all(counts.index),
            y=counts.to_numpy(),
            text=[f"{n:,} ({s:.0%})" for n, s in zip(counts, shares, strict=True)],
            textposition="auto",
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(counts))],
            hovertemplate="class %{x}: %{y:,} rows<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    return styled(fig, f"Class balance of '{target}'", target, "rows", height=320)


def missing_bar(column_table: pd.DataFrame) -> go.Figure:
    """Share of missing values per column, for the columns that have any.

    Args:
        column_table: ``Summary.column_table`` (name, missing, missing %).
    """
    rows = column_table[column_table["missing"] > 0].sort_values("missing")
    fig = go.Figure(
        go.Bar(
            x=rows["missing %"].to_numpy() / 100,
            y=plain_all(rows["name"]),
            orientation="h",
            text=[f"{n:,}" for n in rows["missing"]],
            textposition="auto",
            marker_color=PALETTE[3],
            hovertemplate="%{y}: %{x:.1%} missing<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    height = 120 + 28 * len(rows)
    return styled(fig, "Missing values per column", "share of rows missing", None, height=height)


def histogram_figure(hist: Histogram, mode: str = "overlay", share: bool = False) -> go.Figure:
    """A histogram drawn from server-side bin counts.

    Args:
        hist: bin edges and counts per group (``profile.histogram``).
        mode: with a group, "overlay" (see-through bars on one chart), "stack", or "split"
            (one chart per group, sharing the x axis).
        share: plot each group's share of its own rows instead of counts, so groups of
            unequal size compare fairly.

    Returns:
        The figure.
    """
    heights = hist.shares() if share else hist.counts
    centres = (hist.edges[:-1] + hist.edges[1:]) / 2
    widths = np.diff(hist.edges)
    ranges = np.column_stack([hist.edges[:-1], hist.edges[1:]])
    value = "%{y:.1%}" if share else "%{y:,}"
    groups = list(heights.items())
    split = mode == "split" and len(groups) > 1
    fig = (
        make_subplots(
            rows=len(groups),
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.04,
            subplot_titles=[plain(f"{hist.group} = {label}") for label, _ in groups],
        )
        if split
        else go.Figure()
    )
    for position, (label, counts) in enumerate(groups):
        bar = go.Bar(
            x=centres,
            y=counts,
            width=widths,
            name=plain(label if hist.group else hist.column),
            customdata=ranges,
            marker_color=PALETTE[position % len(PALETTE)],
            marker_line_width=0,
            opacity=0.6 if mode == "overlay" and len(groups) > 1 else 1.0,
            hovertemplate=f"[%{{customdata[0]:.4g}}, %{{customdata[1]:.4g}}): {value}"
            "<extra>%{fullData.name}</extra>",
        )
        if split:
            fig.add_trace(bar, row=position + 1, col=1)
        else:
            fig.add_trace(bar)
    fig.update_layout(
        barmode="stack" if mode == "stack" else "overlay",
        bargap=0,
        showlegend=hist.group is not None and not split,
    )
    if share:
        fig.update_yaxes(tickformat=".0%")
    title = f"Distribution of '{hist.column}'" + (f" by '{hist.group}'" if hist.group else "")
    y_title = "share of group's rows" if share and hist.group else "share" if share else "rows"
    height = 180 + 160 * len(groups) if split else 400
    fig = styled(fig, title, None, None, height=height, legend_title=hist.group)
    fig.update_xaxes(title_text=plain(hist.column), row=len(groups) if split else None)
    fig.update_yaxes(title_text=y_title)
    return fig


def category_bar(counts: CategoryCounts, stacked: bool = True) -> go.Figure:
    """Rows per category, most frequent at the top; one colour per group when split.

    Args:
        counts: the counts (``profile.category_counts``).
        stacked: with a group, stack the groups' bars (else place them side by side).
    """
    table = counts.table.iloc[::-1]  # horizontal bars are drawn bottom-up
    fig = go.Figure(
        [
            go.Bar(
                x=table[label].to_numpy(),
                y=plain_all(table.index),
                orientation="h",
                name=plain(label),
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{y}: %{x:,} rows<extra>%{fullData.name}</extra>",
            )
            for i, label in enumerate(table.columns)
        ]
    )
    fig.update_yaxes(type="category")
    fig.update_layout(barmode="stack" if stacked else "group", showlegend=counts.group is not None)
    title = f"Values of '{counts.column}'" + (f" by '{counts.group}'" if counts.group else "")
    height = 140 + 24 * len(table) * (1 if stacked or counts.group is None else 2)
    return styled(fig, title, "rows", None, height=min(height, 1200), legend_title=counts.group)


def scatter_figure(sample: ScatterSample) -> go.Figure:
    """Points of two columns, coloured by a third.

    A numeric colour column with more than two values gets a colour scale; text and
    two-valued columns get one colour per value, named in the legend.
    """
    rows = sample.frame
    hover = f"{in_template(sample.x)}: %{{x}}<br>{in_template(sample.y)}: %{{y}}"
    marker = {"size": 5, "opacity": 0.65 if len(rows) > 1000 else 0.85}
    traces = []
    colour = rows[sample.color] if sample.color else None
    if colour is None:
        traces.append(_points(rows, sample, marker, hover, name=None))
    elif _continuous(colour):
        marker |= {
            "color": colour.to_numpy(dtype=float, na_value=np.nan),
            "colorscale": SEQUENTIAL,
            "colorbar": {"title": {"text": plain(sample.color)}},
            "showscale": True,
        }
        traces.append(
            _points(
                rows,
                sample,
                marker,
                hover + f"<br>{in_template(sample.color)}: %{{marker.color}}",
                None,
            )
        )
    else:
        for i, (label, part) in enumerate(rows.groupby(colour, dropna=False, sort=True)):
            name = "(missing)" if pd.isna(label) else plain(label)
            marker_i = marker | {"color": PALETTE[i % len(PALETTE)]}
            traces.append(_points(part, sample, marker_i, hover, name=name))
    fig = go.Figure(traces)
    fig.update_layout(showlegend=colour is not None and not _continuous(colour))
    title = f"'{sample.y}' against '{sample.x}'" + (
        f", coloured by '{sample.color}'" if sample.color else ""
    )
    return styled(fig, title, sample.x, sample.y, height=480, legend_title=sample.color)


def _points(rows: pd.DataFrame, sample: ScatterSample, marker: dict, hover: str, name):
    # WebGL draws thousands of points smoothly where SVG stutters.
    return go.Scattergl(
        x=rows[sample.x].to_numpy(dtype=float, na_value=np.nan),
        y=rows[sample.y].to_numpy(dtype=float, na_value=np.nan),
        mode="markers",
        marker=marker,
        name=name,
        hovertemplate=hover + ("<extra>%{fullData.name}</extra>" if name else "<extra></extra>"),
    )


def _continuous(series: pd.Series) -> bool:
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    return numeric and series.nunique() > 2


def correlation_heatmap(matrix: pd.DataFrame, method: str, values_up_to: int = 20) -> go.Figure:
    """A correlation matrix as coloured cells, red for +1, blue for -1.

    Args:
        matrix: a square correlation matrix labelled by column.
        method: "pearson" or "spearman", named in the title.
        values_up_to: write the value on each cell when there are at most this many columns
            (more would be unreadable; hovering still shows them).
    """
    names = plain_all(matrix.columns)
    z = np.round(matrix.to_numpy(dtype=float), 3)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            zmin=-1,
            zmax=1,
            colorscale=DIVERGING,
            texttemplate="%{z:.2f}" if len(names) <= values_up_to else None,
            hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
            colorbar={"title": {"text": "r"}},
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-45)
    size = max(420, min(900, 120 + 26 * len(names)))
    label = "Spearman (rank)" if method == "spearman" else "Pearson"
    return styled(fig, f"{label} correlation between numeric columns", height=size)


def target_correlation_bar(series: pd.Series, target: str, method: str) -> go.Figure:
    """The features most correlated with the target, strongest at the top, coloured by sign.

    Args:
        series: correlation per feature (``profile.target_correlations``), strongest first.
        target: the target's name, for the title.
        method: "pearson" or "spearman".
    """
    ordered = series.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=ordered.to_numpy(dtype=float),
            y=plain_all(ordered.index),
            orientation="h",
            text=[f"{r:+.2f}" for r in ordered],
            textposition="auto",
            marker_color=[POSITIVE if r >= 0 else NEGATIVE for r in ordered],
            hovertemplate="%{y}: r = %{x:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[-1, 1], zeroline=True, zerolinecolor="#999999")
    fig.update_yaxes(type="category")
    height = 140 + 28 * len(series)
    return styled(fig, f"Features most correlated with '{target}' ({method})", "r", None, height)


# ---------------------------------------------------------------- Evaluate page


def confusion_figure(
    matrix: list[list[float]], class_names: list[str], normalised: bool
) -> go.Figure:
    """The confusion matrix: true classes down, predicted classes across, counts or row shares.

    Each cell also holds an invisible marker carrying ``customdata = [true, predicted]``
    (class indices): Streamlit reports clicks on scatter points but not on heatmap cells
    (streamlit#8760), so a click on a cell selects its marker.
    """
    values = np.asarray(matrix, dtype=float)
    names = plain_all(class_names)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=names,
            y=names,
            colorscale="Blues",
            zmin=0,
            texttemplate="%{z:.0%}" if normalised else "%{z:,.0f}",
            hoverinfo="skip",
            showscale=False,
        )
    )
    cells = [(t, p) for t in range(len(names)) for p in range(len(names))]
    fig.add_trace(
        go.Scatter(
            x=[names[p] for _, p in cells],
            y=[names[t] for t, _ in cells],
            customdata=[[t, p, values[t, p]] for t, p in cells],
            mode="markers",
            marker={"size": 40, "opacity": 0, "symbol": "square"},
            hovertemplate="true %{y}, predicted %{x}: %{customdata[2]:.4g}"
            "<br>click to list its test rows<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(type="category", showgrid=False, side="top")
    size = max(300, min(700, 120 + 45 * len(class_names)))
    title = "Confusion matrix (share of each true class)" if normalised else "Confusion matrix"
    return styled(fig, title, "predicted class", "true class", height=size)


def roc_figure(curves: list) -> go.Figure:
    """ROC curves (``metrics.RocCurve``) with their AUC, and the diagonal of guessing."""
    fig = go.Figure(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            line={"dash": "dot", "color": "#999999"},
            name="guessing (AUC 0.5)",
            hoverinfo="skip",
        )
    )
    for curve in curves:
        fig.add_trace(
            go.Scatter(
                x=curve.fpr,
                y=curve.tpr,
                mode="lines",
                name=f"{plain(curve.label)} (AUC {curve.auc:.3f})",
                hovertemplate="false positives %{x:.2f}, true positives %{y:.2f}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return styled(fig, "ROC curve", "false positive rate", "true positive rate", height=420)


def threshold_figure(rows: list[dict], chosen: float) -> go.Figure:
    """Accuracy, precision and recall as the decision threshold moves, the chosen one marked."""
    fig = go.Figure()
    for name in ("accuracy", "precision", "recall"):
        fig.add_trace(
            go.Scatter(
                x=[r["threshold"] for r in rows],
                y=[r[name] for r in rows],
                mode="lines+markers",
                name=name,
            )
        )
    fig.add_vline(x=chosen, line_dash="dash", line_color="#555555")
    fig.update_yaxes(range=[0, 1.02])
    return styled(fig, "What the decision threshold changes", "threshold", None, height=360)


def predicted_vs_actual(actual: np.ndarray, predicted: np.ndarray, target: str) -> go.Figure:
    """Each test row's prediction against its true value; perfect predictions lie on the line."""
    low = float(min(np.min(actual), np.min(predicted)))
    high = float(max(np.max(actual), np.max(predicted)))
    fig = go.Figure(
        [
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                name="perfect",
                line={"dash": "dot", "color": "#999999"},
                hoverinfo="skip",
            ),
            go.Scatter(
                x=actual,
                y=predicted,
                mode="markers",
                name="test rows",
                marker={"color": PALETTE[0], "opacity": 0.6, "size": 6},
                hovertemplate="actual %{x:.3g}, predicted %{y:.3g}<extra></extra>",
            ),
        ]
    )
    return styled(fig, "Predicted vs actual", f"actual {target}", f"predicted {target}", 400)


def residuals_figure(actual: np.ndarray, predicted: np.ndarray) -> go.Figure:
    """Errors (prediction − actual) against the prediction: a pattern means something is missed."""
    fig = go.Figure(
        go.Scatter(
            x=predicted,
            y=np.asarray(predicted) - np.asarray(actual),
            mode="markers",
            marker={"color": PALETTE[3], "opacity": 0.6, "size": 6},
            hovertemplate="predicted %{x:.3g}, error %{y:+.3g}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color="#999999")
    return styled(fig, "Residuals", "predicted value", "error (predicted − actual)", height=360)


def boundary_figure(boundary) -> go.Figure:
    """The predicted class over two features (``evaluation.Boundary``), real rows on top."""
    names = boundary.class_names
    scale = [[i / max(1, len(names) - 1), PALETTE[i % len(PALETTE)]] for i in range(len(names))]
    fig = go.Figure(
        go.Heatmap(
            x=boundary.xs,
            y=boundary.ys,
            z=boundary.classes,
            zmin=0,
            zmax=max(1, len(names) - 1),
            colorscale=scale if len(names) > 1 else [[0, PALETTE[0]], [1, PALETTE[0]]],
            opacity=0.35,
            showscale=False,
            customdata=np.vectorize(lambda i: plain(names[i]))(boundary.classes),
            text=boundary.confidence,
            hovertemplate="predicted %{customdata} (p = %{text:.2f})<extra></extra>",
        )
    )
    target = boundary.points.columns[2]
    for index, name in enumerate(names):
        rows = boundary.points[boundary.points[target].astype(str) == name]
        fig.add_trace(
            go.Scatter(
                x=rows[boundary.x_name],
                y=rows[boundary.y_name],
                mode="markers",
                name=plain(name),
                marker={
                    "color": PALETTE[index % len(PALETTE)],
                    "size": 6,
                    "line": {"width": 0.5, "color": "white"},
                },
            )
        )
    title = "Decision boundary (other features held at their typical value)"
    return styled(fig, title, boundary.x_name, boundary.y_name, height=480, legend_title=target)
