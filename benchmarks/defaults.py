"""The defaults a new table gets, against scikit-learn's linear and gradient-boosting models.

Each table is trained exactly as the app proposes it for an upload
(``builder.experiment.defaults``, in this process, with the workers' training loop),
and the two scikit-learn models are fitted on the same training rows, prepared the
same way (``tests/reference.py``). Scores are on the test split: R² for a regression,
accuracy for classes. ``seconds`` is the network's training time (``train_seconds``,
compiling included); ``first epoch`` is when its first epoch's curves were ready.

    python benchmarks/defaults.py [--only diabetes wine ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def measure(name: str) -> dict:
    """Train one table's defaults and its two references; their scores and the timings."""
    from builder.worker import tasks
    from tests.reference import TABLES, default_experiment, network_score, reference_scores

    table = TABLES[name]
    frame = table.load()
    experiment = default_experiment(frame, table)
    epochs: list[float] = []
    started = time.perf_counter()
    result = tasks.train(frame, experiment, on_epoch=lambda e, logs, s: epochs.append(s))
    total = time.perf_counter() - started
    references = reference_scores(frame, experiment)
    return {
        "table": name,
        "rows": len(frame),
        "task": result["task"],
        "metric": "R²" if result["task"] == "regression" else "accuracy",
        "defaults": network_score(result),
        **references,
        "batch": experiment.train.batch_size,
        "epochs": f"{result['epochs_run']}/{experiment.train.epochs}",
        "first epoch": epochs[0],
        "seconds": result["train_seconds"],
        "total": total,
    }


def main() -> None:
    from tests.reference import TABLES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(TABLES), help="tables to measure")
    args = parser.parse_args()
    from builder.worker.serve import quiet_tensorflow

    quiet_tensorflow()
    rows = [measure(name) for name in args.only or TABLES]
    header = (
        f"{'table':<16}{'rows':>7}  {'task':<11}{'metric':<9}{'defaults':>9}{'linear':>8}"
        f"{'boosting':>9}{'batch':>6}{'epochs':>10}{'1st ep s':>9}{'train s':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['table']:<16}{row['rows']:>7}  {row['task']:<11}{row['metric']:<9}"
            f"{row['defaults']:>9.3f}{row['linear']:>8.3f}{row['boosting']:>9.3f}"
            f"{row['batch']:>6}{row['epochs']:>10}{row['first epoch']:>9.1f}{row['seconds']:>8.1f}"
        )


if __name__ == "__main__":
    main()
