"""What the network will look like, computed from the table and the spec alone (no TensorFlow).

``input_features`` counts the inputs preprocessing produces from the table,
``model_summary`` gives each layer's output shape and parameter count as Keras'
``model.summary()`` does, and ``diagram_geometry`` places the nodes of the
network diagram (wide layers drawn compressed, with a count).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from builder.experiment.spec import DataSpec, Experiment, NetworkSpec, PrepSpec, output_activation
from builder.experiment.spec import output_units as _output_units
from builder.tables.columns import column_kind

BYTES_PER_PARAM = 4  # float32 weights
MANY_CATEGORIES = 50  # a text column with more categories than this is worth a warning


@dataclass(frozen=True)
class Feature:
    """One input of the network after preprocessing.

    ``kind`` is "number" (a numeric column), "category" (one one-hot column),
    "code" (a text column as category codes) or "missing" (a was-missing flag).
    """

    name: str
    column: str
    kind: str


@dataclass(frozen=True)
class LayerRow:
    """One row of the model summary."""

    name: str
    kind: str
    units: int
    params: int

    @property
    def label(self) -> str:
        """Keras' "Layer (type)" cell, e.g. ``dense_1 (Dense)``."""
        return f"{self.name} ({self.kind})"

    @property
    def output_shape(self) -> str:
        """Keras' "Output Shape" cell, e.g. ``(None, 12)``."""
        return f"(None, {self.units})"


@dataclass(frozen=True)
class ModelSummary:
    """Layers with their parameter counts and the totals, like ``model.summary()``."""

    inputs: int
    rows: list[LayerRow]

    @property
    def total(self) -> int:
        """Every parameter; all are trainable in these networks."""
        return sum(row.params for row in self.rows)

    @property
    def trainable(self) -> int:
        """Parameters the optimizer updates."""
        return self.total

    @property
    def memory(self) -> str:
        """The weights' size as Keras prints it, e.g. ``4.82 KB``."""
        size = float(self.total * BYTES_PER_PARAM)
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1024:
                return f"{size:.2f} {unit}"
            size /= 1024
        return f"{size:.2f} TB"

    def text(self) -> str:
        """A plain-text table in the layout of Keras' ``model.summary()``."""
        lines = [f"{'Layer (type)':<28}{'Output Shape':<20}{'Param #':>12}", "=" * 60]
        lines += [f"{r.label:<28}{r.output_shape:<20}{r.params:>12,}" for r in self.rows]
        lines += [
            "=" * 60,
            f"Total params: {self.total:,} ({self.memory})",
            f"Trainable params: {self.trainable:,} ({self.memory})",
            "Non-trainable params: 0 (0.00 B)",
        ]
        return "\n".join(lines)


def feature_columns(frame: pd.DataFrame, data: DataSpec) -> list[str]:
    """The table's columns that feed the network: all but the target and the excluded ones."""
    return [c for c in frame.columns if c != data.target and c not in data.excluded]


def _labelled_rows(frame: pd.DataFrame, target: str | None) -> pd.DataFrame:
    """Rows with a target value: the others are dropped before training."""
    if target is None or target not in frame.columns:
        return frame
    return frame[frame[target].notna()]


def input_features(frame: pd.DataFrame, data: DataSpec, prep: PrepSpec) -> list[Feature]:
    """The network's inputs after preprocessing, in the order PrepSpec describes.

    Numbers and yes/no columns give one input each; a text column gives one
    input per category seen (one-hot) or one column of codes; each feature
    column with a missing value adds a ``<column>_was_missing`` flag when the
    missing-value indicator is on.

    Args:
        frame: the loaded table.
        data: which columns are target and excluded.
        prep: the preprocessing settings.

    Returns:
        One ``Feature`` per network input.
    """
    rows = _labelled_rows(frame, data.target)
    features: list[Feature] = []
    flags: list[Feature] = []
    for name in feature_columns(frame, data):
        series = rows[name]
        if column_kind(series) in ("text", "date"):
            if prep.one_hot:
                categories = sorted(str(v) for v in series.dropna().unique())
                features += [Feature(f"{name}={c}", name, "category") for c in categories]
            else:
                features.append(Feature(name, name, "code"))
        else:
            features.append(Feature(name, name, "number"))
        if prep.missing_indicator and series.isna().any():
            flags.append(Feature(f"{name}_was_missing", name, "missing"))
    return features + flags


def feature_notes(features: list[Feature]) -> list[str]:
    """Warnings about inputs a user may not have meant: text columns with many categories."""
    counts = pd.Series([f.column for f in features if f.kind == "category"]).value_counts()
    return [
        f"'{column}' becomes {count} one-hot inputs, one per distinct value. If it names "
        "rows (like a name or ticket), leave it out of the features."
        for column, count in counts.items()
        if count > MANY_CATEGORIES
    ]


def class_labels(frame: pd.DataFrame, target: str | None, task: str | None) -> list[str]:
    """The target's classes in sorted order, as text; empty for a regression."""
    if task not in ("binary", "multiclass") or target not in frame.columns:
        return []
    return [str(v) for v in sorted(frame[target].dropna().unique())]


