"""Python code generated from an Experiment, one block per function.

Each ``*_block`` function returns one self-contained piece of Python source
(imports, the model, the compile call, reading the data, ...). ``network_code``
assembles the Keras blocks into a script that builds the network;
``training_script`` assembles every block into a standalone script that
reproduces a whole run in plain pandas, scikit-learn and Keras, and
``script_section`` gives one page's slice of it for the "Show the code" expanders.
"""

from __future__ import annotations

import ast
import functools
import json
import textwrap
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd

from builder.errors import SpecError
from builder.experiment import naming
from builder.experiment.spec import (
    DataSpec,
    Experiment,
    LayerSpec,
    NetworkSpec,
    TrainSpec,
    loss_name,
    output_activation,
    output_units,
    scales_target,
)
from builder.tables import written
from builder.tables.columns import infer_task
from builder.tables.data import ReadReport
from builder.tables.samples import SAMPLES, load_sample

OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
INDENT = " " * 8
LINE_LENGTH = 100  # the generated code passes `ruff format` at this line length


def imports_block() -> str:
    """The imports the model code needs."""
    return "import keras\nfrom keras import layers, regularizers\n"


def metrics(network: NetworkSpec, task: str) -> list[str]:
    """The metrics reported while training: accuracy for classes, the other error for numbers."""
    if task != "regression":
        return ["accuracy"]
    return ["mse"] if loss_name(network, task) == "mae" else ["mae"]


def dense_code(units: int, activation: str, initializer: str, layer: LayerSpec | None) -> str:
    """One ``layers.Dense(...)`` call; ``layer`` adds bias and regularisation settings."""
    args = [str(units), f'activation="{activation}"', f'kernel_initializer="{initializer}"']
    if layer is not None and not layer.use_bias:
        args.append("use_bias=False")
    if layer is not None and (layer.l1 or layer.l2):
        args.append(f"kernel_regularizer=regularizers.L1L2(l1={layer.l1!r}, l2={layer.l2!r})")
    return _call("layers.Dense", args)


def _call(function: str, args: list[str]) -> str:
    """A call on one line inside the layer list, or one argument per line when too long."""
    line = f"{function}({', '.join(args)})"
    if len(INDENT) + len(line) + 1 <= LINE_LENGTH:
        return line
    inner = "".join(f"{INDENT}    {arg},\n" for arg in args)
    return f"{function}(\n{inner}{INDENT})"


def layer_lines(network: NetworkSpec, task: str, n_classes: int | str) -> list[str]:
    """The model's layers after the input, each as one line of source.

    ``n_classes`` may be a Python expression (``"len(classes)"``) when the script
    counts the classes itself.
    """
    lines = []
    for layer in network.hidden:
        lines.append(dense_code(layer.units, layer.activation, layer.initializer, layer))
        if layer.dropout > 0:
            lines.append(_call("layers.Dropout", [repr(layer.dropout)]))
    units = output_units(network, task, n_classes)
    activation = output_activation(network, task)
    lines.append(dense_code(units, activation, network.output_initializer, None))
    return lines


def model_block(experiment: Experiment, inputs: int | str, task: str, n_classes: int | str) -> str:
    """Source that seeds Keras and builds the ``keras.Sequential`` model.

    Args:
        experiment: the experiment (its network and training seed).
        inputs: the number of inputs after preprocessing, or an expression giving it.
        task: "binary", "multiclass" or "regression".
        n_classes: the number of classes, or an expression giving it (ignored for regression).

    Returns:
        Python source defining ``model``.
    """
    body = [f"keras.Input(shape=({inputs},))"]
    body += layer_lines(experiment.network, task, n_classes)
    rows = "".join(f"{INDENT}{line},\n" for line in body)
    return (
        f"keras.utils.set_random_seed({experiment.train.seed})\n"
        "model = keras.Sequential(\n"
        "    [\n"
        f"{rows}"
        "    ]\n"
        ")\n"
    )


