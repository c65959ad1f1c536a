"""Turning a table into the numbers a network trains on: split, impute, scale, encode.

Pure pandas/numpy (and scikit-learn's splitter), so the server, the worker, the
Evaluate and Export steps all share one implementation of ``PrepSpec``.

What the network's inputs are is read from the whole table, exactly as the
Build page's summary counts them (``builder.experiment.summary.input_features``): one input
per numeric column and per text category seen, then a ``<column>_was_missing``
flag for each feature column with a missing value anywhere. Every statistic —
fill values, means, scales, the most frequent category, a scaled regression
target's mean and standard deviation — is fitted on the training split only. ``FittedPrep`` keeps them as plain numbers and word lists,
so the export step can rebuild the same preprocessing as Keras layers inside a
``.keras`` model: ``(x - offsets) / scales`` is ``keras.layers.Normalization(
mean=offsets, variance=scales**2)``; a vocabulary is a ``StringLookup``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from builder.errors import DataError
from builder.experiment.spec import Experiment, scales_target
from builder.tables.columns import column_kind, feature_problem, require_target

MAX_CATEGORIES = 1000


@dataclass
class FittedPrep:
    """Preprocessing fitted on a training split, as plain data.

    Inputs in ``transform`` order: for each column of ``columns`` in turn, a numeric
    column imputed with ``fill`` and scaled with its ``offsets``/``scales`` entry
    (aligned with ``numeric``), or a text column's one-hot block over ``vocab``
    (its category code when ``one_hot`` is off); then one 0/1 flag per column in
    ``indicators``. A category not in ``vocab`` gets an all-zero block; missing text
    takes the training split's most frequent category.

    A regression target scaled for training (``spec.scales_target``) has the training
    split's mean and standard deviation in ``target_offset``/``target_scale``; otherwise
    they are 0 and 1. ``encode_target`` always gives the target in its own units.
    """

    target: str
    task: str
    classes: list[Any] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    fill: dict[str, float] = field(default_factory=dict)
    offsets: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    vocab: dict[str, list[str]] = field(default_factory=dict)
    most_frequent: dict[str, str] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)
    one_hot: bool = True
    scaling: str = "standard"
    impute: str = "mean"
    feature_names: list[str] = field(default_factory=list)
    target_offset: float = 0.0
    target_scale: float = 1.0

    @property
    def class_names(self) -> list[str]:
        """The classes as text, in the order of the network's outputs."""
        return [str(c) for c in self.classes]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FittedPrep:
        """Rebuild from ``to_dict()`` output."""
        return cls(**raw)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Turn rows into the float32 input matrix the network takes.

        Raises:
            DataError: a feature column is missing from ``frame``.
        """
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise DataError(
                "The table lacks column(s) the model was trained on: "
                + ", ".join(f"'{c}'" for c in missing)
            )
        position = {name: i for i, name in enumerate(self.numeric)}
        blocks = []
        for name in self.columns:
            if name in position:
                i = position[name]
                values = _as_number(frame[name])
                filled = np.where(np.isnan(values), self.fill[name], values)
                blocks.append(((filled - self.offsets[i]) / self.scales[i])[:, None])
            else:
                blocks.append(self._encode_text(frame[name]))
        blocks += [frame[name].isna().to_numpy()[:, None] for name in self.indicators]
        if not blocks:
            return np.zeros((len(frame), 0), dtype=np.float32)
        return np.hstack([np.asarray(b, dtype=np.float64) for b in blocks]).astype(np.float32)

    def _encode_text(self, series: pd.Series) -> np.ndarray:
        name = str(series.name)
        text = _as_text(series).fillna(self.most_frequent[name])
        vocab = self.vocab[name]
        codes = pd.Index(vocab, dtype=object).get_indexer(text)  # unseen category -> -1
        if not self.one_hot:
            most = vocab.index(self.most_frequent[name])
            return np.where(codes < 0, most, codes)[:, None]
        return (codes[:, None] == np.arange(len(vocab))[None, :]).astype(np.float64)

    def encode_target(self, series: pd.Series) -> np.ndarray:
        """The target as numbers: class index (int32) or value (float32 for regression).

        Raises:
            DataError: a value is missing, or a class was not among ``classes``.
        """
        if series.isna().any():
            raise DataError(
                f"The target '{self.target}' has {int(series.isna().sum())} missing value(s)."
            )
        if self.task == "regression":
            return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float32)
        codes = pd.Index(self.classes, dtype=object).get_indexer(series.astype(object))
        if (codes < 0).any():
            unknown = sorted({str(v) for v in series[codes < 0]})
            raise DataError(
                f"The target '{self.target}' holds class(es) the model does not know: "
                + ", ".join(unknown[:5])
            )
        return codes.astype(np.int32)

    def scale_target(self, y: np.ndarray) -> np.ndarray:
        """Encoded regression targets as the network trains on them: ``(y - offset) / scale``."""
        return ((np.asarray(y, dtype=np.float64) - self.target_offset) / self.target_scale).astype(
            np.float32
        )


@dataclass
class Prepared:
    """A split table as arrays, with the fitted preprocessing and the rows each side holds."""

    prep: FittedPrep
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_rows: list[Any]
    test_rows: list[Any]
    dropped: int = 0


def resolve_task(frame: pd.DataFrame, experiment: Experiment) -> str:
    """The task in force: the experiment's, else the one its target implies.

    Raises:
        DataError: no usable target is set.
    """
    return require_target(frame, experiment.data.target, experiment.data.task)


def feature_columns(frame: pd.DataFrame, experiment: Experiment) -> list[str]:
    """Columns the network sees: all but the target and the excluded ones.

    Raises:
        DataError: nothing is left to learn from.
    """
    problem = feature_problem(frame, experiment.data.target, experiment.data.excluded)
    if problem:
        raise DataError(problem)
    left_out = set(experiment.data.excluded) | {experiment.data.target}
    return [c for c in frame.columns if c not in left_out]


def split(frame: pd.DataFrame, experiment: Experiment) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into a training and a test part as ``experiment.prep`` says.

    Rows without a target value are left out first. ``random`` is scikit-learn's
    ``train_test_split(test_size=…, random_state=seed)`` (stratified by class when
    ``prep.stratify`` is on for a class task), so a tutorial's split is reproduced
    row for row; ``ordered`` keeps the last ``test_size`` of the rows, in file order,
    as the test split (the rows Keras' ``validation_split`` holds out).

    Returns:
        (train, test) frames that keep the original row labels.

    Raises:
        DataError: too few rows for both parts, or for every class in each part.
    """
    from sklearn.model_selection import train_test_split

    prep = experiment.prep
    target = experiment.data.target
    labelled = _labelled(frame, target)
    rows = len(labelled)
    if prep.split == "ordered":
        n_train = math.floor(rows * (1.0 - prep.test_size) + 1e-9)
    else:
        n_train = rows - math.ceil(rows * prep.test_size)
    if n_train < 1 or n_train >= rows:
        raise DataError(
            f"{rows} row(s) with a target value are too few to split into training and test "
            f"rows with test size {prep.test_size:.0%}. Load more rows or change the test size."
        )
    if prep.split == "ordered":
        return labelled.iloc[:n_train], labelled.iloc[n_train:]
    task = resolve_task(labelled, experiment)
    strata = labelled[target] if prep.stratify and task != "regression" else None
    try:
        return train_test_split(
            labelled, test_size=prep.test_size, random_state=prep.seed, stratify=strata
        )
    except ValueError as error:
        raise DataError(
            f"The rows cannot be split with every class on both sides ({error}). "
            "Raise the test size, or turn off the stratified split."
        ) from None


