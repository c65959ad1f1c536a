"""What each column of a table is for: its kind, its role, and the task its target implies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from builder.errors import DataError
from builder.tables import written

MAX_CLASS_LABELS = 10
MIN_ROWS_PER_CLASS = 2
FREE_TEXT_SHARE = 0.5  # text distinct on more than this share of the rows that have a value
FREE_TEXT_MIN_VALUES = 20  # and with more distinct values than this: a name, not a category


class LeftOut(NamedTuple):
    """Why a column is left out of the features by default."""

    role: str  # identifier, free text, numbers as text or empty
    reason: str  # what the column is, to follow "'name' is …"


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


def free_text_columns(frame: pd.DataFrame) -> list[str]:
    """Text columns with a distinct value on most rows: a car's name, a ticket number.

    One-hot encoded, each would become hundreds of inputs that each name a row or two.
    """
    found = []
    for name in frame.columns:
        series = frame[name]
        if column_kind(series) != "text":
            continue
        values = series.dropna()
        distinct = values.nunique()
        if distinct > FREE_TEXT_MIN_VALUES and distinct > FREE_TEXT_SHARE * len(values):
            found.append(name)
    return found


def written_number(series: pd.Series) -> str | None:
    """One of the column's values when it is a text column of numbers that the file's
    reading did not take for numbers (another decimal mark than the file's, separators
    not in groups of three), else None."""
    return written.example(series) if column_kind(series) == "text" else None


def written_number_problem(name: str, example: str) -> str:
    """What to do about a column of numbers written as text, in a sentence."""
    return (
        f"'{name}' holds numbers written as text (such as '{example}'), not the file's way "
        "(another decimal mark, or separators not in groups of three), so they were not read "
        "as numbers. Choose the decimal mark under Read options on the Data page, or save "
        "the column as plain numbers (e.g. 1234.5) and upload the file again."
    )


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
    # Written numbers make a class task only when they are a few labels, each seen often.
    example = written_number(series)
    few = distinct <= MAX_CLASS_LABELS and values.value_counts().min() >= MIN_ROWS_PER_CLASS
    if example is not None and (task == "regression" or not few):
        return written_number_problem(str(name), example)
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
    frame: pd.DataFrame,
    target: str | None,
    excluded: list[str],
    left_out: dict[str, LeftOut] | None = None,
) -> list[ColumnInfo]:
    """Summarise every column with its role: target, feature, identifier, free text, empty, excluded.

    ``left_out`` is ``default_exclusions(frame, target)`` when the caller has it already
    (it reads every value of every column: a tenth of a second on 100,000 rows).
    """
    if left_out is None:
        left_out = default_exclusions(frame, target)
    infos = []
    for name in frame.columns:
        series = frame[name]
        if name == target:
            role = "target"
        elif name in excluded:
            role = left_out[name].role if name in left_out else "excluded"
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


def default_exclusions(frame: pd.DataFrame, target: str | None) -> dict[str, LeftOut]:
    """The columns left out of the features unless the user keeps them, each with its reason.

    Identifiers, free text (see :func:`free_text_columns`), numbers written as text (see
    :func:`written_number`) and empty columns; never the target.
    """
    rows = len(frame)
    found = {name: LeftOut("empty", "empty (no values)") for name in empty_columns(frame)}
    for name in free_text_columns(frame):
        distinct = frame[name].nunique()
        found[name] = LeftOut(
            "free text", f"free text ({distinct:,} distinct texts in {rows:,} rows)"
        )
    for name in identifier_columns(frame):
        found[name] = LeftOut("identifier", "an identifier (a distinct value names each row)")
    for name in frame.columns:
        if (example := written_number(frame[name])) is not None:
            found[name] = LeftOut(
                "numbers as text", f"a column of numbers written as text ('{example}')"
            )
    return {name: found[name] for name in frame.columns if name in found and name != target}


def default_excluded(frame: pd.DataFrame, target: str | None) -> list[str]:
    """Columns left out of the features unless the user keeps them, in table order."""
    return list(default_exclusions(frame, target))


def excluded_for_new_target(
    frame: pd.DataFrame, old_target: str | None, new_target: str, excluded: list[str]
) -> list[str]:
    """The columns to leave out once the target changes, keeping the user's own choices.

    The defaults are worked out again for the new target (an identifier that was the
    target is now left out; the old target becomes a feature unless a default leaves it
    out), a column the user left out stays out, and a default the user put back stays in.

    Args:
        frame: the table.
        old_target: the target the exclusions were chosen for.
        new_target: the target chosen now.
        excluded: the columns left out for the old target.
    """
    before = set(default_excluded(frame, old_target))
    chosen_out = set(excluded) - before
    put_back = before - set(excluded)
    after = (set(default_excluded(frame, new_target)) - put_back) | chosen_out
    return [name for name in frame.columns if name in after and name != new_target]


def feature_problem(frame: pd.DataFrame, target: str | None, excluded: list[str]) -> str | None:
    """Say why no column is left to learn from, or return None when one is."""
    others = [name for name in frame.columns if name != target]
    usable = [n for n in others if n not in excluded and frame[n].notna().any()]
    if usable:
        return None
    left_out = default_exclusions(frame, target)
    why = "; ".join(
        f"'{n}' is {left_out[n].reason}" if n in left_out else f"'{n}' is left out by you"
        for n in others[:6]
    )
    return (
        f"No column is left to learn '{target}' from: {why or 'the table has no other column'}. "
        "Put a column back (Data page, 'Columns left out of the features'), or use a table "
        "with the measurements that explain the target."
    )


def propose_target(frame: pd.DataFrame) -> tuple[str, str]:
    """The last column that can be predicted, and why it was chosen.

    Columns left out by default (identifiers, free text, empty) and columns that cannot
    be a target (a single value, classes seen once) are passed over, last to first.

    Raises:
        DataError: no column can be the target.
    """
    left_out = default_exclusions(frame, None)
    passed = []
    for name in reversed(frame.columns):
        if name in left_out:
            passed.append(f"'{name}' is {left_out[name].reason}")
            continue
        problem = target_problem(frame[name], infer_task(frame[name])[0])
        if problem is None:
            if not passed:
                return name, "the last column"
            return name, "the last column that can be predicted; passed over: " + "; ".join(
                passed[:5]
            )
        passed.append(problem.split(". ")[0].rstrip("."))
    raise DataError(
        "No column can be predicted: " + "; ".join(passed[:5]) + ". Upload a table with a "
        "column of outcomes (classes or numbers) to predict."
    )


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
