"""Turning a table into the numbers a network trains on: split, impute, scale, encode.

Pure pandas/numpy, so the server, the worker, the Evaluate and Export steps all
share one implementation. Every statistic is fitted on the training split only,
and ``FittedPrep`` keeps them as plain numbers and word lists (means, scales,
vocabularies, feature names), so the export step can rebuild the same
preprocessing as Keras layers inside a ``.keras`` model:
``(x - offsets) / scales`` is ``keras.layers.Normalization(mean=offsets,
variance=scales**2)``; a vocabulary is a ``StringLookup(output_mode="one_hot")``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from builder.columns import require_target
from builder.errors import DataError
from builder.spec import Experiment

MAX_CATEGORIES = 100
_NUMERIC_KINDS = ("number", "bool", "date")


@dataclass
class FittedPrep:
    """Preprocessing statistics fitted on a training split, as plain data.

    Feature order in ``transform``: the numeric columns (imputed, then scaled
    with ``offsets``/``scales``), then one was-missing indicator per column in
    ``indicators``, then each text column's one-hot block (or its category
    index when ``one_hot`` is off).
    """

    target: str
    task: str
    classes: list[Any] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    fill: dict[str, float] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    vocab: dict[str, list[str]] = field(default_factory=dict)
    most_frequent: dict[str, str] = field(default_factory=dict)
    one_hot: bool = True
    scaling: str = "standard"
    impute: str = "mean"
    feature_names: list[str] = field(default_factory=list)

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
        """Turn rows into the float32 feature matrix the network takes.

        Raises:
            DataError: a feature column is missing from ``frame``.
        """
        missing = [c for c in self.numeric + self.categorical if c not in frame.columns]
        if missing:
            raise DataError(
                "The table lacks column(s) the model was trained on: "
                + ", ".join(f"'{c}'" for c in missing)
            )
        blocks = []
        if self.numeric:
            raw = np.column_stack([_as_number(frame[c], self.kinds[c]) for c in self.numeric])
            filled = np.where(np.isnan(raw), [self.fill[c] for c in self.numeric], raw)
            blocks.append((filled - np.asarray(self.offsets)) / np.asarray(self.scales))
        for name in self.indicators:
            blocks.append(np.isnan(_as_number(frame[name], self.kinds[name]))[:, None])
        for name in self.categorical:
            blocks.append(self._encode_text(frame[name]))
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
        # A category never seen in training gets no column: an all-zero block.
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
    left_out = set(experiment.data.excluded) | {experiment.data.target}
    features = [c for c in frame.columns if c not in left_out]
    if not features:
        raise DataError(
            "No feature columns are left: every column is the target or left out. "
            "Keep at least one column on the Data page."
        )
    return features


def split(frame: pd.DataFrame, experiment: Experiment) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into a training and a test part as ``experiment.prep`` says.

    ``random`` shuffles with ``prep.seed`` (stratified by class when ``prep.stratify``
    is on and the task is a classification); ``ordered`` keeps the first rows for
    training and the last ``test_size`` fraction for testing. Rows without a
    target value are left out first.

    Returns:
        (train, test) frames that keep the original row labels.

    Raises:
        DataError: too few rows for both parts.
    """
    prep = experiment.prep
    target = experiment.data.target
    labelled = frame[frame[target].notna()] if target in frame.columns else frame
    rows = len(labelled)
    n_test = round(rows * prep.test_size)
    if rows < 4 or n_test < 1 or n_test >= rows:
        raise DataError(
            f"{rows} row(s) with a target value are too few to split into training and test "
            f"rows with test size {prep.test_size:.0%}. Load more rows or change the test size."
        )
    if prep.split == "ordered":
        return labelled.iloc[: rows - n_test], labelled.iloc[rows - n_test :]
    rng = np.random.default_rng(prep.seed)
    task = resolve_task(labelled, experiment)
    if prep.stratify and task != "regression":
        test_pos = _stratified_test_positions(labelled[target], n_test, rng)
    else:
        test_pos = rng.permutation(rows)[:n_test]
    is_test = np.zeros(rows, dtype=bool)
    is_test[test_pos] = True
    train_pos = rng.permutation(np.flatnonzero(~is_test))
    return labelled.iloc[train_pos], labelled.iloc[np.sort(test_pos)]


