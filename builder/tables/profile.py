"""Profiles of a table for the Explore page: summary, class balance, distributions, correlations.

Big tables are reduced here, on the server: histograms become bin counts computed
with numpy, a scatter becomes a random sample of rows, rank correlations are computed
on a sample. Figures built from these results stay small whatever the table's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from builder.errors import DataError
from builder.tables.columns import column_kind, describe_columns

MAX_GROUPS = 12  # a grouping column with more values makes an unreadable chart
MAJORITY_WARNING = 0.6  # above this share, accuracy flatters a model that ignores the inputs
SCATTER_POINTS = 5_000
RANK_ROWS = 100_000  # rho from this many rows: one standard error is about 0.003
MAX_CATEGORIES = 30
MAX_HEATMAP_COLUMNS = 40
CHUNK_ROWS = 65_536  # rows per block of the correlation sums: 10 MB for 20 columns
MISSING_LABEL = "(missing)"
SEED = 0


@dataclass
class Summary:
    """What a first look at a table shows.

    Attributes:
        rows, columns: the table's shape.
        missing_cells: empty cells in the whole table.
        column_table: one row per column: name, dtype, kind, missing, missing %, distinct, role.
        numeric_stats: ``describe()`` of the numeric columns, one row per column.
        text_stats: ``describe()`` of the other columns (count, unique, top, freq), one row each.
        head: the first rows.
        numeric: the columns holding numbers (not yes/no), which histograms and scatters take.
        groups: the columns that can split a chart: 2 to ``MAX_GROUPS`` distinct values.
    """

    rows: int
    columns: int
    missing_cells: int
    column_table: pd.DataFrame
    numeric_stats: pd.DataFrame
    text_stats: pd.DataFrame
    head: pd.DataFrame
    numeric: list[str]
    groups: list[str]


def summarize(
    frame: pd.DataFrame,
    target: str | None = None,
    excluded: tuple[str, ...] = (),
    head_rows: int = 10,
) -> Summary:
    """Shape, column types, describe() statistics, missing values and the first rows.

    Args:
        frame: the table.
        target: the column to predict, marked as such in the column table.
        excluded: columns left out of the features.
        head_rows: how many first rows to keep.

    Returns:
        The summary.
    """
    infos = describe_columns(frame, target, list(excluded))
    column_table = pd.DataFrame([vars(info) for info in infos])
    column_table.insert(
        column_table.columns.get_loc("missing") + 1,
        "missing %",
        (100 * column_table["missing"] / max(len(frame), 1)).round(1),
    )
    numeric = [c for c in frame.columns if _is_number(frame[c])]
    others = [c for c in frame.columns if c not in numeric]
    numeric_stats = frame[numeric].describe().T if numeric else pd.DataFrame()
    text_stats = frame[others].describe(include="all").T if others else pd.DataFrame()
    return Summary(
        rows=len(frame),
        columns=frame.shape[1],
        missing_cells=int(column_table["missing"].sum()),
        column_table=column_table,
        numeric_stats=numeric_stats,
        text_stats=text_stats,
        head=frame.head(head_rows),
        numeric=numeric,
        groups=[i.name for i in infos if 2 <= i.distinct <= MAX_GROUPS],
    )


@dataclass
class ClassBalance:
    """How the rows spread over the classes of a target.

    Attributes:
        counts: rows per class, most frequent first (missing values not counted).
        majority: the most frequent class.
        majority_share: its share of the rows with a class.
        warning: why accuracy misleads on this target, or None when the classes are balanced enough.
    """

    counts: pd.Series
    majority: object
    majority_share: float
    warning: str | None


def class_balance(series: pd.Series, threshold: float = MAJORITY_WARNING) -> ClassBalance:
    """Count the rows of each class and warn when one class dominates.

    Args:
        series: the target column.
        threshold: the majority share from which the warning is given.

    Returns:
        The class counts, the majority class and its share, and a warning or None.

    Raises:
        DataError: the column has no values.
    """
    counts = series.value_counts()
    if counts.empty:
        raise DataError(f"'{series.name}' has no values, so it has no classes to count.")
    majority = counts.index[0]
    share = float(counts.iloc[0] / counts.sum())
    warning = None
    if share >= threshold:
        warning = (
            f"Class '{majority}' makes up {share:.0%} of the rows: a model that always answers "
            f"'{majority}' scores {share:.0%} accuracy without learning anything. Judge models by "
            "precision, recall, F1 or Cohen's kappa too, and compare accuracy with this baseline."
        )
    return ClassBalance(counts=counts, majority=majority, majority_share=share, warning=warning)


@dataclass
class Histogram:
    """Bin counts of one numeric column, optionally per group; what a histogram figure needs.

    Attributes:
        column: the binned column.
        edges: the bin edges (one more than the bins).
        counts: rows per bin, for each group label (a single label "rows" without a group).
        group: the grouping column, or None.
        missing: rows with no value in ``column`` (left out of the counts).
    """

    column: str
    edges: np.ndarray
    counts: dict[str, np.ndarray]
    group: str | None
    missing: int

    def shares(self) -> dict[str, np.ndarray]:
        """Counts divided by each group's total, so groups of unequal size compare fairly."""
        return {label: c / max(int(c.sum()), 1) for label, c in self.counts.items()}


