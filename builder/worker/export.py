"""A trained network wrapped with its preprocessing, as one ordinary Keras model.

The exported model takes a dict of raw columns, ``{name: 1-D array}``: numbers
(NaN where missing) for numeric columns and strings ("" where missing) for text
ones. Inside it does what ``builder.tables.prep.FittedPrep.transform`` does, in the same
order, with built-in Keras parts only (ops, StringLookup, a frozen Dense), so
``keras.models.load_model`` opens it in a plain Python with no code of ours.
"""

from __future__ import annotations

import os
import tempfile

import keras
import numpy as np

from builder.tables.prep import FittedPrep


def _numeric(column: keras.KerasTensor, fill: float, offset: float, scale: float):
    """Impute, then scale: (where(isnan(x), fill, x) - offset) / scale."""
    filled = keras.ops.where(keras.ops.isnan(column), fill, column)
    return keras.ops.divide(keras.ops.subtract(filled, offset), scale)


def _text(column: keras.KerasTensor, fitted: FittedPrep, name: str, index: int):
    """One-hot (or category index) of a text column, with FittedPrep's rules for the odd cases.

    A StringLookup gives one column for unseen text, one per category, and one for
    "" (missing); a frozen Dense then maps unseen text to zeros (one-hot) or the most
    frequent category's index, and missing text to the most frequent category.
    """
    vocab = [str(v) for v in fitted.vocab[name]]
    most = vocab.index(str(fitted.most_frequent[name]))
    if fitted.one_hot:
        mapping = np.zeros((len(vocab) + 2, len(vocab)), dtype="float32")
        mapping[np.arange(1, len(vocab) + 1), np.arange(len(vocab))] = 1.0
        mapping[len(vocab) + 1, most] = 1.0
    else:
        mapping = np.array([[most], *([i] for i in range(len(vocab))), [most]], dtype="float32")
    return _lookup_and_map(column, [*vocab, ""], mapping, f"encode_{index}")


def _lookup_and_map(column, vocabulary: list[str], mapping: np.ndarray, name: str):
    """StringLookup one-hot (unseen text first), then a frozen Dense applying ``mapping``."""
    lookup = keras.layers.StringLookup(
        vocabulary=vocabulary, output_mode="one_hot", num_oov_indices=1, name=f"{name}_lookup"
    )
    encode = keras.layers.Dense(mapping.shape[1], use_bias=False, trainable=False, name=name)
    encoded = encode(lookup(column))
    encode.set_weights([mapping])
    return encoded


def _was_missing(column, numeric: bool, name: str):
    """1.0 where the value is missing: NaN for numbers, "" for text."""
    if numeric:
        return keras.ops.cast(keras.ops.isnan(column), "float32")
    return _lookup_and_map(column, [""], np.array([[0.0], [1.0]], dtype="float32"), name)


def with_preprocessing(network: keras.Model, fitted: FittedPrep) -> keras.Model:
    """The network fed by raw columns: a dict input named after the table's columns.

    Args:
        network: the trained model taking the prepared input matrix.
        fitted: the preprocessing statistics fitted on the training split.
    """
    inputs, blocks = {}, []
    position = {name: i for i, name in enumerate(fitted.numeric)}
    for index, name in enumerate(fitted.columns):
        numeric = name in position
        # Keras wants each input named as its dict key; a "/" would break TensorFlow's scopes.
        input_name = name if "/" not in name else f"input_{index}"
        column = keras.Input(shape=(1,), name=input_name, dtype="float32" if numeric else "string")
        inputs[name] = column
        if numeric:
            i = position[name]
            blocks.append(_numeric(column, fitted.fill[name], fitted.offsets[i], fitted.scales[i]))
        else:
            blocks.append(_text(column, fitted, name, index))
    for index, name in enumerate(fitted.indicators):
        blocks.append(_was_missing(inputs[name], name in position, f"missing_{index}"))
    features = blocks[0] if len(blocks) == 1 else keras.layers.Concatenate()(blocks)
    return keras.Model(inputs, network(features), name="model_with_preprocessing")


def export_files(network: keras.Model, fitted: FittedPrep) -> dict[str, bytes]:
    """The downloadable files: ``model.keras`` (with preprocessing) and ``model.weights.h5``."""
    model = with_preprocessing(network, fitted)
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for file_name, save in (
            ("model.keras", model.save),
            ("model.weights.h5", model.save_weights),
        ):
            path = os.path.join(folder, file_name)
            save(path)
            with open(path, "rb") as handle:
                files[file_name] = handle.read()
    return files
