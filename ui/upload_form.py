"""The Data page's upload: files, read options, and the read itself.

The table is read when new files come, and again when the options change; a file that
cannot be read (or kept) leaves its message on the page and the previous table in place.
Once read, the files' bytes leave the server's memory: Streamlit would hold them for as
long as the session lasts. The workspace keeps them on disk, within its cap, and a
change of options reads them again from there.
"""

import dataclasses

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

from builder.config import load_limits
from builder.errors import DataError
from builder.tables.data import DELIMITERS, ReadOptions
from builder.tables.upload_size import check_total
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
    how = (dataclasses.asdict(options), stack_column.strip() or "source")
    listed = list(uploads or [])
    ids = [upload.file_id for upload in listed]
    if ids and ids != st.session_state.get("data_read_files"):  # files added or removed
        st.session_state.data_read_files = ids
        _read(lambda: _take(listed, how), how)
        _let_go(listed)
        st.rerun()  # redraw from the top: the sidebar and sheet list came before this read
    elif _options_changed(how) and _shows_kept_upload():
        _read(lambda: workspace.read_kept_upload(*how), how)
        st.rerun()
    if st.session_state.get("data_read_error"):
        st.error(literal(st.session_state.data_read_error), icon=":material/error:")


def _read(read, how: tuple[dict, str]) -> None:
    """Run ``read``; its error, if any, is shown until the next read."""
    st.session_state.data_read_how = how
    try:
        read()
        st.session_state.data_read_error = None
    except DataError as error:
        st.session_state.data_read_error = str(error)


def _take(listed: list[UploadedFile], how: tuple[dict, str]) -> None:
    """Read the files the uploader lists: new ones from the upload, those read before
    (emptied since: see ``_let_go``) from the workspace's copy; one emptied that the
    workspace does not keep (it was refused) is left out."""
    kept: dict[str, str] = st.session_state.get("data_kept_files") or {}  # file id: name
    emptied = st.session_state.get("data_emptied_files") or set()
    copies: dict[str, tuple[str, bytes]] = {}
    if any(u.file_id in kept for u in listed) and workspace.kept_upload_names() == list(
        kept.values()
    ):
        copies = dict(zip(kept, workspace.kept_upload_files(), strict=True))
    chosen = [u for u in listed if u.file_id in copies or u.file_id not in emptied]
    if not chosen:
        return
    sizes = [len(copies[u.file_id][1]) if u.file_id in copies else u.size for u in chosen]
    check_total(sizes, load_limits())  # before reading any
    files = [copies.get(u.file_id) or (u.name, u.getvalue()) for u in chosen]
    workspace.take_upload(files, *how)
    read = zip(chosen, files, strict=True)
    st.session_state.data_kept_files = {u.file_id: name for u, (name, _) in read}


def _let_go(listed: list[UploadedFile]) -> None:
    """Drop the files' bytes from the server's memory once read (or refused).

    Streamlit keeps each uploaded file for as long as its session lasts, and a session
    whose tab closed ends without letting go of them. Each file's record is emptied, not
    removed, so the uploader still lists it: a file added later is stacked with it, and
    one removed leaves the others, both read again from the workspace's copy. The
    uploader's value, which holds the bytes too, is dropped from the session's state.
    """
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if hasattr(manager, "add_file"):  # Streamlit's in-memory store of uploads
        for upload in listed:
            empty = UploadedFileRec(upload.file_id, upload.name, upload.type, b"")
            manager.add_file(ctx.session_id, empty)
    emptied = st.session_state.get("data_emptied_files") or set()
    st.session_state.data_emptied_files = emptied | {upload.file_id for upload in listed}
    st.session_state.pop("data_upload", None)


def _options_changed(how: tuple[dict, str]) -> bool:
    """True when the options changed since this session last read files (a table brought
    back from the workspace keeps the options it was read with)."""
    return "data_read_how" in st.session_state and how != st.session_state.data_read_how


def _shows_kept_upload() -> bool:
    """True when the session's table is the upload the workspace keeps."""
    data = state.experiment().data
    return data.source == "upload" and workspace.kept_upload_names() == list(data.files)
