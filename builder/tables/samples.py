"""The bundled sample datasets under friendly names (provenance: sample_data/SOURCES.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from builder.errors import DataError
from builder.tables.data import ReadReport, load_files

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


@dataclass(frozen=True)
class Sample:
    """A bundled dataset: its files, its usual target, and how several files are stacked."""

    key: str
    title: str
    files: tuple[str, ...]
    target: str
    blurb: str
    stack_column: str = "source"
    stack_labels: dict[str, object] = field(default_factory=dict)


SAMPLES: dict[str, Sample] = {
    sample.key: sample
    for sample in (
        Sample(
            "wine",
            "Wine (red + white)",
            ("winequality-red.csv", "winequality-white.csv"),
            "type",
            "6,497 Portuguese wines: 11 lab measurements; tell red (1) from white (0).",
            stack_column="type",
            stack_labels={"winequality-red.csv": 1, "winequality-white.csv": 0},
        ),
        Sample(
            "pima",
            "Pima Indians diabetes",
            ("pima-indians-diabetes.csv",),
            "Outcome",
            "768 patients, 8 measurements; predict a diabetes diagnosis.",
        ),
        Sample(
            "iris",
            "Iris flowers",
            ("iris.csv",),
            "species",
            "150 flowers, 4 measurements; tell 3 species apart.",
        ),
        Sample(
            "titanic",
            "Titanic passengers",
            ("titanic.csv",),
            "Survived",
            "891 passengers with missing ages and text columns; predict survival.",
        ),
        Sample(
            "wages",
            "Hourly wages (CPS 1985)",
            ("hourly_wages.csv",),
            "wage_per_hour",
            "534 workers; predict the hourly wage in dollars (regression).",
        ),
        Sample(
            "digits",
            "Handwritten digits (8×8)",
            ("digits.csv",),
            "target",
            "1,797 images as 64 pixel columns; recognise the digit 0-9.",
        ),
        Sample(
            "wine-red",
            "Wine quality (red only)",
            ("winequality-red.csv",),
            "quality",
            "1,599 red wines; predict the tasters' quality score.",
        ),
    )
}


def load_sample(key: str) -> tuple[pd.DataFrame, list[ReadReport]]:
    """Read a bundled dataset, stacking its files when it has several.

    Raises:
        DataError: the key names no sample.
    """
    if key not in SAMPLES:
        raise DataError(f"There is no sample named '{key}'. Samples: {', '.join(SAMPLES)}")
    sample = SAMPLES[key]
    files = [(name, (SAMPLE_DIR / name).read_bytes()) for name in sample.files]
    return load_files(files, stack_column=sample.stack_column, stack_labels=sample.stack_labels)