def optimizer_code(train: TrainSpec) -> str:
    """The optimizer constructor call with its learning rate (and SGD's momentum)."""
    args = f"learning_rate={train.learning_rate!r}"
    if train.optimizer == "sgd" and train.momentum:
        args += f", momentum={train.momentum!r}"
    return f"keras.optimizers.{OPTIMIZER_CLASSES[train.optimizer]}({args})"


# Measured on wine-type (batch size 1, 4,353 rows): 21 s an epoch at 1, 5 s at 64, 4.6 s at 512.
STEPS_PER_EXECUTION = 64


def compile_block(experiment: Experiment, task: str) -> str:
    """Source of the ``model.compile(...)`` call: optimizer, loss and metrics."""
    network = experiment.network
    return (
        "model.compile(\n"
        f"    optimizer={optimizer_code(experiment.train)},\n"
        f'    loss="{loss_name(network, task)}",\n'
        f"    metrics={json.dumps(metrics(network, task))},\n"
        "    # 64 batches per call into TensorFlow: the same updates, with far less\n"
        "    # Python overhead per batch (about 4x faster at batch size 1).\n"
        f"    steps_per_execution={STEPS_PER_EXECUTION},\n"
        ")\n"
    )


def network_code(experiment: Experiment, inputs: int, task: str, n_classes: int) -> str:
    """Keras code that builds and compiles exactly this network, then prints its summary.

    Args:
        experiment: the experiment.
        inputs: the number of inputs after preprocessing.
        task: "binary", "multiclass" or "regression".
        n_classes: the number of classes (ignored for regression).

    Returns:
        A runnable Python script.
    """
    return "\n".join(
        [
            imports_block(),
            model_block(experiment, inputs, task, n_classes),
            compile_block(experiment, task),
            "model.summary()\n",
        ]
    )


# --- The standalone training script -------------------------------------------------------------

STEPS = ("data", "build", "train")
RULE = "# " + "-" * 78
# Names the script may use, and the import each needs; the script imports only what it uses.
IMPORTS = {
    "json": ("json", None),
    "Path": ("pathlib", "Path"),
    "keras": ("keras", None),
    "np": ("numpy", "np"),
    "pd": ("pandas", "pd"),
    "layers": ("keras", "layers"),
    "regularizers": ("keras", "regularizers"),
    "ColumnTransformer": ("sklearn.compose", "ColumnTransformer"),
    "MissingIndicator": ("sklearn.impute", "MissingIndicator"),
    "SimpleImputer": ("sklearn.impute", "SimpleImputer"),
    "accuracy_score": ("sklearn.metrics", "accuracy_score"),
    "mean_absolute_error": ("sklearn.metrics", "mean_absolute_error"),
    "mean_squared_error": ("sklearn.metrics", "mean_squared_error"),
    "train_test_split": ("sklearn.model_selection", "train_test_split"),
    "make_pipeline": ("sklearn.pipeline", "make_pipeline"),
    "LabelEncoder": ("sklearn.preprocessing", "LabelEncoder"),
    "MinMaxScaler": ("sklearn.preprocessing", "MinMaxScaler"),
    "OneHotEncoder": ("sklearn.preprocessing", "OneHotEncoder"),
    "OrdinalEncoder": ("sklearn.preprocessing", "OrdinalEncoder"),
    "StandardScaler": ("sklearn.preprocessing", "StandardScaler"),
    "compute_class_weight": ("sklearn.utils.class_weight", "compute_class_weight"),
}
STANDARD_LIBRARY = ("json", "pathlib")
MODULE_ALIASES = {"np": "numpy", "pd": "pandas"}
SCALERS = {"standard": "StandardScaler()", "minmax": "MinMaxScaler()"}
FILLS = {"mean": "mean", "median": "median", "most_frequent": "most frequent value"}
SCALING_WORDS = {
    "standard": "then each column is standardised (mean 0, sd 1) with the training rows' statistics",
    "minmax": "then each column is scaled to 0..1 with the training rows' minimum and maximum",
    "none": "the values stay unscaled",
}


