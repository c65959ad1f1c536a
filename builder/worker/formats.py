"""A trained network in other formats than ``.keras``: ONNX, TensorFlow Lite and a SavedModel.

ONNX and TensorFlow Lite hold the numeric network only: they take the prepared float32
feature matrix (input ``features``, shape ``(rows, inputs)``), so whoever runs them applies
the preprocessing first (the bundle's ``predict.py`` does, from ``preprocessing.json``).
The SavedModel holds the preprocessing too, as ``with_preprocessing`` builds it: its
``serve`` endpoint (``tf.saved_model.load(path).serve({column: tensor})``) takes a dict
of raw columns keyed by column name, each of shape ``(rows, 1)``, float32 (NaN where
missing) or string ("" where missing). Outputs are the network's own:
the predicted value in the target's units, P(class 1), or one probability per class.

Each converted model is loaded back with its own runtime and must give the network's
outputs on a few probe rows before it is handed out.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from builder.errors import TrainingError
from builder.tables.prep import FittedPrep
from builder.worker.export import with_preprocessing

# tf2onnx 1.17 writes opsets up to 18; onnxruntime 1.32 reads far newer ones.
ONNX_OPSET = 17
PROBE_ROWS = 8
TOLERANCE = 1e-4


def convert(network_bytes: bytes, prep: dict[str, Any]) -> dict[str, bytes]:
    """The network as ONNX, TensorFlow Lite and (with its preprocessing) a SavedModel.

    Args:
        network_bytes: the numeric network as ``.keras`` bytes (a train result's
            ``"model_bytes"``).
        prep: the fitted preprocessing, ``FittedPrep.to_dict()`` (a train result's ``"prep"``).

    Returns:
        Files by bundle-relative path: ``model.onnx``, ``model.tflite`` and the
        SavedModel folder's files under ``model_savedmodel/``.

    Raises:
        TrainingError: a conversion failed, or a converted model does not give the
            network's outputs.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "network.keras")
        Path(path).write_bytes(network_bytes)
        network = keras.models.load_model(path, compile=False)
        probe = _probe_rows(network.input_shape[-1])
        expected = keras.ops.convert_to_numpy(network(probe, training=False))
        files = {
            "model.onnx": _onnx(network, probe, expected),
            "model.tflite": _tflite(network, probe, expected, folder),
        }
        saved = os.path.join(folder, "model_savedmodel")
        _saved_model(with_preprocessing(network, FittedPrep.from_dict(prep)), prep, saved)
        for file in sorted(Path(saved).rglob("*")):
            if file.is_file():
                files[f"model_savedmodel/{file.relative_to(saved).as_posix()}"] = file.read_bytes()
    return files


def _probe_rows(inputs: int) -> np.ndarray:
    """Zeros and standard-normal rows: what prepared (scaled) inputs look like."""
    rows = np.random.default_rng(0).standard_normal((PROBE_ROWS, inputs))
    rows[0] = 0.0
    return rows.astype(np.float32)


def _check(name: str, got: np.ndarray, expected: np.ndarray) -> None:
    got = np.asarray(got, dtype=np.float32)
    if got.shape != expected.shape or not np.allclose(got, expected, atol=TOLERANCE, rtol=1e-4):
        gap = np.abs(got - expected).max() if got.shape == expected.shape else f"shape {got.shape}"
        raise TrainingError(
            f"The {name} model does not give the trained network's outputs (largest "
            f"difference: {gap}), so it is not offered. The .keras model is unaffected."
        )


def _failed(name: str, error: Exception) -> TrainingError:
    return TrainingError(
        f"The model could not be converted to {name} ({type(error).__name__}: {error}). "
        "The .keras model is unaffected."
    )


def _onnx(network: keras.Model, probe: np.ndarray, expected: np.ndarray) -> bytes:
    """ONNX via a tf.function: ``tf2onnx.convert.from_keras`` fails on Keras 3 models."""
    # Imported here, not by the fork server: only this job needs them, and a broken
    # tf2onnx install then fails a conversion, not every worker's start (it costs 0.1 s).
    import onnxruntime
    import tf2onnx.convert

    signature = [tf.TensorSpec((None, probe.shape[1]), tf.float32, name="features")]
    function = tf.function(lambda x: network(x, training=False), input_signature=signature)
    try:
        proto, _ = tf2onnx.convert.from_function(
            function,
            input_signature=signature,
            opset=ONNX_OPSET,
            custom_op_handlers={"Erfc": (_erfc_as_erf, [])},
        )
        content = proto.SerializeToString()
        session = onnxruntime.InferenceSession(content, providers=["CPUExecutionProvider"])
        got = session.run(None, {"features": probe})[0]
    except Exception as error:  # tf2onnx and onnxruntime raise many types
        raise _failed("ONNX", error) from error
    _check("ONNX", got, expected)
    return content


def _erfc_as_erf(ctx, node, name, args):
    """Keras' GELU computes erfc, which ONNX lacks (tf2onnx leaves an invalid Erfc node):
    write it as 1 - erf(x) in the ONNX graph instead."""
    from tf2onnx import utils

    node.type = "Erf"
    negated = ctx.insert_new_node_on_output("Neg", node.output[0], name=utils.make_name(name))
    one = ctx.make_const(utils.make_name("one"), np.array(1.0, dtype=np.float32))
    erfc = ctx.insert_new_node_on_output(
        "Add",
        negated.output[0],
        name=utils.make_name(name),
        inputs=[negated.output[0], one.output[0]],
    )
    ctx.copy_shape(node.output[0], erfc.output[0])
    return node


def _tflite(network: keras.Model, probe: np.ndarray, expected: np.ndarray, folder: str) -> bytes:
    """TensorFlow Lite via a SavedModel of the network, run back with the LiteRT interpreter."""
    from ai_edge_litert.interpreter import Interpreter

    saved = os.path.join(folder, "network_savedmodel")
    try:
        network.export(saved, verbose=False)
        content = tf.lite.TFLiteConverter.from_saved_model(saved).convert()
        interpreter = Interpreter(model_content=content)
        (given,) = interpreter.get_input_details()
        interpreter.resize_tensor_input(given["index"], probe.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(given["index"], probe)
        interpreter.invoke()
        got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    except Exception as error:  # the converter and interpreter raise many types
        raise _failed("TensorFlow Lite", error) from error
    _check("TensorFlow Lite", got, expected)
    return content


def _column_specs(prep: dict[str, Any]) -> dict[str, tf.TensorSpec]:
    """The raw columns' specs, keyed by column, named as TensorFlow allows (no spaces)."""
    specs, used = {}, set()
    for index, name in enumerate(prep["columns"]):
        safe = re.sub(r"[^a-z0-9_]", "_", name.lower())
        if not safe[:1].isalpha():
            safe = f"column_{safe}"
        while safe in used:  # "a b" and "a_b" both read a_b
            safe = f"{safe}_{index}"
        used.add(safe)
        dtype = tf.float32 if name in prep["numeric"] else tf.string
        specs[name] = tf.TensorSpec((None, 1), dtype, name=safe)
    return specs


def _saved_model(model: keras.Model, prep: dict[str, Any], path: str) -> None:
    """Export ``model`` (raw columns in) and check its ``serve`` endpoint on raw probe rows."""
    # A missing value and a typical one per column: NaN or "", then the offset or a known word.
    columns = {}
    for name in prep["columns"]:
        if name in prep["numeric"]:
            typical = prep["offsets"][prep["numeric"].index(name)]
            columns[name] = tf.constant([[np.nan], [typical]], dtype=tf.float32)
        else:
            columns[name] = tf.constant([[""], [prep["vocab"][name][0]]], dtype=tf.string)
    expected = keras.ops.convert_to_numpy(model(columns, training=False))
    try:
        model.export(path, verbose=False, input_signature=[_column_specs(prep)])
        # Held in a name: the loaded object owns the variables its functions read.
        loaded = tf.saved_model.load(path)
        got = keras.ops.convert_to_numpy(loaded.serve(columns))
    except Exception as error:  # export and loading raise many types
        raise _failed("a TensorFlow SavedModel", error) from error
    _check("SavedModel", got, expected)