def histogram(
    frame: pd.DataFrame, column: str, bins: int = 30, group: str | None = None
) -> Histogram:
    """Bin a numeric column with numpy, per group when a grouping column is given.

    Whole-number columns spanning fewer values than ``bins`` get one bin per value.

    Args:
        frame: the table.
        column: a numeric column.
        bins: how many equal-width bins.
        group: a column with at most ``MAX_GROUPS`` distinct values, or None.

    Returns:
        The edges and the counts per group.

    Raises:
        DataError: the column is not numeric, has no values, or the group has too many values.
    """
    series = frame[column]
    group = None if group == column else group
    if not _is_number(series):
        raise DataError(
            f"'{column}' does not hold numbers, so it has no histogram. Its values are counted "
            "in a bar chart instead."
        )
    values = as_floats(series)
    present = ~np.isnan(values)
    if not present.any():
        raise DataError(f"'{column}' has no values to draw.")
    # fmin/fmax skip missing values without copying the column.
    low, high = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))
    if column_kind(series) == "integer" and high - low + 1 <= bins:
        # One bar per whole number (quality 3..9), centred on it.
        bins, low, high = int(high - low + 1), low - 0.5, high + 0.5
    elif low == high:
        low, high = low - 0.5, high + 0.5  # as numpy does for a single value
    # Equal-width bins with an explicit range take numpy's fast path (no sort); NaN is skipped.
    labels, parts = ["rows"], [values]
    if group is not None:
        codes, labels = _group_codes(frame[group])
        parts = [values[codes == code] for code in range(len(labels))]
    counts = {
        label: np.histogram(part, bins=bins, range=(low, high))[0]
        for label, part in zip(labels, parts, strict=True)
    }
    return Histogram(
        column=column,
        edges=np.linspace(low, high, bins + 1),
        counts=counts,
        group=group,
        missing=int((~present).sum()),
    )


def _group_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Number each row's group (-1 for a missing group) and name the groups."""
    codes, uniques = pd.factorize(series, sort=True)
    if len(uniques) > MAX_GROUPS:
        raise DataError(
            f"'{series.name}' has {len(uniques)} distinct values; a chart split by it would be "
            f"unreadable. Choose a grouping column with at most {MAX_GROUPS} values."
        )
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


@dataclass
class CategoryCounts:
    """Rows per category of a column (the most frequent ones), optionally per group.

    Attributes:
        column: the counted column.
        table: one row per category (labels as text), one column per group ("rows" without one).
        other: how many rarer categories were lumped into the last row, 0 when none.
        group: the grouping column, or None.
    """

    column: str
    table: pd.DataFrame
    other: int
    group: str | None