@dataclass(frozen=True)
class ScriptContext:
    """What the script needs to know about the table besides the experiment.

    ``frame`` is None for an uploaded file the app no longer holds: the script
    then keeps every preprocessing step, in case the file needs it. ``bundled``
    scripts read their data from the ``data/`` folder beside them, as a run bundle
    lays it out.
    """

    task: str
    frame: pd.DataFrame | None = None
    reports: tuple[ReadReport, ...] = ()
    bundled: bool = False

    def features(self, data: DataSpec) -> pd.DataFrame | None:
        """The labelled rows' feature columns, as the script selects them."""
        if self.frame is None:
            return None
        rows = self.frame[self.frame[data.target].notna()]
        return rows.drop(columns=[data.target, *data.excluded], errors="ignore")


@functools.lru_cache(maxsize=8)
def _sample_table(key: str) -> tuple[pd.DataFrame, tuple[ReadReport, ...]]:
    frame, reports = load_sample(key)
    return frame, tuple(reports)


def script_context(
    experiment: Experiment,
    frame: pd.DataFrame | None = None,
    reports: list[ReadReport] | None = None,
    bundled: bool = False,
) -> ScriptContext:
    """Find the task and the table the script is written for.

    Args:
        experiment: the experiment.
        frame: the loaded table; a sample is read here when omitted.
        reports: how each file of an uploaded table was read (separator, encoding, sheet).
        bundled: the script reads its data from ``data/`` beside it (a run bundle).

    Returns:
        The context.

    Raises:
        SpecError: no target is chosen, or the task of an uploaded table is unknown.
    """
    data = experiment.data
    if not data.source or data.target is None:
        raise SpecError(
            "Choose the data and the column to predict on the Data page first: "
            "the script starts from them."
        )
    if data.source in SAMPLES:
        frame, sample_reports = _sample_table(data.source)
        reports = list(sample_reports)
    if frame is not None and data.target not in frame.columns:
        raise SpecError(f"The table has no column '{data.target}' to predict.")
    task = data.task
    if task is None and frame is not None:
        task = infer_task(frame[data.target])[0]
    if task is None:
        raise SpecError(
            "Choose the task (binary, multiclass or regression) on the Data page, "
            "or upload the data file again: the script depends on it."
        )
    return ScriptContext(task, frame, tuple(reports or ()), bundled)


def _text(value: str) -> str:
    """A Python string literal, double-quoted as the formatter writes it."""
    return json.dumps(value, ensure_ascii=False)


def _plain(value: str) -> str:
    """Text safe inside a comment or docstring: one line, no quotes or backslashes."""
    text = "".join(c if c.isprintable() else " " for c in str(value))
    return " ".join(text.replace("\\", "/").replace('"', "'").split())


def _comment(text: str) -> str:
    """A comment of one or more lines, wrapped to the line length."""
    return "\n".join(
        textwrap.wrap(text, LINE_LENGTH - 8, initial_indent="# ", subsequent_indent="# ")
    )


def _heading(page: str, what: str) -> str:
    return f"{RULE}\n# {page} page: {what}\n{RULE}\n"


def _statement(head: str, args: list[str], indent: str = "") -> str:
    """``head(args)`` on one line, or one argument per line when longer than a line."""
    line = f"{indent}{head}({', '.join(args)})"
    if len(line) <= LINE_LENGTH:
        return line + "\n"
    inner = "".join(f"{indent}    {arg},\n" for arg in args)
    return f"{indent}{head}(\n{inner}{indent})\n"


def _list(items: list[str], indent: str = "") -> str:
    """A list literal that fits after ``indent``, else one item per line."""
    line = f"[{', '.join(items)}]"
    if len(indent) + len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"{indent}    {item},\n" for item in items)
    return f"[\n{inner}{indent}]"


