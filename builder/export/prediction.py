"""What a run bundle needs to predict outside the app: ``preprocessing.json`` and ``predict.py``.

``predict.py`` (``builder/export/standalone/predict.py``, copied verbatim) runs the
bundle's ONNX, TensorFlow Lite, ``.keras`` or SavedModel model on a CSV of raw columns;
for ONNX and TensorFlow Lite it applies the preprocessing that ``preprocessing.json``
describes, in NumPy, exactly as ``FittedPrep.transform`` does.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

PREPROCESSING_VERSION = 1
TFJS_UNAVAILABLE = (
    "TensorFlow.js is not offered: its converter (tensorflowjs 4.22) needs TensorFlow 2.19 "
    "and NumPy older than 2.2, and this app runs on newer ones."
)


def _output_kind(result: dict[str, Any]) -> str:
    """What the network's output columns are: ``value``, ``sigmoid`` or ``softmax``."""
    if result["task"] == "regression":
        return "value"
    # A train result always holds test rows; their width is the network's.
    return "sigmoid" if len(result["predictions"][0]) == 1 else "softmax"


def preprocessing_json(result: dict[str, Any]) -> bytes:
    """The bytes of ``preprocessing.json`` for a run's train result.

    Its fields are those of ``FittedPrep.to_dict()`` (``target``, ``task``, ``classes``,
    ``columns`` in input order, ``numeric`` with ``fill``/``offsets``/``scales`` aligned,
    ``categorical`` with ``vocab`` and ``most_frequent``, ``indicators``, ``one_hot``,
    ``feature_names`` …; see ``FittedPrep``), plus:

    - ``version``: of this description (``PREPROCESSING_VERSION``).
    - ``output``: what the network's output columns mean: ``value`` (one column, the
      prediction in the target's units), ``sigmoid`` (one column, the probability of
      ``classes[1]``) or ``softmax`` (one probability per class, in ``classes`` order).
    - ``onnx_input``: the name of the ONNX and TensorFlow Lite models' input.
    """
    description = {
        "version": PREPROCESSING_VERSION,
        "output": _output_kind(result),
        "onnx_input": "features",
        **result["prep"],
    }
    return (json.dumps(description, indent=2) + "\n").encode()


def predict_script() -> bytes:
    """The bytes of the bundle's ``predict.py``."""
    return resources.files("builder.export.standalone").joinpath("predict.py").read_bytes()