def category_counts(
    frame: pd.DataFrame, column: str, group: str | None = None, top: int = MAX_CATEGORIES
) -> CategoryCounts:
    """Count the rows of each value of a column, the most frequent ``top`` values shown apart.

    Args:
        frame: the table.
        column: any column; missing values are counted as "(missing)".
        group: a column with at most ``MAX_GROUPS`` values to split the counts by, or None.
        top: how many categories to keep; the rest become one "(N other values)" row.

    Returns:
        The counts.

    Raises:
        DataError: the grouping column has too many values.
    """
    group = None if group == column else group
    if group is None:
        table = frame[column].value_counts(dropna=False).to_frame("rows")
    else:
        _group_codes(frame[group])  # refuses a group with too many values
        table = (
            frame.groupby([column, group], dropna=False, observed=True).size().unstack(fill_value=0)
        )
        table.columns = [MISSING_LABEL if pd.isna(c) else str(c) for c in table.columns]
        table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    table.index = [MISSING_LABEL if pd.isna(v) else str(v) for v in table.index]
    other = max(len(table) - top, 0)
    if other:
        rest = table.iloc[top:].sum().to_frame(f"({other} other values)").T
        table = pd.concat([table.iloc[:top], rest])
    return CategoryCounts(column=column, table=table, other=other, group=group)


@dataclass
class ScatterSample:
    """The rows a scatter plot draws.

    Attributes:
        frame: the drawn rows, columns x, y and the colour column when given.
        x, y, color: the column names.
        total: rows with both an x and a y value (more than are drawn when sampled).
        note: says when the rows are a random sample, else None.
    """

    frame: pd.DataFrame
    x: str
    y: str
    color: str | None
    total: int
    note: str | None


def scatter_sample(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    max_points: int = SCATTER_POINTS,
    seed: int = SEED,
) -> ScatterSample:
    """Pick the rows of a scatter of two columns: all of them, or a random sample of a big table.

    Args:
        frame: the table.
        x, y: numeric columns.
        color: a column to colour the points by, or None.
        max_points: the most points drawn.
        seed: the sample's random seed, so the picture is the same on every run.

    Returns:
        The rows to draw and a note when they are a sample.

    Raises:
        DataError: x or y is not numeric.
    """
    for name in (x, y):
        if not _is_number(frame[name]):
            raise DataError(
                f"'{name}' does not hold numbers; a scatter needs numbers on both axes."
            )
    columns = list(dict.fromkeys(c for c in (x, y, color) if c is not None))
    drawn = np.flatnonzero(frame[x].notna().to_numpy() & frame[y].notna().to_numpy())
    total, note = len(drawn), None
    if total > max_points:
        rng = np.random.default_rng(seed)
        drawn = np.sort(rng.choice(drawn, size=max_points, replace=False))
        note = (
            f"Showing a random sample of {max_points:,} of {total:,} rows, so the chart "
            "stays quick in the browser; the pattern of the whole table is the same."
        )
    rows = frame[columns].iloc[drawn]
    return ScatterSample(frame=rows, x=x, y=y, color=color, total=total, note=note)


@dataclass
class Correlations:
    """A correlation matrix of the numeric columns.

    Attributes:
        matrix: square, labelled by column; NaN where a pair has too few rows.
        method: "pearson" or "spearman".
        notes: what a reader should know: left-out columns, encoded target, sampling.
    """

    matrix: pd.DataFrame
    method: str
    notes: list[str]