def _read(target: str, path: str, report: ReadReport | None, upload: bool) -> str:
    """``target = pd.read_csv(...)`` (or ``read_excel``) with the options the app read it with."""
    if report is not None and report.kind == "excel":
        args = [path] + ([f"sheet_name={_text(report.sheet)}"] if report.sheet else [])
        return _statement(f"{target} = pd.read_excel", args) + _written(target, report)
    args = [path]
    if report is not None and report.delimiter not in (None, ","):
        args.append(f"sep={_text(report.delimiter)}")
    if report is not None and report.decimal not in (None, "."):
        args.append(f"decimal={_text(report.decimal)}")
    if report is not None and report.encoding not in (None, "utf-8"):
        args.append(f"encoding={_text(report.encoding)}")
    if upload:
        args += ['na_values=["?"]', "skipinitialspace=True"]
    return _statement(f"{target} = pd.read_csv", args) + _written(target, report)


def _written(target: str, report: ReadReport | None) -> str:
    """Columns of numbers written as text ("$1,275.74", "12%"), read as numbers as the app
    read them: everything but digits, signs and the decimal mark dropped."""
    if report is None or not report.written:
        return ""
    decimal = report.decimal or "."
    names = _list([_text(name) for name in report.written], "    ")
    shown = ", ".join(f"'{_plain(value)}'" for value in report.written.values())
    pattern = written.cleaning_pattern(decimal)
    point = "" if decimal == "." else f'.str.replace({_text(decimal)}, ".")'
    return (
        f"# Numbers written with signs or separators ({shown}): read as numbers.\n"
        f"for column in {names}:\n"
        f'    digits = {target}[column].str.replace(r"{pattern}", "", regex=True)\n'
        f"    {target}[column] = pd.to_numeric(digits{point})\n"
    )


def _stacked(paths: list[str], reports: list, upload: bool, column: str, labels: list) -> str:
    """Read each file as ``part_<n>``, label its rows in ``column``, and stack the parts."""
    code = ""
    for number, (path, report, label) in enumerate(zip(paths, reports, labels, strict=True), 1):
        value = _text(label) if isinstance(label, str) else repr(label)
        code += _read(f"part_{number}", path, report, upload)
        code += f"part_{number}[{_text(column)}] = {value}\n"
    parts = _list([f"part_{number}" for number in range(1, len(paths) + 1)], "    ")
    return code + _statement("df = pd.concat", [parts, "ignore_index=True"])


BUNDLE_DATA_DIR = 'DATA_DIR = Path(__file__).parent / "data"'


def bundle_data_name(name: str) -> str:
    """An uploaded file's name as the bundle's data/ folder holds it: no folders, never empty."""
    return PurePath(name.replace("\\", "/")).name or "data.csv"


def _sample_reading(data: DataSpec, context: ScriptContext) -> str:
    sample = SAMPLES[data.source]
    reports = dict(zip(sample.files, context.reports, strict=False))
    if context.bundled:
        lines = [
            f"# The app's sample '{_plain(sample.title)}', in the data/ folder beside this script.",
            BUNDLE_DATA_DIR,
        ]
    else:
        lines = [
            _comment(
                f"The app's sample '{_plain(sample.title)}': copy the app's sample_data/ "
                "folder next to this script, or set DATA_DIR to the folder holding the file(s)."
            ),
            'DATA_DIR = Path("sample_data")',
        ]
    paths = [f"DATA_DIR / {_text(f)}" for f in sample.files]
    if len(paths) == 1:
        return "\n".join(lines) + "\n" + _read("df", paths[0], reports.get(sample.files[0]), False)
    labels = [sample.stack_labels[f] for f in sample.files]
    named = ", ".join(
        f"{_plain(f)}: {label}" for f, label in zip(sample.files, labels, strict=True)
    )
    lines.append(
        _comment(
            f"The files are stacked; a column '{_plain(sample.stack_column)}' tells each "
            f"row's file ({named})."
        )
    )
    file_reports = [reports.get(f) for f in sample.files]
    stacked = _stacked(paths, file_reports, False, sample.stack_column, labels)
    return "\n".join(lines) + "\n" + stacked


