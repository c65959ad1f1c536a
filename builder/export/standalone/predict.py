"""Predict with the model in this folder, on a file of rows with the columns it was trained on.

    python predict.py new_rows.csv [--runtime onnx|tflite|keras|savedmodel] [--output out.csv]

The rows may be a CSV file (comma, semicolon, tab or pipe between values; a decimal
comma too) or an Excel workbook's first sheet (.xlsx). The script writes
``new_rows_predictions.csv`` beside the input (or ``--output``): the input's columns,
then the predicted class and one probability column per class, or the predicted value
in the target's units. A text cell a spreadsheet would run as a formula (one starting
with = + - @, a tab or a carriage return, also after spaces or quotes) is written with
one apostrophe in front; numbers are written as numbers. Besides pandas and NumPy, each runtime needs
one package, imported only when chosen:

    onnx (default)  pip install onnxruntime
    tflite          pip install ai-edge-litert
    keras           pip install tensorflow
    savedmodel      pip install tensorflow

The ONNX and TensorFlow Lite models take the prepared numbers, so this script applies
the preprocessing that preprocessing.json describes (fitted on the training rows), as
the app did; the .keras model and the SavedModel hold it inside and take raw columns.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import re
import sys
from pathlib import Path

try:
    import numpy as np
    import pandas as pd
except ImportError:
    sys.exit("predict.py needs pandas and NumPy: pip install pandas numpy")

HERE = Path(__file__).resolve().parent
PACKAGES = {
    "onnx": "onnxruntime",
    "tflite": "ai-edge-litert",
    "keras": "tensorflow",
    "savedmodel": "tensorflow",
}
PATTERNS = {
    "onnx": "*.onnx",
    "tflite": "*.tflite",
    "keras": "*.keras",
    "savedmodel": "*_savedmodel",
}

# What the app reads as missing: a text category "None" stays a category, as it did there.
NA_MARKERS = ["", "NA", "N/A", "n/a", "?", "NaN", "nan", "null", "NULL"]


class Problem(Exception):
    """Something the user can put right, said in a sentence."""


# Tried in turn; the first that gives every column the model takes wins (a semicolon
# file read with commas is one column; a decimal comma then turns numbers into text).
SEPARATORS = (",", ";", "\t", "|")
# UTF-32's marks first: UTF-16 LE's is the start of UTF-32 LE's.
BYTE_ORDER_MARKS = (
    ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
    ((codecs.BOM_UTF8,), "utf-8-sig"),
    ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
)
EXCEL = (".xlsx", ".xlsm")
# Numbers written with signs or separators ("$1,275.74", "12%", "3 500 €") are read as
# the app reads them (builder/tables/written.py: a test keeps these copies equal).
SIGNS = "$€£¥"


def written_pattern(decimal: str) -> str:
    """A number written with the decimal mark ``decimal``, its signs and separators."""
    groups = ",' \u00a0" if decimal == "." else ".' \u00a0"
    digits = rf"(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:{re.escape(decimal)}\d+)?"
    # Never two runs of spaces side by side ("\s*[$]?\s*"): on a long run of spaces the
    # ways to split it multiply, and a 32,000-space cell took a minute to refuse.
    return rf"[-+]?\s*(?:[{SIGNS}]\s*)?[-+]?{digits}\s*[%{SIGNS}]?"


def cleaning_pattern(decimal: str) -> str:
    """What to drop from such a number: all but digits, signs and the decimal mark."""
    return rf"[^\d{re.escape(decimal)}+-]"


def read_rows(path: Path, prep: dict) -> pd.DataFrame:
    """The rows of a CSV (comma, semicolon, tab or pipe) or Excel file, text columns kept as
    text ("01" stays "01") and missing values marked as the app marks them."""
    if not path.is_file():
        raise Problem(f"There is no file '{path}'. Give the path of a CSV file of rows.")
    text = {name: str for name in prep["categorical"]}
    try:
        if path.suffix.lower() in EXCEL:
            frame = pd.read_excel(path, na_values=NA_MARKERS, keep_default_na=False, dtype=text)
            decimal = "."
        else:
            frame, decimal = _read_csv(path, prep, text)
    except (ValueError, ImportError) as error:
        raise Problem(f"'{path}' could not be read as a table of rows ({error}).") from None
    if frame.empty:
        raise Problem(f"'{path}' holds no rows to predict.")
    _read_written_numbers(frame, prep, decimal)
    missing = [name for name in prep["columns"] if name not in frame.columns]
    if missing:
        raise Problem(
            f"'{path}' lacks column(s) the model was trained on: "
            + ", ".join(f"'{name}'" for name in missing)
            + f". Expected: {', '.join(prep['columns'])}."
        )
    return frame


def _read_written_numbers(frame: pd.DataFrame, prep: dict, decimal: str) -> None:
    """The model's numeric columns that came as text of numbers written with signs or
    separators, as numbers (in place); other text stays, to be read as missing."""
    for name in prep["numeric"]:
        if name not in frame.columns or pd.api.types.is_numeric_dtype(frame[name]):
            continue  # read as numbers already
        if _number(frame[name], decimal):
            digits = frame[name].str.replace(cleaning_pattern(decimal), "", regex=True)
            frame[name] = pd.to_numeric(digits.str.replace(decimal, ".", regex=False))


def _read_csv(path: Path, prep: dict, text: dict) -> tuple[pd.DataFrame, str]:
    """The CSV read with the separator and decimal mark that fit the model best: the most of
    its columns present, then the most of its numeric columns read as numbers; and that
    decimal mark.

    Raises:
        ValueError: no separator reads the file at all.
    """
    encoding = _encoding(path.read_bytes())
    best, best_fit, error = None, (-1, -1), None
    for sep in SEPARATORS:
        for decimal in (".", ",") if sep != "," else (".",):
            try:
                frame = pd.read_csv(
                    path,
                    sep=sep,
                    decimal=decimal,
                    encoding=encoding,
                    na_values=NA_MARKERS,
                    keep_default_na=False,
                    skipinitialspace=True,
                    dtype=text,
                )
            except ValueError as failed:  # this separator splits the rows unevenly
                error = error or failed
                continue
            fit = _fit(frame, prep, decimal)
            if fit > best_fit:
                best, best_fit, best_decimal = frame, fit, decimal
    if best is None:
        raise error
    return best, best_decimal


def _encoding(raw: bytes) -> str:
    """The app's guesses in its order: a byte-order mark's, UTF-8, then Latin-1 (any bytes)."""
    for marks, name in BYTE_ORDER_MARKS:
        if raw.startswith(marks):
            return name
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _fit(frame: pd.DataFrame, prep: dict, decimal: str) -> tuple[int, int]:
    """(model columns present, numeric ones read as numbers, or as numbers written with
    signs or separators in this decimal mark) of one way to read the file."""
    present = [name for name in prep["columns"] if name in frame.columns]
    numbers = [
        name for name in present if name in prep["numeric"] and _number(frame[name], decimal)
    ]
    return len(present), len(numbers)


def _number(column: pd.Series, decimal: str) -> bool:
    if pd.api.types.is_numeric_dtype(column):
        return True
    values = column.dropna().astype(str).str.strip()
    return bool(len(values)) and bool(values.str.fullmatch(written_pattern(decimal)).all())


def _as_number(series: pd.Series) -> np.ndarray:
    """A column as float64, NaN where missing (yes/no columns become 0/1)."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _as_text(series: pd.Series) -> pd.Series:
    """A column as Python strings, None where missing."""
    return series.astype(object).map(lambda v: None if pd.isna(v) else str(v))