def _stratified_test_positions(target: pd.Series, n_test: int, rng) -> np.ndarray:
    """Pick ``n_test`` positions keeping each class's share (largest remainders first)."""
    codes, _ = pd.factorize(target)
    counts = np.bincount(codes)
    exact = counts * n_test / len(codes)
    take = np.floor(exact).astype(int)
    extra = n_test - take.sum()
    take[np.argsort(-(exact - take), kind="stable")[:extra]] += 1
    picked = [rng.permutation(np.flatnonzero(codes == k))[:t] for k, t in enumerate(take)]
    return np.concatenate(picked)


def fit(
    train: pd.DataFrame, experiment: Experiment, task: str, classes: list[Any] | None = None
) -> FittedPrep:
    """Fit the preprocessing on the training rows only.

    Args:
        train: the training split.
        experiment: whose ``prep`` settings and ``data`` columns apply.
        task: binary, multiclass or regression.
        classes: the class labels in output order; taken from ``train`` when omitted.

    Returns:
        The fitted statistics.

    Raises:
        DataError: a text column has too many distinct values to one-hot encode.
    """
    spec = experiment.prep
    target = experiment.data.target
    fitted = FittedPrep(
        target=target, task=task, one_hot=spec.one_hot, scaling=spec.scaling, impute=spec.impute
    )
    if task != "regression":
        found = classes if classes is not None else train[target].dropna().unique()
        fitted.classes = sorted({_plain(c) for c in found}, key=_sort_key)
    for name in feature_columns(train, experiment):
        kind = _kind(train[name])
        if kind in _NUMERIC_KINDS:
            _fit_numeric(fitted, name, kind, _as_number(train[name], kind), spec)
        else:
            _fit_text(fitted, train[name])
    fitted.feature_names = _feature_names(fitted)
    return fitted


def _fit_numeric(fitted: FittedPrep, name: str, kind: str, values: np.ndarray, spec) -> None:
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
    fitted.kinds[name] = kind
    fitted.fill[name] = fill
    fitted.offsets.append(offset)
    fitted.scales.append(scale if scale > 0 else 1.0)  # a constant column stays finite
    if spec.missing_indicator and observed.size < values.size:
        fitted.indicators.append(name)


def _fit_text(fitted: FittedPrep, series: pd.Series) -> None:
    name = str(series.name)
    text = _as_text(series).dropna()
    counts = text.value_counts()
    if len(counts) > MAX_CATEGORIES:
        raise DataError(
            f"Column '{name}' holds {len(counts)} different texts; one-hot encoding would make "
            f"that many inputs. Leave it out on the Data page (it is probably a name or an id)."
        )
    fitted.categorical.append(name)
    fitted.kinds[name] = "text"
    fitted.vocab[name] = sorted(counts.index)
    # Ties go to the alphabetically first category, so the choice is reproducible.
    fitted.most_frequent[name] = (
        min(counts.index[counts == counts.max()]) if len(counts) else "missing"
    )
    if not fitted.vocab[name]:
        fitted.vocab[name] = ["missing"]


def _feature_names(fitted: FittedPrep) -> list[str]:
    names = list(fitted.numeric)
    names += [f"{c}_was_missing" for c in fitted.indicators]
    for name in fitted.categorical:
        if fitted.one_hot:
            names += [f"{name}={value}" for value in fitted.vocab[name]]
        else:
            names.append(name)
    return names


def prepare(frame: pd.DataFrame, experiment: Experiment) -> Prepared:
    """Split, fit on the training part, and transform both parts.

    Returns:
        Arrays for training and testing with the fitted preprocessing.

    Raises:
        DataError: the target or the columns cannot be used.
    """
    task = resolve_task(frame, experiment)
    target = experiment.data.target
    train, test = split(frame, experiment)
    classes = None if task == "regression" else list(frame[target].dropna().unique())
    fitted = fit(train, experiment, task, classes)
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


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def _as_number(series: pd.Series, kind: str) -> np.ndarray:
    """A column as float64 with NaN for missing; dates become days since 1970."""
    if kind == "date":
        stamps = pd.to_datetime(series, errors="coerce")
        days = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
        return days.to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == "text":
        raise DataError(f"Column '{series.name}' holds text where the model expects numbers.")
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype("string").astype(object).where(series.notna(), None)


def _plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (JSON-ready, hashable alike)."""
    return value.item() if isinstance(value, np.generic) else value


def _sort_key(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))
