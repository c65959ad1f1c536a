"""Data page: pick a sample or upload files, see how they were read, choose the target."""

import pandas as pd
import streamlit as st

from builder.errors import DataError
from builder.experiment.spec import TASKS, DataSpec
from builder.tables.columns import describe_columns, infer_task, target_problem
from builder.tables.data import DELIMITERS, ReadOptions, load_files
from builder.tables.samples import SAMPLES
from ui import code_view, state
from ui.entry import run_through_app

run_through_app()

DETECT = "detect"
DELIMITER_CHOICES = [DETECT, *DELIMITERS]
ENCODING_CHOICES = [DETECT, "utf-8", "latin-1", "cp1252"]
DECIMAL_CHOICES = [DETECT, ".", ","]

st.title("Data")
kind = st.radio(
    "Where does the data come from?",
    ["sample", "upload"],
    format_func={"sample": "A bundled sample", "upload": "My own file(s)"}.get,
    key="data_source_kind",
    horizontal=True,
)

if kind == "sample":
    key = st.selectbox(
        "Sample dataset",
        list(SAMPLES),
        format_func=lambda k: SAMPLES[k].title,
        key="data_sample",
        help="Classic datasets of first-network tutorials; sources in sample_data/SOURCES.md.",
    )
    st.caption(SAMPLES[key].blurb)
    st.button(
        "Load sample",
        key="data_load_sample",
        type="primary",
        on_click=state.use_sample,
        args=(key,),
        help="Replaces the current table with this sample.",
    )
else:
    uploads = st.file_uploader(
        "Upload one table, or several with the same columns to stack them",
        type=["csv", "tsv", "txt", "xlsx", "xls"],
        accept_multiple_files=True,
        key="data_upload",
        help="CSV, TSV, TXT or XLSX. Separator, encoding and decimal mark are detected.",
    )
    with st.expander("Read options"):
        left, middle, right = st.columns(3)
        delimiter = left.selectbox(
            "Separator",
            DELIMITER_CHOICES,
            format_func=lambda d: DELIMITERS.get(d, d),
            key="data_delimiter",
            help="Detected from the first rows unless you choose one.",
        )
        encoding = middle.selectbox(
            "Encoding",
            ENCODING_CHOICES,
            key="data_encoding",
            help="UTF-8 is tried first, then Latin-1.",
        )
        decimal = right.selectbox(
            "Decimal mark", DECIMAL_CHOICES, key="data_decimal", help="',' for files like 1,5"
        )
        sheets = [name for report in st.session_state.reports for name in report.sheets]
        sheet = left.selectbox(
            "Excel sheet",
            ["", *dict.fromkeys(sheets)],
            format_func=lambda name: name or "the first sheet",
            key="data_sheet",
            help="Which sheet of a workbook to read.",
        )
        extra_na = middle.text_input(
            "Extra missing-value markers",
            key="data_extra_na",
            help="Comma-separated, e.g. -999, missing. Empty, NA, N/A and ? are always missing.",
        )
        skip_bad = right.checkbox(
            "Skip malformed rows", key="data_skip_bad", help="Drop rows with too many fields."
        )
        stack_column = left.text_input(
            "Column naming each file (when stacking)", value="source", key="data_stack_column"
        )
    if uploads:
        options = ReadOptions(
            delimiter=None if delimiter == DETECT else delimiter,
            encoding=None if encoding == DETECT else encoding,
            decimal=None if decimal == DETECT else decimal,
            sheet=sheet or None,
            skip_bad_lines=skip_bad,
            na_values=ReadOptions().na_values
            + tuple(m.strip() for m in extra_na.split(",") if m.strip()),
        )
        files = [(upload.name, upload.getvalue()) for upload in uploads]
        signature = (tuple((name, len(content)) for name, content in files), options, stack_column)
        if st.session_state.get("data_read_signature") != signature:
            st.session_state.data_read_signature = signature
            try:
                frame, reports = load_files(files, options, stack_column.strip() or "source")
                title = ", ".join(name for name, _ in files)
                spec = DataSpec(source="upload", title=title, files=[name for name, _ in files])
                state.set_table(frame, reports, spec, None)
                st.session_state.data_read_error = None
            except DataError as error:
                st.session_state.data_read_error = str(error)
            else:
                # Redraw from the top: the sidebar and the sheet list were drawn before this read.
                st.rerun()
        if st.session_state.get("data_read_error"):
            st.error(st.session_state.data_read_error, icon=":material/error:")

frame = state.table()
if frame is None:
    st.info("Load a sample or upload a file to begin.")
    st.stop()

data = state.experiment().data
st.subheader(data.title)
for report in st.session_state.reports:
    st.caption(f"**{report.name}**: {report.describe()}")
    for warning in report.warnings:
        st.warning(warning, icon=":material/warning:")

rows, cols = frame.shape
metric_columns = st.columns(3)
metric_columns[0].metric("Rows", f"{rows:,}")
metric_columns[1].metric("Columns", cols)
metric_columns[2].metric("Missing cells", f"{int(frame.isna().sum().sum()):,}")

state.seed_widgets(
    data_target=data.target, data_task=data.task or "inferred", data_excluded=data.excluded
)
left, right = st.columns(2)
target = left.selectbox(
    "Target: the column to predict",
    list(frame.columns),
    key="data_target",
    on_change=state.sync_data_choices,
    help="The network learns to predict this column from the others.",
)
guess, reason = infer_task(frame[target])
right.selectbox(
    "Task",
    ["inferred", *TASKS],
    format_func=lambda t: f"{guess} (inferred: {reason})" if t == "inferred" else t,
    key="data_task",
    on_change=state.sync_data_choices,
    help="Binary: two classes. Multiclass: several classes. Regression: a number.",
)
st.multiselect(
    "Columns left out of the features",
    [c for c in frame.columns if c != target],
    key="data_excluded",
    on_change=state.sync_data_choices,
    help="Identifier-like columns (a distinct value per row, e.g. PassengerId, Name) and empty "
    "columns are left out by default: a network would memorise them instead of learning.",
)
problem = target_problem(frame[target], state.task())
if problem:
    st.error(problem, icon=":material/target:")
code_view.render("data", key="data_code_expander")

infos = describe_columns(frame, target, data.excluded)
st.dataframe(pd.DataFrame([vars(info) for info in infos]), hide_index=True, key="data_columns")
st.markdown("**First rows**")
st.dataframe(frame.head(100), key="data_preview")