def _upload_reading(data: DataSpec, context: ScriptContext) -> str:
    files = data.files or ["my_data.csv"]
    reports = list(context.reports) if len(context.reports) == len(files) else [None] * len(files)
    note = _comment(
        "Read as the app did: '?' also marks a missing value; spaces after a separator are skipped."
    )
    several = len(files) > 1
    if context.bundled:
        where = [
            _comment(
                f"The {'files' if several else 'file'} you uploaded to the app, in the data/ "
                "folder beside this script (put them there if the bundle came without its data)"
                + ("; they are stacked in this order." if several else ".")
            ),
            BUNDLE_DATA_DIR,
        ]
        paths = [f"DATA_DIR / {_text(bundle_data_name(f))}" for f in files]
    elif several:
        where = [
            "# Edit these paths: the files you uploaded to the app, in the order they were stacked."
        ]
        paths = [f"Path({_text(f)})" for f in files]
    else:
        where = ["# Edit this path: the file you uploaded to the app."]
        paths = [f"Path({_text(files[0])})"]
    if not several:
        lines = [*where, f"DATA_FILE = {paths[0]}", note]
        return "\n".join(lines) + "\n" + _read("df", "DATA_FILE", reports[0], True)
    column = "source"
    if context.frame is not None:
        column = str(context.frame.columns[-1])  # stacking appends the naming column last
    lines = [
        *where,
        f"DATA_FILES = {_list(paths)}",
        note,
        _comment(f"The files are stacked; a column '{_plain(column)}' names each row's file."),
    ]
    paths = [f"DATA_FILES[{i}]" for i in range(len(files))]
    return "\n".join(lines) + "\n" + _stacked(paths, reports, True, column, files)


def data_block(experiment: Experiment, context: ScriptContext) -> str:
    """Source that reads the table, drops unlabelled rows and splits off the target.

    Defines ``df``, ``X`` (the feature columns), ``y`` (class indices or numbers)
    and, for a class task, ``classes``.
    """
    data = experiment.data
    if data.source in SAMPLES:
        reading = _sample_reading(data, context)
    else:
        reading = _upload_reading(data, context)
    lines = [
        "# The column to predict, and the columns left out of the features.",
        f"TARGET = {_text(data.target)}",
    ]
    if data.excluded:
        left_out = [_text(c) for c in data.excluded]
        lines.append(f"LEFT_OUT = {_list(left_out)}")
    drop = "[TARGET, *LEFT_OUT]" if data.excluded else "[TARGET]"
    lines += [
        "df = df.dropna(subset=[TARGET])  # rows without a target value cannot be learned from",
        f"X = df.drop(columns={drop})",
    ]
    if context.task == "regression":
        lines += [
            "# A regression: the network predicts the number itself.",
            'y = df[TARGET].to_numpy(dtype="float32")',
        ]
    else:
        lines += [
            f"# A {context.task} task: the network predicts each row's class as its index in",
            "# the sorted list of classes (0, 1, ...).",
            "encoder = LabelEncoder()",
            "y = encoder.fit_transform(df[TARGET])",
            "classes = encoder.classes_",
        ]
    title = _plain(data.title or ", ".join(data.files) or "the table")
    return _heading("Data", f"{title}; predict '{_plain(data.target)}'") + (
        reading + "\n".join(lines) + "\n"
    )


def _split_lines(experiment: Experiment, task: str) -> list[str]:
    prep = experiment.prep
    share = f"{prep.test_size:.0%}"
    if prep.split == "ordered":
        return [
            f"# The last {share} of the rows, in file order, are the test rows.",
            f"n_train = len(X) - round(len(X) * {prep.test_size!r})",
            "X_train, X_test = X.iloc[:n_train], X.iloc[n_train:]",
            "y_train, y_test = y[:n_train], y[n_train:]",
        ]
    args = ["X", "y", f"test_size={prep.test_size!r}", f"random_state={prep.seed}"]
    stratified = prep.stratify and task != "regression"
    if stratified:
        args.append("stratify=y")
    kind = "stratified by class, " if stratified else ""
    return [
        f"# A random {share} of the rows ({kind}seed {prep.seed}) are the test rows.",
        _statement("X_train, X_test, y_train, y_test = train_test_split", args).rstrip("\n"),
    ]