def correlations(
    frame: pd.DataFrame,
    method: str = "pearson",
    target: str | None = None,
    excluded: tuple[str, ...] = (),
) -> Correlations:
    """Correlate every numeric column with every other, on the server.

    A two-valued text target (yes/no) is encoded 0/1 so it takes part. Constant columns
    are left out (their correlation is undefined). Spearman on a table of more than
    ``RANK_ROWS`` rows is computed on a random sample of that many rows.

    Args:
        frame: the table.
        method: "pearson" (straight-line relation) or "spearman" (any rising or falling relation).
        target: the target column, encoded when it is two-valued text.
        excluded: columns left out of the features (identifiers), left out here too.

    Returns:
        The matrix and notes on how it was computed.

    Raises:
        DataError: unknown method, or fewer than two numeric columns.
    """
    if method not in ("pearson", "spearman"):
        raise DataError(f"Correlation method must be 'pearson' or 'spearman'. Received: {method!r}")
    rows, sampled = None, []
    if method == "spearman" and len(frame) > RANK_ROWS:
        rows = np.sort(np.random.default_rng(SEED).choice(len(frame), RANK_ROWS, replace=False))
        sampled = [f"Spearman computed on a random sample of {RANK_ROWS:,} of {len(frame):,} rows."]
    names, columns, notes = _numeric_columns(frame, target, excluded, rows)
    if len(names) < 2:
        raise DataError(
            "Correlations need at least two numeric columns that vary; this table has "
            f"{len(names)}."
        )
    if method == "spearman":
        # Spearman's rho is Pearson's r of the ranks (ties share their average rank). With
        # missing values each column is ranked once, not per pair as pandas does: rho can
        # differ from pandas' in the third decimal (Titanic's Age: 0.003).
        ranks = pd.DataFrame(dict(zip(names, columns, strict=True))).rank()
        columns = [ranks[name].to_numpy() for name in names]
    return Correlations(matrix=_pearson(columns, names), method=method, notes=notes + sampled)


def _numeric_columns(
    frame: pd.DataFrame,
    target: str | None,
    excluded: tuple[str, ...] = (),
    rows: np.ndarray | None = None,
) -> tuple[list[str], list[np.ndarray], list[str]]:
    """The numeric columns that vary, as float arrays, a two-valued text target as 0/1.

    Args:
        frame: the table.
        target: the target column, encoded 0/1 when it is two-valued text.
        excluded: columns to leave out.
        rows: positions of the rows to take, or None for all.

    Returns:
        The column names, their values (views of the table where possible: do not change
        them), and notes on what was encoded or left out.
    """
    notes, names, columns, constant = [], [], [], []
    for name in frame.columns:
        values, note = (
            (None, None) if name in excluded else _correlatable(frame[name], name == target)
        )
        if values is None:
            continue
        values = values if rows is None else values[rows]
        # fmax/fmin skip missing values without copying the column (np.nanmax would copy).
        if not (len(values) and np.fmax.reduce(values) > np.fmin.reduce(values)):
            constant.append(name)
            continue
        notes += [note] if note else []
        names.append(name)
        columns.append(values)
    if constant:
        notes.append(
            f"Left out because they never vary: {', '.join(constant[:8])}"
            + (f" and {len(constant) - 8} more." if len(constant) > 8 else ".")
        )
    return names, columns, notes


def _correlatable(series: pd.Series, is_target: bool) -> tuple[np.ndarray | None, str | None]:
    """A column as floats when it can be correlated: numbers, yes/no, or a two-valued text
    target (encoded 0/1, with a note saying how); (None, None) otherwise."""
    if _is_number(series) or pd.api.types.is_bool_dtype(series):
        return as_floats(series), None
    if is_target and series.nunique() == 2:
        labels = sorted(series.dropna().unique(), key=str)
        values = np.where(series.isna(), np.nan, (series == labels[1]).to_numpy(dtype=float))
        return values, f"'{series.name}' is encoded as 1 = '{labels[1]}', 0 = '{labels[0]}'."
    return None, None


