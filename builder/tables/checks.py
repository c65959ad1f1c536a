"""Data checks: problems that spoil a network before it trains, each with a fix.

Every check returns :class:`Finding` objects (title, one-line explanation, suggested
fix, the columns concerned); :func:`run_checks` runs them all. Checks look at the
whole table with vectorised pandas/numpy, so they stay quick on big tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from builder.errors import DataError
from builder.tables.columns import identifier_columns, written_number
from builder.tables.profile import as_floats, correlations

LEAK_SHARE = 0.99  # a feature equal to the target (or telling its class) in this share of rows
LEAK_CORRELATION = 0.99
LEAK_MIN_ROWS = 20
LEAK_MAX_VALUES = 50  # features with at most this many values are checked for telling the class
LEAK_R2 = 0.999  # a weighted sum of a few features reproduces a numeric target this closely
LEAK_TRIPLE_PAIRS = 20  # the best pairs of features are each tried with a third one
LEAK_FIT_ROWS_PER_COLUMN = 10  # a fit on every numeric feature needs this many rows per feature
LEAK_FIT_ROWS = 20_000  # rows sampled to look for a combination: plenty to see R² near 1
LEAK_FIT_VALUES = 5_000_000  # and cells copied at most (40 MB) on a wide table
HEAVY_MISSING = 0.3
ZERO_GAP = 5  # zero sits this many typical steps below the smallest other value
ZERO_MIN_VALUES = 20  # a measurement, not a count or a code
ZERO_FAR = 0.05  # and the smallest other value is at least this share of their median
SENTINELS = (-999999, -99999, -9999, -999, -99, 999, 9999, 99999, 999999)
GAP_SAMPLE = 100_000  # distinct values are gathered from at most this many rows
SCREEN_ROWS = 100_000  # leakage is screened on a sample of this many rows of a bigger table
SCREEN_MARGIN = 0.02  # screening thresholds are this much looser, so no leak slips through
SEED = 0


@dataclass(frozen=True)
class Finding:
    """One problem found in the data.

    Attributes:
        check: which check found it: leakage, identifier, numbers-as-text, constant, missing,
            missing-code.
        title: the problem in a few words, naming the column(s).
        explanation: one line on why it matters.
        fix: what to do about it.
        columns: the columns concerned.
    """

    check: str
    title: str
    explanation: str
    fix: str
    columns: tuple[str, ...]


def run_checks(frame: pd.DataFrame, target: str | None, task: str | None) -> list[Finding]:
    """Run every check, most serious first.

    Args:
        frame: the table.
        target: the column to predict, or None (the leakage check then does nothing).
        task: "binary", "multiclass" or "regression" (the task in force), or None.

    Returns:
        The findings; an empty list when every check passes.
    """
    return [
        *leakage(frame, target, task),
        *identifiers(frame, target),
        *written_numbers(frame, target),
        *constant_columns(frame, target),
        *heavy_missing(frame),
        *missing_codes(frame, target),
    ]


def leakage(frame: pd.DataFrame, target: str | None, task: str | None) -> list[Finding]:
    """Features that give the answer away: equal to the target, in lockstep with it, or naming its class.

    Such a column is usually recorded after the outcome (or is the outcome under another
    name); a network scores near-perfectly in testing and fails on new rows. A big table
    is screened on a sample with looser thresholds; only suspects are checked on every row.
    """
    if target is None or target not in frame.columns:
        return []
    if frame[target].notna().sum() < LEAK_MIN_ROWS:
        return []  # on a handful of rows any two columns can look in lockstep
    suspects = list(frame.columns)
    if len(frame) > SCREEN_ROWS:
        rows = np.random.default_rng(SEED).choice(len(frame), SCREEN_ROWS, replace=False)
        sample = frame.iloc[np.sort(rows)]
        suspects = [*_leaks(sample, target, task, SCREEN_MARGIN), target]
    single = _leaks(frame[suspects], target, task)
    found = [
        Finding(
            "leakage",
            f"'{name}' may leak the answer",
            f"'{name}' {how}: a network would copy it and score near-perfectly in testing, "
            "then fail on new rows that do not have it.",
            f"Leave '{name}' out of the features (Data page), unless it is truly known before "
            "the outcome.",
            (name,),
        )
        for name, how in single.items()
    ]
    if task == "regression":
        found.extend(_combination_leak(frame, target, set(single)))
    return found


def _combination_leak(frame: pd.DataFrame, target: str, flagged: set[str]) -> list[Finding]:
    """A numeric target that a weighted sum of a few features reproduces almost exactly.

    A single correlation misses it: bike rentals are casual + registered riders, and
    neither alone is in lockstep with the total. Every pair of numeric features is
    tried (in closed form, from their correlations on a sample of ``LEAK_FIT_ROWS``
    rows), then the best pairs with a third feature, then, on a table with enough rows,
    all of them together; a suspect pair or triple is confirmed by a fit on every row.
    """
    names, rows = _numeric_features(frame, target, flagged)
    if len(names) < 2 or len(rows) < LEAK_MIN_ROWS:
        return []
    sample = rows
    size = min(LEAK_FIT_ROWS, LEAK_FIT_VALUES // (len(names) + 1))
    if len(rows) > size:
        sample = np.sort(np.random.default_rng(SEED).choice(rows, size, replace=False))
    values = np.column_stack([as_floats(frame[n])[sample] for n in [*names, target]])
    with np.errstate(
        divide="ignore", invalid="ignore"
    ):  # constant on these rows: NaN, never chosen
        values = (values - values.mean(axis=0)) / values.std(axis=0)
    correlation = values.T @ values / len(values)
    between, with_target = correlation[:-1, :-1], correlation[:-1, -1]
    chosen, fit_rows = _best_few(between, with_target), rows  # a few: confirmed on every row
    if chosen is None and len(sample) >= LEAK_FIT_ROWS_PER_COLUMN * (len(names) + 1):
        ridge = between + 1e-9 * np.eye(len(names))
        if with_target @ np.linalg.solve(ridge, with_target) >= LEAK_R2 - SCREEN_MARGIN / 10:
            chosen, fit_rows = list(range(len(names))), sample
    if chosen is None:
        return []
    columns = [names[i] for i in chosen]
    r2, formula = _linear_fit(frame, fit_rows, columns, target)
    if r2 < LEAK_R2:
        return []
    listed = _names(columns[:-1]) + f" and '{columns[-1]}'"
    return [
        Finding(
            "leakage",
            f"{listed} together may leak the answer",
            f"A weighted sum of {listed} reproduces '{target}' almost exactly (R² {r2:.4f}: "
            f"{target} ≈ {formula}): the target is probably computed from them, so a network "
            "would learn the sum and fail on new rows that do not have them.",
            f"Leave {listed} out of the features (Data page), unless they are truly known "
            "before the outcome.",
            tuple(columns),
        )
    ]


def _numeric_features(
    frame: pd.DataFrame, target: str, flagged: set[str]
) -> tuple[list[str], np.ndarray]:
    """Numeric features that vary (mostly present, not already flagged) and the rows where
    they and the target all have a value."""
    if not pd.api.types.is_numeric_dtype(frame[target]):
        return [], np.array([], dtype=int)
    present = frame[target].notna().to_numpy().copy()
    names = []
    for name in frame.columns:
        series = frame[name]
        if name == target or name in flagged or not pd.api.types.is_numeric_dtype(series):
            continue
        if series.isna().mean() > 1 - HEAVY_MISSING or series.min() == series.max():
            continue
        names.append(name)
        present &= series.notna().to_numpy()
    return names, np.flatnonzero(present)


def _best_few(between: np.ndarray, with_target: np.ndarray) -> list[int] | None:
    """The pair, or else the triple, of standardised features whose least-squares fit gives
    R² ≥ LEAK_R2 (loosened a little: the sample's result is confirmed on every row)."""
    c, r = with_target, between
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs = (c[:, None] ** 2 + c[None, :] ** 2 - 2 * r * c[:, None] * c[None, :]) / (1 - r**2)
    pairs[~np.isfinite(pairs) | (1 - r**2 < 1e-9)] = -1  # a feature with itself or its copy
    pairs = np.triu(pairs, k=1) + np.tril(np.full_like(pairs, -1))
    threshold = LEAK_R2 - SCREEN_MARGIN / 10
    best = np.unravel_index(np.argmax(pairs), pairs.shape)
    if pairs[best] >= threshold:
        return sorted(int(i) for i in best)
    if len(c) < 3:
        return None
    order = np.argsort(pairs, axis=None)[::-1][:LEAK_TRIPLE_PAIRS]
    triples = [
        (int(i), int(j), k)
        for i, j in zip(*np.unravel_index(order, pairs.shape), strict=True)
        for k in range(len(c))
        if k not in (i, j)
    ]
    index = np.array(triples)
    grams = r[index[:, :, None], index[:, None, :]] + 1e-9 * np.eye(3)
    sides = c[index]
    fits = np.einsum("ij,ij->i", sides, np.linalg.solve(grams, sides[:, :, None])[:, :, 0])
    if fits.max() >= threshold:
        return sorted(triples[int(np.argmax(fits))])
    return None


def _linear_fit(
    frame: pd.DataFrame, rows: np.ndarray, columns: list[str], target: str
) -> tuple[float, str]:
    """R² of the least-squares fit of the target on ``columns`` over ``rows``, and the fit
    written out (``1.00 × casual + 1.00 × registered + 0.00``)."""
    inputs = np.column_stack([as_floats(frame[n])[rows] for n in columns] + [np.ones(len(rows))])
    answer = as_floats(frame[target])[rows]
    weights = np.linalg.lstsq(inputs, answer, rcond=None)[0]
    residual = answer - inputs @ weights
    r2 = 1 - float(residual @ residual) / float(((answer - answer.mean()) ** 2).sum())
    tiny = 1e-9 * float(np.abs(answer).max())  # rounding noise of a weight that is zero
    terms = [(w, f" × {n}") for w, n in zip(weights[:-1], columns, strict=True)][:6]
    terms += [(weights[-1], "")] if abs(weights[-1]) > tiny else []
    formula = "".join(
        f"{' - ' if w < 0 else ' + ' if place else ''}{abs(w):.3g}{name}"
        for place, (w, name) in enumerate(terms)
    )
    return r2, formula + (" + …" if len(columns) > 6 else "")


def _leaks(frame: pd.DataFrame, target: str, task: str | None, margin: float = 0.0) -> dict:
    """{feature: how it gives the answer away}, with every threshold loosened by ``margin``."""
    answer = frame[target]
    guess = float(answer.value_counts(normalize=True).iloc[0])  # always answering the commonest
    correlation = _target_correlation(frame, target)
    found = {}
    for name in frame.columns:
        feature = frame[name]
        both = feature.notna() & answer.notna()
        if name == target or not both.any():
            continue
        equal = float(((feature == answer) & both).sum() / both.sum())
        tells = None
        if task in ("binary", "multiclass"):
            tells = _class_purity(feature[both], answer[both])
        if _near_perfect(equal, guess, margin):
            found[name] = f"equals '{target}' in {equal:.1%} of rows"
        elif abs(correlation.get(name, 0.0)) >= LEAK_CORRELATION - margin:
            found[name] = (
                f"moves in lockstep with '{target}' (correlation {correlation[name]:+.3f})"
            )
        elif tells is not None and _near_perfect(tells, guess, margin):
            found[name] = f"tells the class of '{target}' in {tells:.1%} of rows"
    return found


def _target_correlation(frame: pd.DataFrame, target: str) -> dict[str, float]:
    """Pearson's r of each numeric feature with the (numeric or two-valued) target."""
    try:
        matrix = correlations(frame, "pearson", target).matrix
    except DataError:
        return {}  # fewer than two numeric columns that vary
    if target not in matrix.columns:
        return {}
    return matrix[target].drop(target).dropna().to_dict()


def _near_perfect(share: float, guess: float, margin: float) -> bool:
    """True when a feature tells the target right in a near-perfect ``share`` of rows, which
    also removes nearly all the errors of always answering the commonest value (``guess``).

    The second test keeps a column of zeros from "leaking" a target that is 99% zeros."""
    return share >= LEAK_SHARE - margin and (1 - share) <= (0.1 + 5 * margin) * (1 - guess)


def _class_purity(feature: pd.Series, answer: pd.Series) -> float | None:
    """Share of rows whose class is the commonest one for their feature value, or None for a
    feature with one value or too many (each value then names only a handful of rows)."""
    most = min(LEAK_MAX_VALUES, len(feature) // 10)
    if feature.iloc[:10_000].nunique() > most:
        return None  # a quick look at the first rows already finds too many values
    distinct = feature.nunique()
    if distinct < 2 or distinct > most:
        return None
    table = pd.crosstab(feature, answer)
    return float(table.max(axis=1).sum() / len(feature))


def identifiers(frame: pd.DataFrame, target: str | None) -> list[Finding]:
    """Columns that only name a row (a distinct text or running number in every row)."""
    names = [c for c in identifier_columns(frame) if c != target]
    if not names:
        return []
    return [
        Finding(
            "identifier",
            f"Identifier-like column(s): {_names(names)}",
            "A distinct value in every row names the row instead of describing it: a network "
            "memorises it and learns nothing that carries over to new rows.",
            "Leave them out of the features (the Data page does so by default; keep it that way).",
            tuple(names),
        )
    ]


def written_numbers(frame: pd.DataFrame, target: str | None) -> list[Finding]:
    """Text columns of numbers not written the file's way (``builder.tables.written``)."""
    examples = {name: written_number(frame[name]) for name in frame.columns}
    names = [name for name, example in examples.items() if example is not None]
    if not names:
        return []
    shown = ", ".join(f"'{examples[name]}'" for name in names[:3])
    return [
        Finding(
            "numbers-as-text",
            f"Numbers written as text: {_names(names)}",
            f"Values such as {shown} are numbers, but not written the file's way (another "
            "decimal mark, or separators not in groups of three), so they were read as text. "
            "As text, each value could only be a category of its own, so these columns are "
            "left out of the features"
            + ("; and the target cannot be predicted as a number." if target in names else "."),
            "Choose the file's decimal mark under Read options (Data page), or save these "
            "columns as plain numbers (e.g. 1234.5) and upload the file again.",
            tuple(names),
        )
    ]


def constant_columns(frame: pd.DataFrame, target: str | None) -> list[Finding]:
    """Columns holding one value in every row (missing cells aside)."""
    names = []
    for name in frame.columns:
        series = frame[name]
        if name == target or series.isna().all():
            continue  # an empty column is reported by the missing-values check
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            constant = series.min() == series.max()  # no hashing: quick on a million rows
        else:
            constant = series.nunique() == 1
        if constant:
            names.append(name)
    if not names:
        return []
    return [
        Finding(
            "constant",
            f"Constant column(s): {_names(names)}",
            "A column with the same value in every row carries no information; it only adds "
            "weights to train.",
            "Leave them out of the features (Data page).",
            tuple(names),
        )
    ]


def heavy_missing(frame: pd.DataFrame, threshold: float = HEAVY_MISSING) -> list[Finding]:
    """Columns with at least ``threshold`` of their cells empty."""
    shares = frame.isna().mean()
    found = []
    for name, share in shares[shares >= threshold].items():
        if share == 1:
            title, fix = f"'{name}' is empty", f"Leave '{name}' out; it has no values at all."
        else:
            title = f"'{name}' is missing in {share:.0%} of rows"
            fix = (
                f"Leave '{name}' out, or fill the gaps and add a '{name}_was_missing' flag so "
                "the network can tell filled values from measured ones."
            )
        found.append(
            Finding(
                "missing",
                title,
                "A network cannot take an empty cell: the rows would be dropped or filled with "
                "guesses, and with this many the column says more about the guess than the data.",
                fix,
                (name,),
            )
        )
    return found


def missing_codes(frame: pd.DataFrame, target: str | None) -> list[Finding]:
    """Numbers that stand for "not measured": an isolated zero, or a code such as -999 or 9999.

    A zero is suspect in a column of measurements (at least ``ZERO_MIN_VALUES`` distinct
    positive values) where it sits far below the smallest other value: Pima's Insulin
    jumps from 0 to 14 in steps of about 2, and 14 is far from zero next to its median
    of 125. Pregnancies (0, 1, 2, …) is not suspect; nor is a zero on most rows (capital
    loss: most people have none), nor a measurement that runs down towards zero (a
    shape's concavity, whose smallest values are a tiny share of the typical one).
    """
    found = []
    for name in frame.columns:
        series = frame[name]
        if name == target or not pd.api.types.is_numeric_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        values = as_floats(series)
        present = ~np.isnan(values)
        values = values if present.all() else values[present]  # no copy without gaps
        for code, count in _suspect_codes(values):
            share = count / len(series)
            found.append(
                Finding(
                    "missing-code",
                    f"'{name}' has {count:,} value(s) of {code:g} that may mean 'missing'",
                    f"{code:g} ({share:.1%} of rows) sits far from the other values of '{name}', "
                    "the way a 'not measured' code does; the network would read it as a real "
                    "measurement.",
                    f"If {code:g} cannot be a real '{name}', blank those cells in the file and "
                    "load it again (the gaps are then filled from the training rows, with a "
                    f"was-missing flag if you like), or leave '{name}' out.",
                    (name,),
                )
            )
    return found


def _suspect_codes(values: np.ndarray) -> list[tuple[float, int]]:
    """(value, count) of the missing-value codes suspected in a column's present values."""
    if len(values) == 0:
        return []
    suspects = []
    zeros = int((values == 0).sum())
    usual = zeros >= len(values) / 2  # zero is the median: most rows have none of it
    if zeros and not usual and values.min() >= 0 and _zero_isolated(values[values > 0]):
        suspects.append((0.0, zeros))
    coded = np.isin(values, SENTINELS)
    if coded.any():
        others = values[~coded]
        spread = float(others.max() - others.min()) if len(others) else 0.0
        for code in np.unique(values[coded]):
            count = int((values == code).sum())
            far = len(others) > 0 and (
                code > others.max() + max(spread, 1) or code < others.min() - max(spread, 1)
            )
            if count >= 2 and far:
                suspects.append((float(code), count))
    return suspects


def _zero_isolated(positive: np.ndarray) -> bool:
    """True when the smallest positive value is many typical steps away from zero.

    The typical step (median gap between neighbouring distinct values) is taken from a
    sample of a big column: sorting a million values per column would be slow.
    """
    if len(positive) == 0:
        return False
    smallest = float(positive.min())
    if len(positive) > GAP_SAMPLE:
        positive = np.random.default_rng(SEED).choice(positive, GAP_SAMPLE, replace=False)
    distinct = np.unique(positive)
    if len(distinct) < ZERO_MIN_VALUES:
        return False
    far = smallest >= ZERO_FAR * float(np.median(positive))
    return far and smallest >= ZERO_GAP * float(np.median(np.diff(distinct)))


def _names(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
