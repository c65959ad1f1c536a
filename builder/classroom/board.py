"""The class board: each student's ended runs as rows, best first, and what a student may see.

Rows are built from runs as the store keeps them (``builder.workspace.classes`` reads them
without their model files). The teacher sees every row; a student, when the teacher lets
them, sees only their own rows and their rank among the class, never another's name or run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from builder.classroom.challenges import Challenge, Mark, mark, parameter_count
from builder.experiment.spec import Experiment
from builder.numbers import rounded
from builder.training.runs import Run, changed_settings, reference_columns

ENDED = ("finished", "stopped", "failed")


@dataclass(frozen=True)
class BoardRow:
    """One student's run on the board."""

    student: str
    workspace: str
    run: Run
    metric: str
    score: float | None
    params: int | None
    changes: list[str]
    mark: Mark | None


def score_of(run: Run) -> tuple[str, float | None]:
    """The metric the board sorts by, as the Evaluate page names it: accuracy for classes,
    R² for regression (MAE when R² is missing); and the run's value of it on the test split."""
    metrics = run.test_metrics
    for key, label in (("accuracy", "accuracy"), ("r2", "R²"), ("mae", "MAE")):
        value = metrics.get(key)
        if value is not None:
            return label, float(value) if math.isfinite(value) else None
    return "accuracy" if run.experiment.data.task != "regression" else "R²", None


def board_rows(
    students: list[tuple[str, str, list[Run]]],
    lesson: Experiment,
    challenge: Challenge | None,
) -> list[BoardRow]:
    """The board's rows, best first (runs without a score last, newest first among them).

    Args:
        students: (display name, workspace id, the student's runs since joining) per student.
        lesson: the class's experiment, which the changes are counted from.
        challenge: the class's challenge, if any, to mark each run against.
    """
    rows = []
    for name, wid, runs in students:
        for run in runs:
            if run.state not in ENDED:
                continue
            metric, score = score_of(run)
            params = parameter_count(run)
            rows.append(
                BoardRow(
                    student=name,
                    workspace=wid,
                    run=run,
                    metric=metric,
                    score=score,
                    params=params,
                    changes=changed_settings(lesson, run.experiment),
                    mark=mark(challenge, run, params) if challenge else None,
                )
            )
    return sorted(rows, key=_rank_key)


def _rank_key(row: BoardRow) -> tuple:
    if row.score is None:
        return (1, 0.0, -row.run.number)
    better_low = row.metric == "MAE"
    return (0, row.score if better_low else -row.score, -row.run.number)


def board_table(rows: list[BoardRow], show_student: bool = True) -> pd.DataFrame:
    """The rows as the board's table."""
    records = []
    for row in rows:
        record = {"student": row.student} if show_student else {}
        record.update(
            {
                "run": row.run.name,
                "state": row.run.state,
                "test score": rounded(row.score) if row.score is not None else None,
                "metric": row.metric,
                # The same metric of a linear model and boosted trees on the run's own
                # split: a score is only good against what a simpler model reaches.
                **_references(row),
                "parameters": row.params,
                "changed from the lesson": "; ".join(row.changes) or "nothing",
            }
        )
        if row.mark is not None:
            record["challenge"] = f"{row.mark.label}: {row.mark.reason}"
        records.append(record)
    return pd.DataFrame(records)


def _references(row: BoardRow) -> dict[str, float | None]:
    """The reference models' scores in the board's metric, None when not computed."""
    found = reference_columns(row.run)
    same = row.metric in ("accuracy", "R²")
    return {
        words: next((v for k, v in found.items() if k.startswith(words)), None) if same else None
        for words in ("linear model", "boosted trees")
    }


def student_rank(rows: list[BoardRow], workspace: str) -> tuple[int, int] | None:
    """Where the student's best run stands: (their place, how many students have a score),
    or None when they have no scored run yet. Others are counted, never named."""
    best: dict[str, BoardRow] = {}
    for row in rows:  # best first already
        if row.score is not None and row.workspace not in best:
            best[row.workspace] = row
    order = list(best)
    if workspace not in best:
        return None
    return order.index(workspace) + 1, len(order)


def validation_curves(rows: list[BoardRow]) -> list[tuple[str, list[dict[str, float]]]]:
    """(student · run, epoch records) of every row that logged a validation loss."""
    return [
        (f"{row.student} · run {row.run.number}", row.run.history)
        for row in rows
        if any("val_loss" in record for record in row.run.history)
    ]