def prep_block(experiment: Experiment, context: ScriptContext) -> str:
    """Source that splits the rows and prepares the features, as ``PrepSpec`` defines it.

    Statistics (fill values, scales, categories) are fitted on the training rows
    only, with a scikit-learn ``ColumnTransformer``: numbers, then the was-missing
    flags, then the text columns. Replaces ``X_train``/``X_test`` by arrays.
    """
    prep = experiment.prep
    features = context.features(experiment.data)
    numbers = text = missing = True
    if features is not None:
        numeric = features.select_dtypes(include=["number", "bool"]).columns
        numbers, text = len(numeric) > 0, len(numeric) < features.shape[1]
        missing = bool(features.isna().any().any())
    missing = missing and prep.missing_indicator
    lines = _split_lines(experiment, context.task)
    steps = []
    if numbers:
        scale = SCALERS.get(prep.scaling)
        lines += [
            _comment(
                f"Numbers: missing values get the training rows' {FILLS[prep.impute]}; "
                f"{SCALING_WORDS[prep.scaling]}."
            ),
            'numeric_columns = X.select_dtypes(include=["number", "bool"]).columns.tolist()',
            _statement(
                "numbers = make_pipeline",
                [f"SimpleImputer(strategy={_text(prep.impute)})"] + ([scale] if scale else []),
            ).rstrip("\n"),
        ]
        steps.append('("numbers", numbers, numeric_columns)')
    if missing:
        lines += [
            "# A 0/1 input per column with a missing value anywhere in the table.",
            "missing_columns = X.columns[X.isna().any()].tolist()",
        ]
        steps.append('("was_missing", MissingIndicator(features="all"), missing_columns)')
    if text:
        encoder = (
            'OneHotEncoder(handle_unknown="ignore", sparse_output=False)'
            if prep.one_hot
            else 'OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)'
        )
        what = (
            "one 0/1 input per category (one unseen in training gives all zeros)"
            if prep.one_hot
            else "one input of category codes 0, 1, 2, ... in sorted order (unseen: -1)"
        )
        lines += [
            _comment(f"Text: missing values get the most frequent text; then {what}."),
            "text_columns = [column for column in X.columns if column not in numeric_columns]"
            if numbers
            else "text_columns = X.columns.tolist()",
            _statement(
                "text = make_pipeline", ['SimpleImputer(strategy="most_frequent")', encoder]
            ).rstrip("\n"),
        ]
        steps.append('("text", text, text_columns)')
    rows = "".join(f"        {step},\n" for step in steps)
    lines += [
        f"preprocess = ColumnTransformer(\n    [\n{rows}    ]\n)",
        "# Every statistic is fitted on the training rows only.",
        "X_train = preprocess.fit_transform(X_train)",
        "X_test = preprocess.transform(X_test)",
    ]
    return _heading("Build", "preprocessing (split, missing values, scaling, text)") + (
        "\n".join(lines) + "\n"
    )


def _output_units(experiment: Experiment, task: str) -> int | str:
    """Output units as a number, or ``"len(classes)"`` for a multiclass task."""
    return output_units(experiment.network, task, "len(classes)")


def network_block(experiment: Experiment, context: ScriptContext) -> str:
    """Source that builds the network on the prepared inputs (``model``), and shapes targets."""
    task = context.task
    lines = [
        "# The seed makes the starting weights and the shuffling repeatable.",
        model_block(experiment, "X_train.shape[1]", task, "len(classes)").rstrip("\n"),
    ]
    if scales_target(experiment, task):
        lines += [
            _comment(
                "The network learns the target standardised with the training rows' mean and "
                "standard deviation (the loss printed while it trains is in these units)."
            ),
            "y_mean, y_sd = y_train.mean(), y_train.std()",
            "y_train_scaled = (y_train - y_mean) / y_sd",
        ]
        if experiment.train.validation == "test":
            lines.append("y_test_scaled = (y_test - y_mean) / y_sd")
    if _output_units(experiment, task) != 1:
        lines += [
            "# One output unit per class: each target becomes a row of 0/1, one per class.",
            "y_train_onehot = keras.utils.to_categorical(y_train, len(classes))",
            "y_test_onehot = keras.utils.to_categorical(y_test, len(classes))",
        ]
    return _heading("Build", "layers, output and loss") + "\n".join(lines) + "\n"


