"""What a run's other formats and bundle cost, beside what training the run cost.

For each preset, in this one process (a warm TensorFlow, as in a worker that has
trained before): the preset trained with the app's loop, then converted to ONNX,
TensorFlow Lite and the SavedModel (``builder.worker.formats.convert``, each file
checked back in its runtime), then packed as the run bundle. Reports the seconds of
each step, the conversion as a share of the training, and the sizes of the files.

    python benchmarks/export_speed.py [--presets iris titanic ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.experiment import naming
from builder.experiment.presets import PRESETS, preset_experiment
from builder.export.bundle import run_files, sample_data, zip_bytes
from builder.export.codegen import training_script
from builder.tables.samples import load_sample
from builder.worker import formats, tasks


def measure(key: str) -> dict[str, float]:
    """Seconds to train, convert and bundle one preset, and the files' sizes in kB."""
    experiment = preset_experiment(key)
    frame = load_sample(experiment.data.source)[0]
    started = time.perf_counter()
    result = tasks.train(frame, experiment)
    trained = time.perf_counter()
    converted = formats.convert(result["model_bytes"], result["prep"])
    done = time.perf_counter()
    stem = naming.run_file_stem(experiment, 1)
    script = training_script(experiment, frame, bundled=True)
    data = sample_data(experiment.data.source)
    bundle = zip_bytes(run_files(experiment, result, stem, script, data, converted, frame), stem)
    packed = time.perf_counter()
    saved = sum(len(v) for k, v in converted.items() if k.startswith("model_savedmodel/"))
    return {
        "train_s": trained - started,
        "convert_s": done - trained,
        "bundle_s": packed - done,
        "keras_kb": len(result["export"]["model.keras"]) / 1000,
        "onnx_kb": len(converted["model.onnx"]) / 1000,
        "tflite_kb": len(converted["model.tflite"]) / 1000,
        "savedmodel_kb": saved / 1000,
        "zip_kb": len(bundle) / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    args = parser.parse_args()
    measure(args.presets[0])  # TensorFlow's and the converters' one-time start-up
    print(
        "| preset | train s | convert s | convert / train | bundle s "
        "| .keras kB | .onnx kB | .tflite kB | SavedModel kB | zip kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in args.presets:
        m = measure(key)
        print(
            f"| {key} | {m['train_s']:.2f} | {m['convert_s']:.2f} "
            f"| {m['convert_s'] / m['train_s']:.2f} | {m['bundle_s']:.2f} "
            f"| {m['keras_kb']:.0f} | {m['onnx_kb']:.0f} | {m['tflite_kb']:.0f} "
            f"| {m['savedmodel_kb']:.0f} | {m['zip_kb']:.0f} |"
        )


if __name__ == "__main__":
    main()
