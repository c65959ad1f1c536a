"""The Data page's upload: files, read options, and the read itself.

The table is read again only when the files or the options change; a file that cannot
be read leaves its message on the page and the previous table in place.
"""

import dataclasses

import streamlit as st

from builder.errors import DataError
from builder.experiment.spec import DataSpec
from builder.tables.bounded import load_files_bounded
from builder.tables.data import DELIMITERS, ReadOptions
from ui import lesson, state, workspace
from ui.text import literal

DETECT = "detect"
DELIMITER_CHOICES = [DETECT, *DELIMITERS]
ENCODING_CHOICES = [DETECT, "utf-8", "latin-1", "cp1252", "utf-16"]
DECIMAL_CHOICES = [DETECT, ".", ","]
HEADER_CHOICES = {DETECT: None, "yes": True, "no": False}


def render() -> None:
    """The uploader and its read options; reads the files into the session's table."""
    uploads = st.file_uploader(
        "Upload one table, or several with the same columns to stack them",
        type=["csv", "tsv", "txt", "data", "dat", "xlsx", "xls"],
        accept_multiple_files=True,
        key="data_upload",
        # A lesson on an uploaded file lets each student upload it; its settings stay fixed.
        **lesson.controls(
            *([] if lesson.uploads_data() else ["data"]),
            help_text="CSV, TSV, TXT (UCI's .data too) or XLSX. Separator, encoding, decimal "
            "mark and a missing header row are detected.",
        ),
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
            help="A byte-order mark (UTF-8, UTF-16, UTF-32) is followed; else UTF-8 is tried "
            "first, then Latin-1.",
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
        header = middle.selectbox(
            "First row is a header",
            list(HEADER_CHOICES),
            format_func={
                DETECT: "detect",
                "yes": "yes: it names the columns",
                "no": "no: it is data (columns named column_1, column_2, …)",
            }.get,
            key="data_header",
            help="Detected: when every cell of the first row looks like the data below it "
            "(numbers over numbers, a recurring label over labels), the file has no header "
            "row. Choose here when the detection is wrong.",
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
            header=HEADER_CHOICES[header],
            na_values=ReadOptions().na_values
            + tuple(m.strip() for m in extra_na.split(",") if m.strip()),
        )
        files = [(upload.name, upload.getvalue()) for upload in uploads]
        signature = (tuple((name, len(content)) for name, content in files), options, stack_column)
        if st.session_state.get("data_read_signature") != signature:
            st.session_state.data_read_signature = signature
            try:
                frame, reports = load_files_bounded(
                    files, options, stack_column.strip() or "source"
                )
                title = ", ".join(name for name, _ in files)
                spec = DataSpec(source="upload", title=title, files=[name for name, _ in files])
                state.set_table(frame, reports, spec, None)
                workspace.keep_upload(
                    files, dataclasses.asdict(options), stack_column.strip() or "source"
                )
                st.session_state.data_read_error = None
            except DataError as error:
                st.session_state.data_read_error = str(error)
            else:
                # Redraw from the top: the sidebar and the sheet list were drawn before this read.
                st.rerun()
        if st.session_state.get("data_read_error"):
            st.error(literal(st.session_state.data_read_error), icon=":material/error:")
    if warning := st.session_state.get("workspace_upload_warning"):
        st.warning(literal(warning), icon=":material/cloud_off:")
