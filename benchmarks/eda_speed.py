"""How fast the Explore page is on a big table, and how much figure JSON it sends.

Generates a 1,000,000-row x 20-column numeric table (19 measurements and a 0/1
target), writes it once as CSV to the temp folder (reused on later runs), then times:
loading through ``builder.tables.data.read_table``, the summary, every figure the Explore
page draws for that table (with the computation behind it), and the data checks.
The figure size is ``plotly.io.to_json(fig, validate=False)``, the exact string
``st.plotly_chart`` puts in its message to the browser (numpy arrays travel as
base64 typed arrays, "bdata"; Streamlit does not expand them for the browser).

Run: ``python benchmarks/eda_speed.py [--rows N] [--repeat N] [--missing SHARE]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.config import HostLimits
from builder.plots import charts
from builder.tables import checks, profile
from builder.tables.data import read_table

LOAD = "load (read_table on CSV bytes)"
TARGET_SECONDS = 5.0
TARGET_JSON_BYTES = 2 * 1024 * 1024
COLUMNS = 20
SEED = 0


def generate(rows: int, missing: float) -> pd.DataFrame:
    """Correlated measurements x01..x19 with 4 significant digits, and a 0/1 target."""
    rng = np.random.default_rng(SEED)
    latent = rng.normal(size=(rows, 3))
    mixing = rng.normal(size=(3, COLUMNS - 1))
    values = latent @ mixing + rng.normal(size=(rows, COLUMNS - 1))
    values = values * rng.uniform(0.5, 20, COLUMNS - 1) + rng.uniform(0, 100, COLUMNS - 1)
    frame = pd.DataFrame(np.round(values, 2), columns=[f"x{i:02d}" for i in range(1, COLUMNS)])
    frame["target"] = (latent[:, 0] + 0.5 * rng.normal(size=rows) > 0.6).astype(int)
    if missing:
        for name in frame.columns[:3]:
            frame.loc[rng.random(rows) < missing, name] = np.nan
    return frame


def csv_file(rows: int, missing: float) -> tuple[Path, bool]:
    """The table's CSV in the temp folder, written on the first run only."""
    path = Path(tempfile.gettempdir()) / f"nnb-eda-{rows}x{COLUMNS}-missing{missing:g}.csv"
    if path.exists():
        return path, False
    partial = path.with_suffix(".partial")
    generate(rows, missing).to_csv(partial, index=False)
    partial.rename(path)
    return path, True


def page_steps(frame: pd.DataFrame, target: str) -> list[tuple[str, object]]:
    """(name, callable) for each thing the Explore page computes and draws for this table.

    Each callable returns a figure, or None when the step draws none (summary, checks).
    """
    x, y, column = "x01", "x02", "x01"

    def correlation_figures(method: str):
        corr = profile.correlations(frame, method, target)
        matrix, _ = profile.heatmap_view(corr, target)
        strongest = profile.target_correlations(corr, target)
        return [
            charts.correlation_heatmap(matrix, method),
            charts.target_correlation_bar(strongest, target, method),
        ]

    kept = {}  # the page computes the summary once and draws the missing-values bar from it

    def summary():
        kept["summary"] = profile.summarize(frame, target)
        return kept["summary"]

    def missing_figure():
        table = kept["summary"].column_table
        return charts.missing_bar(table) if table["missing"].sum() else None

    return [
        ("summary (describe, types, missing, head)", summary),
        (
            "class balance bar",
            lambda: charts.class_balance_bar(profile.class_balance(frame[target]), target),
        ),
        ("missing-values bar (only with gaps)", missing_figure),
        (
            "histogram, 30 bins, split by target",
            lambda: charts.histogram_figure(profile.histogram(frame, column, 30, target)),
        ),
        (
            "histogram, 200 bins, one chart per group",
            lambda: charts.histogram_figure(
                profile.histogram(frame, column, 200, target), "split", True
            ),
        ),
        (
            "scatter (5,000-row sample) coloured by x03",
            lambda: charts.scatter_figure(profile.scatter_sample(frame, x, y, "x03")),
        ),
        ("Pearson heatmap + target bar", lambda: correlation_figures("pearson")),
        ("Spearman heatmap + target bar", lambda: correlation_figures("spearman")),
        ("data checks", lambda: checks.run_checks(frame, target, "binary")),
    ]


def figures_of(result) -> list:
    if isinstance(result, list):
        return [f for f in result if hasattr(f, "to_plotly_json")]
    return [result] if hasattr(result, "to_plotly_json") else []


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--missing", type=float, default=0.0, help="share of gaps in 3 columns")
    args = parser.parse_args()

    path, written = csv_file(args.rows, args.missing)
    content = path.read_bytes()
    limits = HostLimits(max_upload_mb=10_000, max_rows=max(args.rows, 1_000_000))
    print(
        f"Table: {args.rows:,} rows x {COLUMNS} columns, CSV {len(content) / 1e6:.0f} MB "
        f"({'written now' if written else 'reused'}: {path})"
    )
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        wall, cpu, (frame, _report) = timed(lambda: read_table(content, path.name, limits=limits))
        walls.setdefault(LOAD, []).append(wall)
        cpus.setdefault(LOAD, []).append(cpu)
        for name, step in page_steps(frame, "target"):
            wall, cpu, result = timed(step)
            walls.setdefault(name, []).append(wall)
            cpus.setdefault(name, []).append(cpu)
            # The exact string st.plotly_chart sends (plotly_chart.py: plotly.io.to_json).
            sizes[name] = sum(len(pio.to_json(f, validate=False)) for f in figures_of(result))
        del frame

    wall = {name: statistics.median(times) for name, times in walls.items()}
    cpu = {name: statistics.median(times) for name, times in cpus.items()}
    print(f"\nMedian of {args.repeat} run(s); CPU = this process's CPU time (all its threads):")
    print(f"{'step':<46}{'wall s':>8}{'CPU s':>8}{'figure JSON':>14}")
    for name in wall:
        size = f"{sizes[name] / 1024:,.1f} KB" if sizes.get(name) else "-"
        print(f"{name:<46}{wall[name]:>8.3f}{cpu[name]:>8.3f}{size:>14}")
    load = wall[LOAD]
    page = sum(wall.values()) - load
    page_cpu = sum(cpu.values()) - cpu[LOAD]
    total_json = sum(sizes.values())
    print(f"{'page work (summary + figures + checks)':<46}{page:>8.3f}{page_cpu:>8.3f}")
    print(
        f"{'total (load + page work)':<46}{load + page:>8.3f}{cpu[LOAD] + page_cpu:>8.3f}"
        f"{total_json / 1024:>11,.1f} KB"
    )
    runs = [sum(times[run] for times in walls.values()) for run in range(args.repeat)]
    print(f"total wall seconds of each run: {', '.join(f'{t:.2f}' for t in runs)}")
    print(f"load average after the runs: {os.getloadavg()[0]:.2f} (other work slows wall time)")

    results = [
        (f"load + page work < {TARGET_SECONDS:g} s", load + page, load + page < TARGET_SECONDS),
        (f"page work < {TARGET_SECONDS:g} s", page, page < TARGET_SECONDS),
        (
            "figure JSON < 2 MB",
            total_json / 1024 / 1024,
            total_json < TARGET_JSON_BYTES,
        ),
    ]
    print("\nTargets:")
    for label, value, ok in results:
        unit = "MB" if "JSON" in label else "s"
        print(f"  {label:<28} {value:8.3f} {unit:<3} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