def prepared(frame: pd.DataFrame, prep: dict) -> np.ndarray:
    """The float32 input matrix of the ONNX and TensorFlow Lite models.

    Per column of ``columns``: a number imputed with ``fill`` and scaled with its
    offset and scale, or text as a one-hot block over ``vocab`` (all zeros when
    unseen; its code when ``one_hot`` is off), missing text taking the most frequent
    category; then a 1/0 was-missing flag per column of ``indicators``.
    """
    position = {name: i for i, name in enumerate(prep["numeric"])}
    blocks = []
    for name in prep["columns"]:
        if name in position:
            i = position[name]
            values = _as_number(frame[name])
            filled = np.where(np.isnan(values), prep["fill"][name], values)
            blocks.append(((filled - prep["offsets"][i]) / prep["scales"][i])[:, None])
            continue
        vocab, most = prep["vocab"][name], prep["most_frequent"][name]
        codes = pd.Index(vocab, dtype=object).get_indexer(_as_text(frame[name]).fillna(most))
        if prep["one_hot"]:
            blocks.append(codes[:, None] == np.arange(len(vocab))[None, :])
        else:
            blocks.append(np.where(codes < 0, vocab.index(most), codes)[:, None])
    blocks += [frame[name].isna().to_numpy()[:, None] for name in prep["indicators"]]
    if not blocks:
        return np.zeros((len(frame), 0), dtype=np.float32)
    return np.hstack([np.asarray(b, dtype=np.float64) for b in blocks]).astype(np.float32)


def keras_inputs(frame: pd.DataFrame, prep: dict) -> dict[str, np.ndarray]:
    """The raw columns as the .keras model and the SavedModel take them, by column name.

    Numbers as float32 with NaN where missing, text as ``str`` with "" where missing: a
    text column pandas read with NaN in it is of dtype object, which Keras refuses.
    """
    inputs = {}
    for name in prep["columns"]:
        if name in prep["numeric"]:
            inputs[name] = _as_number(frame[name]).astype(np.float32)
        else:
            inputs[name] = _as_text(frame[name]).fillna("").to_numpy(dtype=object)
    return inputs