def as_floats(series: pd.Series) -> np.ndarray:
    """A numeric or yes/no column as float64 values, NaN where missing (a view when possible)."""
    if series.dtype == np.float64:
        return series.to_numpy()
    return series.to_numpy(dtype=float, na_value=np.nan)


def _pearson(columns: list[np.ndarray], names: list[str]) -> pd.DataFrame:
    """Pearson's r of every pair of columns, each pair on the rows where both have a value.

    The sums behind r are gathered block by block (``CHUNK_ROWS`` rows) with matrix
    products: pandas' pairwise loop is ~10x slower on a million rows, and no copy of the
    whole table is made (a million rows of 20 columns would take 160 MB per call on a
    shared server). Each column is shifted by its mean first, so the sums lose no precision.
    """
    size, length = len(columns), len(columns[0])
    shifts = [_mean(column) for column in columns]
    block = np.empty((min(length, CHUNK_ROWS), size), order="F")
    products, sums, squares, counts = (np.zeros((size, size)) for _ in range(4))
    for start in range(0, length, CHUNK_ROWS):
        part = block[: min(CHUNK_ROWS, length - start)]
        for position, (column, shift) in enumerate(zip(columns, shifts, strict=True)):
            np.subtract(column[start : start + len(part)], shift, out=part[:, position])
        present = ~np.isnan(part)
        if present.all():
            sums += part.sum(axis=0)[:, None]
            squares += np.einsum("ij,ij->j", part, part)[:, None]
            counts += len(part)
        else:
            part[~present] = 0.0  # zeros add nothing to the sums
            mask = present.astype(float)
            sums += part.T @ mask  # sums[i, j]: sum of column i over rows where j has a value
            squares += (part * part).T @ mask
            counts += mask.T @ mask  # counts[i, j]: rows where both have a value
        products += part.T @ part
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = (squares - sums**2 / counts) * (squares - sums**2 / counts).T
        matrix = (products - sums * sums.T / counts) / np.sqrt(spread)
    matrix[(counts < 2) | ~(spread > 0)] = np.nan
    return pd.DataFrame(np.clip(matrix, -1.0, 1.0), index=names, columns=names)


def _mean(values: np.ndarray) -> float:
    """The mean of the present values; no copy unless some are missing."""
    mean = float(values.mean()) if len(values) else 0.0
    return float(np.nanmean(values)) if np.isnan(mean) else mean


def target_correlations(corr: Correlations, target: str, top: int = 10) -> pd.Series:
    """The features most correlated with the target, strongest (by size) first.

    Args:
        corr: a correlation matrix that may include the target.
        target: the target column.
        top: how many features to list.

    Returns:
        Correlation per feature, signed; empty when the target is not in the matrix.
    """
    if target not in corr.matrix.columns:
        return pd.Series(dtype=float, name=target)
    column = corr.matrix[target].drop(target).dropna()
    return column.loc[column.abs().sort_values(ascending=False).index[:top]]


def heatmap_view(
    corr: Correlations, target: str | None = None, limit: int = MAX_HEATMAP_COLUMNS
) -> tuple[pd.DataFrame, str | None]:
    """The part of a correlation matrix a heatmap can show legibly.

    Tables with more than ``limit`` numeric columns keep the target and the columns most
    correlated with it (the first columns when there is no numeric target).

    Returns:
        The (square) matrix to draw and a note when columns were left out.
    """
    matrix = corr.matrix
    if len(matrix) <= limit:
        return matrix, None
    if target in matrix.columns:
        keep = [target, *target_correlations(corr, target, top=limit - 1).index]
        order = [c for c in matrix.columns if c in set(keep)]
        note = f"Showing the {len(order)} columns most correlated with '{target}'"
    else:
        order = list(matrix.columns[:limit])
        note = f"Showing the first {limit} numeric columns"
    return matrix.loc[order, order], f"{note} of {len(matrix)}."


def _is_number(series: pd.Series) -> bool:
    """Numbers a histogram can bin: numeric, not yes/no."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
