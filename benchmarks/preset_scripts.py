"""Every bounded preset's generated train.py, run as a student would, against its bound.

The test suite runs the scripts of the presets that train in batches
(tests/test_script.py); this runs all of them, the per-row ones too (wine-type's 20
epochs of 4,500 single-row steps last minutes). Each script is laid out as its run
bundle holds it (the data in data/ beside it) and run by tests/script_runner.py in one
fresh Python. Reports, per preset, the script's metric, the tutorial's bound, whether
it is met, and the seconds the script took.

    python benchmarks/preset_scripts.py [--presets wine-type iris ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.experiment.presets import PRESETS, preset_experiment  # noqa: E402
from builder.export.bundle import sample_data  # noqa: E402
from builder.export.codegen import training_script  # noqa: E402

BOUNDED = [key for key, preset in PRESETS.items() if preset.expected]


def run_script(key: str, folder: Path) -> tuple[dict, float]:
    """The script's last printed metrics and the seconds its fresh Python took."""
    experiment = preset_experiment(key)
    (folder / "data").mkdir()
    for name, content in sample_data(experiment.data.source).items():
        (folder / "data" / name).write_bytes(content)
    script = folder / "train.py"
    script.write_text(training_script(experiment, bundled=True))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tests.script_runner", str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    return json.loads(done.stdout.strip().splitlines()[-1])[str(script)], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=BOUNDED, choices=BOUNDED)
    args = parser.parse_args()
    print("| preset | metric | script's value | bound | met | seconds |")
    print("|---|---|---|---|---|---|")
    missed = 0
    for key in args.presets:
        expected = PRESETS[key].expected
        with tempfile.TemporaryDirectory() as folder:
            metrics, seconds = run_script(key, Path(folder))
        if "error" in metrics:
            print(
                f"| {key} | {expected.metric} | failed | {expected.bound:g} | no | {seconds:.0f} |"
            )
            print(metrics["error"], file=sys.stderr)
            missed += 1
            continue
        value = metrics[expected.metric]
        met = expected.met_by(value)
        missed += not met
        print(
            f"| {key} | {expected.metric} | {value:.4g} | {expected.bound:g} "
            f"| {'yes' if met else 'no'} | {seconds:.0f} |"
        )
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