def fit_block(experiment: Experiment, context: ScriptContext) -> str:
    """Source that compiles the model and fits it with the Train page's settings."""
    train, task = experiment.train, context.task
    onehot = _output_units(experiment, task) != 1
    scaled = scales_target(experiment, task)
    targets = "y_train_onehot" if onehot else "y_train_scaled" if scaled else "y_train"
    test_targets = "y_test_onehot" if onehot else "y_test_scaled" if scaled else "y_test"
    lines = [compile_block(experiment, task).rstrip("\n")]
    args = ["X_train", targets, f"batch_size={train.batch_size}", f"epochs={train.epochs}"]
    if train.validation == "test":
        lines.append("# The test rows are the validation data, scored after every epoch.")
        args.append(f"validation_data=(X_test, {test_targets})")
    elif train.validation == "split":
        lines.append(
            f"# The last {train.validation_split:.0%} of the training rows are held out "
            "for validation."
        )
        args.append(f"validation_split={train.validation_split!r}")
    if train.early_stopping:
        monitor = "loss" if train.validation == "none" else "val_loss"
        watched = "training loss" if monitor == "loss" else "validation loss"
        epochs = f"{train.patience} epoch" + ("s" if train.patience > 1 else "")
        lines += [
            f"# Stop when the {watched} has not improved for {epochs}.",
            _statement(
                "early_stopping = keras.callbacks.EarlyStopping",
                [
                    f"monitor={_text(monitor)}",
                    f"patience={train.patience}",
                    f"restore_best_weights={train.restore_best_weights}",
                ],
            ).rstrip("\n"),
        ]
        args.append("callbacks=[early_stopping]")
    if train.class_weights and task != "regression":
        lines += [
            "# Balanced class weights: rare classes weigh as much as common ones in the loss.",
            "present = np.unique(y_train)",
            'weights = compute_class_weight("balanced", classes=present, y=y_train)',
            "class_weight = dict(zip(present.tolist(), weights.tolist(), strict=True))",
        ]
        args.append("class_weight=class_weight")
    args.append("verbose=2")
    lines.append(_statement("history = model.fit", args).rstrip("\n"))
    if scaled:
        lines += [
            _comment(
                "Fold the scaling into the linear output layer, (x @ w + b) * sd + mean, so the "
                "model predicts in the target's own units."
            ),
            "kernel, bias = model.layers[-1].get_weights()",
            "model.layers[-1].set_weights([kernel * y_sd, bias * y_sd + y_mean])",
        ]
    return _heading("Train", "optimizer, loss, batch size, epochs, validation") + (
        "\n".join(lines) + "\n"
    )


def evaluation_block(experiment: Experiment, context: ScriptContext) -> str:
    """Source that scores the test rows and prints the metrics, last as one JSON line."""
    if context.task == "regression":
        lines = [
            "predicted = model.predict(X_test, verbose=0)[:, 0]",
            "mse = mean_squared_error(y_test, predicted)",
            "mae = mean_absolute_error(y_test, predicted)",
            'print(f"Test MSE: {mse:.4f}, test MAE: {mae:.4f}")',
            'print(json.dumps({"mse": float(mse), "mae": float(mae)}))',
        ]
    else:
        if _output_units(experiment, context.task) == 1:
            pick = [
                "# One sigmoid unit gives P(class 1): class 1 when it is above 0.5.",
                "predicted = (probabilities[:, 0] > 0.5).astype(int)",
            ]
        else:
            pick = ["predicted = probabilities.argmax(axis=1)  # the most probable class"]
        lines = [
            "probabilities = model.predict(X_test, verbose=0)",
            *pick,
            "accuracy = accuracy_score(y_test, predicted)",
            'print(f"Test accuracy: {accuracy:.4f}")',
            'print(json.dumps({"accuracy": float(accuracy)}))',
        ]
    return _heading("Train", "the test rows' metrics") + "\n".join(lines) + "\n"