def _labelled(frame: pd.DataFrame, target: str | None) -> pd.DataFrame:
    """The rows that have a target value (the others cannot be learned from)."""
    if target is None or target not in frame.columns:
        return frame
    return frame[frame[target].notna()]


def fit(
    train: pd.DataFrame,
    experiment: Experiment,
    task: str,
    classes: list[Any] | None = None,
    table: pd.DataFrame | None = None,
) -> FittedPrep:
    """Fit the preprocessing: which inputs from ``table``, their statistics from ``train``.

    Args:
        train: the training split; every statistic comes from these rows.
        experiment: whose ``prep`` settings and ``data`` columns apply.
        task: binary, multiclass or regression.
        classes: the class labels in output order; taken from ``table`` when omitted.
        table: the rows that decide the inputs (categories seen, columns with missing
            values); ``train`` when omitted.

    Returns:
        The fitted preprocessing.

    Raises:
        DataError: no feature is left, or a text column has too many categories.
    """
    spec = experiment.prep
    target = experiment.data.target
    table = train if table is None else table
    fitted = FittedPrep(
        target=target, task=task, one_hot=spec.one_hot, scaling=spec.scaling, impute=spec.impute
    )
    if task != "regression":
        found = classes if classes is not None else table[target].dropna().unique()
        fitted.classes = sorted({_plain(c) for c in found}, key=_sort_key)
    for name in feature_columns(table, experiment):
        fitted.columns.append(name)
        if column_kind(table[name]) in ("text", "date"):
            _fit_text(fitted, _as_text(table[name]), _as_text(train[name]))
        else:
            _fit_numeric(fitted, name, _as_number(train[name]), spec)
        if spec.missing_indicator and table[name].isna().any():
            fitted.indicators.append(name)
    fitted.feature_names = _feature_names(fitted)
    if scales_target(experiment, task):
        values = fitted.encode_target(train[target]).astype(np.float64)
        fitted.target_offset = float(values.mean())
        fitted.target_scale = float(values.std()) or 1.0
    return fitted


