"""What each column of a table is for: its kind, its role, and the task its target implies."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from builder.errors import DataError

MAX_CLASS_LABELS = 10
MIN_ROWS_PER_CLASS = 2


@dataclass(frozen=True)
class ColumnInfo:
    """One column as the Data page and ``inspect`` present it."""

    name: str
    dtype: str
    kind: str
    missing: int
    distinct: int
    role: str


def column_kind(series: pd.Series) -> str:
    """Return 'number', 'integer', 'yes/no', 'text' or 'date' for a column."""
    if pd.api.types.is_bool_dtype(series):
        return "yes/no"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna()
        whole = len(values) > 0 and bool((values == values.round()).all())
        return "integer" if whole else "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def identifier_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that only name a row: distinct in every row, text or a running number.

    Such a column (PassengerId, Name) lets a network memorise rows instead of learning.
    """
    found = []
    rows = len(frame)
    for name in frame.columns:
        series = frame[name]
        kind = column_kind(series)
        # Cheap tests first: counting distinct values is the slow part on a big table.
        running_number = kind == "integer" and series.max() - series.min() == rows - 1
        candidate = running_number or kind == "text"
        if candidate and not series.isna().any() and series.nunique() == rows:
            found.append(name)
    return found


def empty_columns(frame: pd.DataFrame) -> list[str]:
    """Columns with no value in any row."""
    return [name for name in frame.columns if frame[name].isna().all()]


def infer_task(series: pd.Series) -> tuple[str, str]:
    """Guess the task a target column implies, with the reason in words.

    Two distinct values make a binary task; text, or a few whole-number labels
    running from 0 or 1 (0-9 for digits), make a multiclass task; other numbers
    make a regression (wine quality scores 3-9 are a measured scale).

    Returns:
        (task, reason)
    """
    values = series.dropna()
    distinct = values.nunique()
    kind = column_kind(series)
    if distinct == 2:
        return "binary", "it has exactly two distinct values"
    if kind in ("text", "yes/no"):
        return "multiclass", f"it holds {distinct} text labels"
    if kind == "integer" and distinct <= MAX_CLASS_LABELS:
        labels = sorted(values.unique())
        if labels[0] in (0, 1) and labels[-1] - labels[0] == distinct - 1:
            return (
                "multiclass",
                f"it holds {distinct} class numbers from {labels[0]} to {labels[-1]}",
            )
    return "regression", f"it holds numbers ({distinct} distinct values)"


def target_problem(series: pd.Series, task: str) -> str | None:
    """Say why a column cannot be the target for a task, or return None when it can."""
    values = series.dropna()
    name = series.name
    if values.empty:
        return f"'{name}' has no values, so there is nothing to predict. Choose another target."
    distinct = values.nunique()
    if distinct < 2:
        return (
            f"'{name}' has a single value ({values.iloc[0]!r}) in every row, so there is nothing "
            "to tell apart. Choose another target or upload data with more than one outcome."
        )
    if task == "binary" and distinct != 2:
        return (
            f"A binary task needs a target with two values; '{name}' has {distinct}. "
            "Choose 'multiclass' or 'regression' instead."
        )
    if task == "regression" and column_kind(series) == "text":
        return f"'{name}' holds text, so it cannot be predicted as a number. Choose a class task."
    if task in ("binary", "multiclass"):
        rare = values.value_counts()
        rare = rare[rare < MIN_ROWS_PER_CLASS]
        if len(rare):
            return (
                f"Class(es) {', '.join(repr(v) for v in rare.index[:5])} of '{name}' occur only "
                "once, too rarely to learn or to test. Merge or remove those rows, "
                "or treat the target as a number (regression)."
            )
        if task == "multiclass" and distinct > 50:
            return (
                f"'{name}' has {distinct} distinct values; that is too many classes to learn from "
                "this table. Choose 'regression' if they are numbers."
            )
    return None


def describe_columns(
    frame: pd.DataFrame, target: str | None, excluded: list[str]
) -> list[ColumnInfo]:
    """Summarise every column with the role it plays: target, feature, identifier, empty, excluded."""
    identifiers = set(identifier_columns(frame))
    empty = set(empty_columns(frame))
    infos = []
    for name in frame.columns:
        series = frame[name]
        if name == target:
            role = "target"
        elif name in excluded:
            role = "identifier" if name in identifiers else "empty" if name in empty else "excluded"
        else:
            role = "feature"
        infos.append(
            ColumnInfo(
                name=name,
                dtype=str(series.dtype),
                kind=column_kind(series),
                missing=int(series.isna().sum()),
                distinct=int(series.nunique()),
                role=role,
            )
        )
    return infos


def default_excluded(frame: pd.DataFrame, target: str | None) -> list[str]:
    """Columns left out of the features unless the user keeps them: identifiers and empty ones."""
    left_out = set(identifier_columns(frame)) | set(empty_columns(frame))
    return [name for name in frame.columns if name != target and name in left_out]


def require_target(frame: pd.DataFrame, target: str | None, task: str | None) -> str:
    """Check the target and return the task to use (inferred when ``task`` is None).

    Raises:
        DataError: the column is missing or cannot be predicted for that task.
    """
    if target is None or target not in frame.columns:
        raise DataError(
            f"There is no column '{target}' to predict. Columns: "
            + ", ".join(f"'{c}'" for c in list(frame.columns)[:10])
        )
    task = task or infer_task(frame[target])[0]
    problem = target_problem(frame[target], task)
    if problem:
        raise DataError(problem)
    return task