def model_summary(inputs: int, network: NetworkSpec, task: str, n_classes: int) -> ModelSummary:
    """Output shapes and parameter counts of every layer, as Keras counts them.

    A Dense layer of ``u`` units on ``n`` inputs has ``n*u`` weights plus ``u``
    biases (when bias is on); a Dropout layer follows it when its rate is above 0
    and has no parameters. Layers are named as Keras names them in a fresh session.

    Args:
        inputs: the number of network inputs (``len(input_features(...))``).
        network: the hidden layers and output settings.
        task: "binary", "multiclass" or "regression".
        n_classes: the number of classes (ignored for regression).

    Returns:
        The summary.
    """
    counters = {"dense": 0, "dropout": 0}
    rows: list[LayerRow] = []

    def name(base: str) -> str:
        count = counters[base]
        counters[base] += 1
        return base if count == 0 else f"{base}_{count}"

    width = inputs
    for layer in network.hidden:
        params = width * layer.units + (layer.units if layer.use_bias else 0)
        rows.append(LayerRow(name("dense"), "Dense", layer.units, params))
        if layer.dropout > 0:
            rows.append(LayerRow(name("dropout"), "Dropout", layer.units, 0))
        width = layer.units
    units = _output_units(network, task, n_classes)
    rows.append(LayerRow(name("dense"), "Dense", units, width * units + units))
    return ModelSummary(inputs, rows)


def summarize(
    frame: pd.DataFrame, experiment: Experiment, task: str
) -> tuple[list[Feature], ModelSummary]:
    """The inputs and the model summary of an experiment on a table.

    Args:
        frame: the loaded table.
        experiment: the experiment.
        task: the task in force (the user's choice or the inferred one).

    Returns:
        (input features, model summary)
    """
    features = input_features(frame, experiment.data, experiment.prep)
    n_classes = len(class_labels(frame, experiment.data.target, task))
    return features, model_summary(len(features), experiment.network, task, n_classes)


@dataclass(frozen=True)
class Node:
    """One drawn unit: its position and what hovering over it shows."""

    x: float
    y: float
    label: str
    unit: int = 0


@dataclass(frozen=True)
class DiagramColumn:
    """One layer of the diagram; a wide layer shows some units and a gap standing for the rest."""

    title: str
    role: str
    size: int
    nodes: list[Node]
    gap_y: float | None

    @property
    def hidden_units(self) -> int:
        """Units not drawn, counted in the gap's label."""
        return self.size - len(self.nodes)


@dataclass(frozen=True)
class DiagramGeometry:
    """Columns of nodes, and the edges between drawn nodes of neighbouring columns."""

    columns: list[DiagramColumn]
    edges: list[tuple[Node, Node]]

    @property
    def height(self) -> int:
        """Slots of the tallest column (drawn nodes plus a gap)."""
        return max(len(c.nodes) + (c.gap_y is not None) for c in self.columns)


def _column(x: float, title: str, role: str, labels: list[str], max_drawn: int) -> DiagramColumn:
    """Place a column's nodes top-down around y=0; past ``max_drawn``, keep the first and last."""
    size = len(labels)
    if size <= max_drawn:
        shown, gap_at = list(range(size)), None
    else:
        tail = max(1, max_drawn // 4)
        head = max_drawn - tail
        shown, gap_at = [*range(head), *range(size - tail, size)], head
    slots = len(shown) + (gap_at is not None)
    top = (slots - 1) / 2
    nodes, gap_y, slot = [], None, 0
    for position, index in enumerate(shown):
        if position == gap_at:
            gap_y = top - slot
            slot += 1
        nodes.append(Node(x, top - slot, labels[index], index))
        slot += 1
    return DiagramColumn(title, role, size, nodes, gap_y)


def diagram_geometry(
    features: list[str],
    network: NetworkSpec,
    task: str,
    classes: list[str],
    target: str = "target",
    max_drawn: int = 12,
) -> DiagramGeometry:
    """Where to draw each unit of the network: inputs, hidden layers, outputs, left to right.

    Args:
        features: the input names (``Feature.name``).
        network: the hidden layers and output settings.
        task: "binary", "multiclass" or "regression".
        classes: the target's classes in order (empty for regression).
        target: the target's name, for the output labels.
        max_drawn: the most units drawn in one column; wider layers are compressed.

    Returns:
        The geometry.
    """
    columns = [_column(0, f"Input<br>{len(features)} features", "input", list(features), max_drawn)]
    for i, layer in enumerate(network.hidden, start=1):
        title = f"Dense {layer.units}<br>{layer.activation}"
        if layer.dropout > 0:
            title += f", dropout {layer.dropout:g}"
        labels = [f"layer {i}, unit {u + 1} ({layer.activation})" for u in range(layer.units)]
        columns.append(_column(i, title, "hidden", labels, max_drawn))
    units = _output_units(network, task, len(classes))
    activation = output_activation(network, task)
    if task == "regression":
        labels = [f"predicted {target}"]
    elif units == 1:
        labels = [f"P({target} = {classes[-1] if classes else 1})"]
    else:
        labels = [f"P({target} = {c})" for c in classes[:units]]
        labels += [f"output {u + 1}" for u in range(len(labels), units)]
    x = len(network.hidden) + 1
    columns.append(_column(x, f"Output {units}<br>{activation}", "output", labels, max_drawn))
    edges = [(a, b) for left, right in pairwise(columns) for a in left.nodes for b in right.nodes]
    return DiagramGeometry(columns, edges)