def _step_blocks(experiment: Experiment, context: ScriptContext) -> dict[str, list[str]]:
    return {
        "data": [data_block(experiment, context)],
        "build": [prep_block(experiment, context), network_block(experiment, context)],
        "train": [fit_block(experiment, context), evaluation_block(experiment, context)],
    }


def script_imports(body: str) -> str:
    """The import lines for the names ``body`` uses, sorted as ruff's isort sorts them."""
    used = {node.id for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)}
    plain: dict[bool, set[str]] = {True: set(), False: set()}
    names: dict[str, set[str]] = {}
    for name in used & IMPORTS.keys():
        module, item = IMPORTS[name]
        standard = module.split(".")[0] in STANDARD_LIBRARY
        if item is None:
            plain[standard].add(f"import {module}")
        elif name in MODULE_ALIASES:
            plain[standard].add(f"import {module} as {item}")
        else:
            names.setdefault(module, set()).add(item)
    sections = []
    for standard in (True, False):
        froms = [
            f"from {module} import {', '.join(sorted(items, key=_isort_key))}"
            for module, items in sorted(names.items())
            if (module.split(".")[0] in STANDARD_LIBRARY) == standard
        ]
        lines = sorted(plain[standard]) + froms
        if lines:
            sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def _isort_key(name: str) -> tuple[int, str]:
    """Classes (CamelCase) before functions and modules, as isort's order-by-type does."""
    return (0 if name[:1].isupper() else 1, name)


def _docstring(experiment: Experiment) -> str:
    name = naming.stem(experiment)
    return (
        f'"""Train the experiment "{name}" again, in plain pandas, scikit-learn and Keras.\n'
        "\n"
        "Written by the Neural Network Builder. Each block below comes from one page of\n"
        "the app: Data (the table and the target), Build (preprocessing and the network)\n"
        "and Train (fitting, and the metrics on the test rows). It needs pandas,\n"
        "scikit-learn and Keras with TensorFlow (pip install pandas scikit-learn tensorflow).\n"
        "The last line it prints is the test metrics as JSON.\n"
        '"""\n'
    )


def training_script(
    experiment: Experiment,
    frame: pd.DataFrame | None = None,
    reports: list[ReadReport] | None = None,
    bundled: bool = False,
) -> str:
    """A standalone script that reproduces the run: read, prepare, build, fit, evaluate.

    Args:
        experiment: the experiment.
        frame: the loaded table (a sample is read here when omitted); it decides the
            task when the experiment leaves it to be inferred, and which
            preprocessing steps the script needs.
        reports: how each uploaded file was read, so the script reads it the same way.
        bundled: read the data from the ``data/`` folder beside the script, where a run
            bundle puts it, instead of the app's ``sample_data/`` or the upload's name.

    Returns:
        Python source that passes ``ruff check`` and ``ruff format``; its last printed
        line is ``{"accuracy": ...}`` or ``{"mse": ..., "mae": ...}`` for the test rows.

    Raises:
        SpecError: the experiment has no data or target yet, or its task is unknown.
    """
    context = script_context(experiment, frame, reports, bundled)
    blocks = [block for step in _step_blocks(experiment, context).values() for block in step]
    body = "\n\n".join(blocks)
    return f"{_docstring(experiment)}\n{script_imports(body)}\n{body}"


def script_section(
    experiment: Experiment,
    step: str,
    frame: pd.DataFrame | None = None,
    reports: list[ReadReport] | None = None,
) -> str:
    """One page's slice of ``training_script``, for its "Show the code" expander.

    Args:
        experiment: the experiment.
        step: "data", "build" or "train".
        frame: the loaded table, as for ``training_script``.
        reports: how each uploaded file was read.

    Returns:
        The blocks that step contributes, without the imports.

    Raises:
        SpecError: the step is unknown, or the script cannot be written yet.
    """
    if step not in STEPS:
        raise SpecError(f"There is no step '{step}'. Steps: {', '.join(STEPS)}")
    context = script_context(experiment, frame, reports)
    return "\n\n".join(_step_blocks(experiment, context)[step])