def _fit_numeric(fitted: FittedPrep, name: str, values: np.ndarray, spec) -> None:
    observed = values[~np.isnan(values)]
    if observed.size == 0:
        fill = 0.0
    elif spec.impute == "median":
        fill = float(np.median(observed))
    elif spec.impute == "most_frequent":
        uniques, counts = np.unique(observed, return_counts=True)
        fill = float(uniques[np.argmax(counts)])
    else:
        fill = float(observed.mean())
    filled = np.where(np.isnan(values), fill, values)
    offset, scale = 0.0, 1.0
    if spec.scaling == "standard" and filled.size:
        offset, scale = float(filled.mean()), float(filled.std())
    elif spec.scaling == "minmax" and filled.size:
        offset, scale = float(filled.min()), float(filled.max() - filled.min())
    fitted.numeric.append(name)
    fitted.fill[name] = fill
    fitted.offsets.append(offset)
    fitted.scales.append(scale if scale > 0 else 1.0)  # a constant column stays finite


def _fit_text(fitted: FittedPrep, everywhere: pd.Series, train: pd.Series) -> None:
    name = str(everywhere.name)
    vocab = sorted(everywhere.dropna().unique())
    if len(vocab) > MAX_CATEGORIES:
        raise DataError(
            f"Column '{name}' holds {len(vocab)} different texts; one-hot encoding would make "
            "that many inputs. Leave it out on the Data page (it is probably a name or an id)."
        )
    counts = train.value_counts()
    # Ties go to the alphabetically first category, so the choice is reproducible.
    if len(counts):
        most = min(counts.index[counts == counts.max()])
    else:
        most = vocab[0] if vocab else "missing"
    fitted.categorical.append(name)
    fitted.vocab[name] = vocab or [most]
    fitted.most_frequent[name] = most


def _feature_names(fitted: FittedPrep) -> list[str]:
    names = []
    for name in fitted.columns:
        if name in fitted.vocab and fitted.one_hot:
            names += [f"{name}={value}" for value in fitted.vocab[name]]
        else:
            names.append(name)
    return names + [f"{name}_was_missing" for name in fitted.indicators]


def prepare(frame: pd.DataFrame, experiment: Experiment) -> Prepared:
    """Split, fit (inputs from the whole table, statistics from the training part), transform.

    Returns:
        Arrays for training and testing with the fitted preprocessing.

    Raises:
        DataError: the target or the columns cannot be used.
    """
    task = resolve_task(frame, experiment)
    target = experiment.data.target
    train, test = split(frame, experiment)
    fitted = fit(train, experiment, task, table=_labelled(frame, target))
    return Prepared(
        prep=fitted,
        x_train=fitted.transform(train),
        y_train=fitted.encode_target(train[target]),
        x_test=fitted.transform(test),
        y_test=fitted.encode_target(test[target]),
        train_rows=[_plain(i) for i in train.index],
        test_rows=[_plain(i) for i in test.index],
        dropped=int(frame[target].isna().sum()),
    )


def _as_number(series: pd.Series) -> np.ndarray:
    """A column as float64, NaN where missing (yes/no columns become 0/1)."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _as_text(series: pd.Series) -> pd.Series:
    """A column as Python strings (``str(value)``, as the Build page names categories), None where missing."""
    return series.astype(object).map(lambda v: None if pd.isna(v) else str(v), na_action=None)


def _plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (JSON-ready, hashable alike)."""
    return value.item() if isinstance(value, np.generic) else value


def _sort_key(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))