def model_path(runtime: str) -> Path:
    """The one model file (or SavedModel folder) of ``runtime`` next to this script."""
    found = sorted(HERE.glob(PATTERNS[runtime]))
    if runtime == "savedmodel":
        found = [path for path in found if (path / "saved_model.pb").is_file()]
    if not found:
        raise Problem(
            f"No {PATTERNS[runtime]} model next to predict.py in '{HERE}'. "
            f"Choose another --runtime, among those whose files are there."
        )
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise Problem(f"Several {PATTERNS[runtime]} models in '{HERE}' ({names}): keep one.")
    return found[0]


def _quiet_tensorflow() -> None:
    # Before TensorFlow is imported: its start-up notes are not for this script's user.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def run_onnx(path: Path, frame: pd.DataFrame, prep: dict) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {prep["onnx_input"]: prepared(frame, prep)})[0]


def run_tflite(path: Path, frame: pd.DataFrame, prep: dict) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    x = prepared(frame, prep)
    interpreter = Interpreter(model_path=str(path))
    (given,) = interpreter.get_input_details()
    # The model is saved for one row; every row goes through in one batch.
    interpreter.resize_tensor_input(given["index"], x.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(given["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def run_keras(path: Path, frame: pd.DataFrame, prep: dict) -> np.ndarray:
    _quiet_tensorflow()
    import keras

    model = keras.models.load_model(path)
    return model.predict(keras_inputs(frame, prep), verbose=0)


def run_savedmodel(path: Path, frame: pd.DataFrame, prep: dict) -> np.ndarray:
    _quiet_tensorflow()
    import tensorflow as tf

    columns = {name: tf.constant(v[:, None]) for name, v in keras_inputs(frame, prep).items()}
    loaded = tf.saved_model.load(str(path))  # held: it owns the variables serve() reads
    return loaded.serve(columns).numpy()


RUNTIMES = {
    "onnx": run_onnx,
    "tflite": run_tflite,
    "keras": run_keras,
    "savedmodel": run_savedmodel,
}


def with_predictions(frame: pd.DataFrame, outputs: np.ndarray, prep: dict) -> pd.DataFrame:
    """The input rows, then ``prediction`` (the value, or the class) and, for classes, a
    ``P(<class>)`` probability per class: the columns of the app's batch predictions."""
    outputs = np.asarray(outputs, dtype=np.float64)
    table = frame.copy()
    if prep["output"] == "value":
        table["prediction"] = outputs[:, 0]
        return table
    classes = prep["classes"]
    if prep["output"] == "sigmoid":
        # Class 1 from a probability of 0.5 up, as the app decides it.
        table["prediction"] = [classes[int(p >= 0.5)] for p in outputs[:, 0]]
        outputs = np.hstack([1.0 - outputs, outputs])
    else:
        table["prediction"] = [classes[i] for i in outputs.argmax(axis=1)]
    for i, label in enumerate(classes):
        table[f"P({label})"] = outputs[:, i]
    return table


# The app's rule for formula-like cells (builder/export/cells.py: a test keeps them equal).
FORMULA = re.compile(r"[\s\"']*[=+\-@\t\r]")


def neutral(value):
    """A text ``value`` a spreadsheet would run, with an apostrophe in front; else as is."""
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are ``neutral``."""
    table = frame.rename(columns=lambda name: neutral(str(name)))
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            table.isetitem(position, column.map(neutral))
    return table


def predict(rows: Path, runtime: str, output: Path | None) -> Path:
    """Predict every row of the CSV ``rows`` with ``runtime``; return where the CSV went."""
    description = HERE / "preprocessing.json"
    if not description.is_file():
        raise Problem(f"There is no preprocessing.json next to predict.py in '{HERE}'.")
    prep = json.loads(description.read_text(encoding="utf-8"))
    frame = read_rows(rows, prep)
    path = model_path(runtime)
    try:
        outputs = RUNTIMES[runtime](path, frame, prep)
    except ImportError as error:
        raise Problem(
            f"The {runtime} runtime needs the {PACKAGES[runtime]} package ({error}): "
            f"pip install {PACKAGES[runtime]}"
        ) from None
    output = output or rows.with_name(f"{rows.stem}_predictions.csv")
    # CRLF, as RFC 4180 has it: a cell holding a carriage return is then quoted too.
    table = neutralised(with_predictions(frame, outputs, prep))
    table.to_csv(output, index=False, lineterminator="\r\n")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Predict with the model in this folder.")
    parser.add_argument("rows", type=Path, help="a CSV file with the columns the model takes")
    parser.add_argument("--runtime", choices=sorted(RUNTIMES), default="onnx")
    parser.add_argument("--output", type=Path, help="where to write the predictions CSV")
    args = parser.parse_args(argv)
    try:
        written = predict(args.rows, args.runtime, args.output)
    except Problem as problem:
        print(f"predict.py: {problem}", file=sys.stderr)
        return 1
    print(f"Predictions ({args.runtime}) written to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
