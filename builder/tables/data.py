"""Reading user tables: CSV/TSV/TXT/XLSX with detected separator, encoding, decimal mark.

``read_table`` turns the bytes of one file into a DataFrame plus a ``ReadReport``
of what was detected. ``stack_tables`` joins files that share their columns.
Every problem a user can cause raises ``DataError`` with a message that says
what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from pandas.io.parsers import TextParser

from builder.config import HostLimits, load_limits
from builder.errors import DataError
from builder.tables import workbook, written

WHITESPACE = " "  # runs of spaces and tabs, as in aligned columns (most UCI .data files)
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", WHITESPACE: "whitespace"}
ENCODINGS = ("utf-8", "latin-1")
# UTF-32's little-endian mark starts with UTF-16's, so it is tried first.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
NA_MARKERS = ("", "NA", "N/A", "n/a", "?", "NaN", "nan", "null", "NULL")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SNIFF_LINES = 200
SNIFF_CHARS = 20_000  # of each sniffed line: a longer one tells nothing more about its fields
_ZIP_MAGIC = b"PK\x03\x04"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
_PADDING = re.compile(r"\S\s{2,}\S")  # spaces that align columns, inside a field


@dataclass
class ReadOptions:
    """How to read a file; ``None`` means detect it."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    na_values: tuple[str, ...] = NA_MARKERS
    sheet: str | None = None
    skip_bad_lines: bool = False
    header: bool | None = None  # the first row names the columns; None: detect (text files)


@dataclass
class ReadReport:
    """What was detected and decided while reading one file."""

    name: str
    kind: str
    rows: int
    columns: int
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    na_found: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    header: bool = True
    warnings: list[str] = field(default_factory=list)
    # Columns of numbers written as text ("$1,275.74"), read as numbers: name -> an example.
    written: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line a user can read: how the file was understood."""
        written = ", ".join(f"'{name}' ('{value}')" for name, value in self.written.items())
        written = f", read as numbers without their signs and separators: {written}" * bool(written)
        if self.kind == "excel":
            return f"Excel workbook, sheet '{self.sheet}'{written}"
        found = ", ".join(f"'{marker}'" if marker else "empty fields" for marker in self.na_found)
        return (
            f"{DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated, "
            f"{self.encoding}, decimal mark '{self.decimal}'"
            + ("" if self.header else ", no header row")
            + (f", missing values written as {found}" if found else "")
            + written
        )


def read_table(
    content: bytes,
    name: str,
    options: ReadOptions | None = None,
    limits: HostLimits | None = None,
) -> tuple[pd.DataFrame, ReadReport]:
    """Read one uploaded file into a DataFrame.

    Args:
        content: the file's bytes.
        name: the file's name, used in messages and to recognise workbooks.
        options: read settings; detected where left as ``None``.
        limits: host caps on size, rows and columns.

    Returns:
        The table and a report of what was detected.

    Raises:
        DataError: the file cannot be read as a table, or breaks a cap.
    """
    options = options or ReadOptions()
    limits = limits or load_limits()
    if not content:
        raise DataError(f"'{name}' is empty (0 bytes). Choose a file that holds a table.")
    if len(content) > limits.max_upload_mb * 1024 * 1024:
        size_mb = len(content) / 1024 / 1024
        raise DataError(
            f"'{name}' is {size_mb:.1f} MB; this server accepts files up to "
            f"{limits.max_upload_mb} MB. Use a sample of the rows."
        )
    if content.startswith(_ZIP_MAGIC) or name.lower().endswith(EXCEL_SUFFIXES):
        frame, report = _read_excel(content, name, options, limits)
    elif name.lower().endswith(".xls"):
        raise DataError(
            f"'{name}' is an old Excel 97-2003 file (.xls). Save it as .xlsx or CSV and upload that."
        )
    else:
        frame, report = _read_text(content, name, options)
    frame = _tidy_columns(frame, report)
    _read_long_integers(frame, report)
    _read_written_numbers(frame, report)
    _check_shape(frame, name, limits)
    report.rows, report.columns = frame.shape
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        report.warnings.append(
            f"Column(s) {_names(empty)} have no values at all; they are left out of the features."
        )
    return frame, report


def _read_text(content: bytes, name: str, options: ReadOptions) -> tuple[pd.DataFrame, ReadReport]:
    marked = _marked_encoding(content)
    wide = (options.encoding or marked or "").lower().startswith(("utf-16", "utf-32"))
    if b"\x00" in content[:8192] and not wide:
        raise DataError(
            f"'{name}' does not look like a text table (it holds binary data). "
            "Upload a CSV, TSV, TXT or XLSX file."
        )
    if wide and not marked:
        # Without a byte-order mark a UTF-16/32 codec reads any text as other characters.
        raise DataError(
            f"'{name}' is not {options.encoding} text: it does not start with the byte-order "
            "mark such files carry. Choose 'detect' (or utf-8) as the encoding under Read "
            "options."
        )
    text, encoding = _decode(content, options.encoding or marked)
    if _looks_binary(text[:8192]):
        raise DataError(
            f"'{name}' does not look like a text table (too many control characters). "
            "Upload a CSV, TSV, TXT or XLSX file."
        )
    # Only the first lines are sniffed: splitting all of a 100 MB text takes a quarter second.
    head = itertools.islice(io.StringIO(text, newline=None), SNIFF_LINES + 1)
    lines = [line.rstrip("\n")[:SNIFF_CHARS] for line in head if line.strip()]
    if not lines:
        raise DataError(f"'{name}' holds only blank lines. Choose a file that holds a table.")
    delimiter = options.delimiter or sniff_delimiter(lines)
    rows = split_lines(lines, delimiter)
    decimal = options.decimal or sniff_decimal(lines[1:], delimiter)
    header = options.header
    if header is None:
        header = sniff_header(rows, options.na_values, decimal)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                # Bytes with the detected codec parse ~40% faster than the decoded text.
                io.BytesIO(content),
                encoding=_python_codec(encoding),
                sep=r"\s+" if delimiter == WHITESPACE else delimiter,
                header=0 if header else None,
                # Never the first column as row labels, which pandas does when every row
                # has one field more than the header (a separator ending each line).
                index_col=False,
                decimal=decimal,
                na_values=list(options.na_values),
                keep_default_na=False,
                skipinitialspace=True,
                on_bad_lines="skip" if options.skip_bad_lines else "error",
                low_memory=False,
            )
        except pd.errors.EmptyDataError as error:
            raise DataError(
                f"'{name}' has no columns to read. Choose a file that holds a table."
            ) from error
        except pd.errors.ParserError as error:
            raise DataError(_ragged_message(name, str(error), delimiter)) from error
        except UnicodeError as error:
            raise DataError(
                f"'{name}' cannot be read as {encoding}. Choose another encoding under Read "
                "options, or 'detect'."
            ) from error
    report = ReadReport(
        name=name,
        kind="text",
        rows=0,
        columns=0,
        delimiter=delimiter,
        encoding=encoding,
        decimal=decimal,
        header=header,
        na_found=_markers_seen(rows[1:], options.na_values),
    )
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        report.warnings.append(
            f"Some rows of '{name}' have more fields than the header has names; the values "
            "past the last named column were dropped. Check the separator under Read options."
        )
    frame = _drop_trailing_empty(frame, report, unnamed=not header)
    if not header:
        frame = _number_columns(frame)
        report.warnings.append(
            f"'{name}' has no header row: its first row holds data like the others, so the "
            f"columns are named column_1 to column_{frame.shape[1]}. If the first row does "
            "name the columns, choose 'First row is a header: yes' under Read options "
            "(inspect: --header yes)."
        )
    return frame, report


def _number_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Name the columns of a table read without a header row column_1, column_2, …"""
    frame.columns = [f"column_{position}" for position in range(1, frame.shape[1] + 1)]
    return frame


def _read_excel(
    content: bytes, name: str, options: ReadOptions, limits: HostLimits
) -> tuple[pd.DataFrame, ReadReport]:
    rows, sheets, sheet = workbook.read_sheet(content, name, options.sheet, limits)
    header = options.header is not False  # detected in text files only
    if not rows:
        raise DataError(f"'{name}' has no values in sheet '{sheet}'. Choose a sheet of data.")
    # The parser pandas' own read_excel hands a sheet's rows to: the same types and markers.
    frame = TextParser(
        rows,
        header=0 if header else None,
        na_values=list(options.na_values),
        keep_default_na=False,
        skip_blank_lines=False,
    ).read()
    if not header:
        frame = _number_columns(frame)
    report = ReadReport(
        name=name, kind="excel", rows=0, columns=0, sheets=sheets, sheet=sheet, header=header
    )
    if len(sheets) > 1:
        report.warnings.append(
            f"'{name}' has {len(sheets)} sheets ({_names(sheets)}); reading '{sheet}'. "
            "Pick another sheet under Read options."
        )
    return frame, report


def _marked_encoding(content: bytes) -> str | None:
    """The encoding a byte-order mark at the start names (Excel's "Unicode text" is UTF-16)."""
    return next((codec for mark, codec in BYTE_ORDER_MARKS if content.startswith(mark)), None)


def _decode(content: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode with the given encoding, else UTF-8 (dropping a BOM), else Latin-1."""
    if encoding:
        try:
            return content.decode(_python_codec(encoding)), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise DataError(
                f"The file cannot be read as {encoding}. Choose another encoding. ({error})"
            ) from error
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def _python_codec(encoding: str) -> str:
    # A BOM must not end up in the first column's name.
    return "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding


def _looks_binary(text: str) -> bool:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return control > max(2, len(text) // 20)


def split_lines(lines: list[str], delimiter: str) -> list[list[str]]:
    """Split text lines into fields as a CSV reader does; runs of whitespace for WHITESPACE.

    A quoted field that never closes would gather the following lines into one field,
    past the csv module's field limit: the lines are then split one by one.
    """
    if delimiter == WHITESPACE:
        lines = [" ".join(line.split()) for line in lines]
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return [next(csv.reader([line], delimiter=delimiter), []) for line in lines]


def sniff_delimiter(lines: list[str]) -> str:
    """Pick the separator among , ; tab | and whitespace that splits the lines most consistently.

    A candidate scores by how many lines share its most common field count
    (more than one field); ties go to the candidate giving more fields. A file
    no candidate splits is one column, read with a comma. Whitespace wins only
    where no other candidate splits the lines, or where the other's fields are
    themselves columns aligned with runs of spaces (UCI's auto-mpg: one tab
    before the car's name): a tab-separated file with "New York" in a column
    stays tab-separated.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        if delimiter == WHITESPACE:
            continue
        score = _split_score(split_lines(lines, delimiter))
        if score[1] >= 2 and score > best_score:
            best, best_score = delimiter, score
    spaced = split_lines(lines, WHITESPACE)
    score = _split_score(spaced)
    splits = score[1] >= 2 and len(spaced[0]) == score[1] and score > best_score
    if splits and (best_score == (0, 0) or _padded(split_lines(lines, best))):
        return WHITESPACE
    return best


def _split_score(rows: list[list[str]]) -> tuple[int, int]:
    """(lines sharing the commonest field count, that count)."""
    fields, agreeing = Counter(len(row) for row in rows).most_common(1)[0]
    return agreeing, fields


def _padded(rows: list[list[str]]) -> bool:
    """True when most rows hold a field with runs of spaces inside, as aligned columns do."""
    padded = sum(any(_PADDING.search(value.strip()) for value in row) for row in rows)
    return padded > len(rows) / 2


def sniff_decimal(lines: list[str], delimiter: str) -> str:
    """Return ',' when numbers are written with a decimal comma, else '.'."""
    if delimiter == ",":
        return "."
    comma = point = 0
    for row in split_lines(lines, delimiter):
        for value in row:
            value = value.strip()
            comma += bool(_DECIMAL_COMMA.match(value))
            point += bool(_DECIMAL_POINT.match(value))
    return "," if comma > point else "."


def sniff_header(rows: list[list[str]], na_values: tuple[str, ...], decimal: str) -> bool:
    """True unless every telling cell of the first row looks like data of its column.

    A cell tells when its column holds values below it: in a column of numbers, a
    number looks like data and a name does not; in a column of text, data is a value
    that recurs below it (``Iris-setosa``), which a name does not do. A text column with
    a distinct value on most rows (names) and missing cells tell nothing. A first row
    that tells nothing is taken as a header, as before.
    """
    if len(rows) < 2:
        return True
    first, body = rows[0], rows[1:]
    missing = set(na_values)
    verdicts = []
    for position, cell in enumerate(first):
        cell = cell.strip()
        values = [row[position].strip() for row in body if len(row) > position]
        values = [value for value in values if value not in missing]
        if cell in missing or not values:
            continue
        if all(_is_number(value, decimal) for value in values):
            verdicts.append(_is_number(cell, decimal))
        elif len(set(values)) <= len(values) / 2:
            verdicts.append(cell in values)
    return not verdicts or not all(verdicts)


def _is_number(text: str, decimal: str) -> bool:
    try:
        float(text.replace(",", ".") if decimal == "," else text)
    except ValueError:
        return False
    return True


def _markers_seen(rows: list[list[str]], markers: tuple[str, ...]) -> list[str]:
    """Missing-value markers that occur in the sniffed rows, most frequent first."""
    wanted = set(markers)
    found: Counter[str] = Counter()
    for row in rows:
        found.update(value.strip() for value in row if value.strip() in wanted)
    return [marker for marker, _ in found.most_common()]


def _ragged_message(name: str, error: str, delimiter: str) -> str:
    quote = _OPEN_QUOTE.search(error)
    if quote:
        return (
            f"'{name}' has a quote (\") that opens on line {int(quote.group(1)) + 1} and never "
            "closes, so the rest of the file would be one value. Close or remove that quote."
        )
    match = _RAGGED.search(error)
    where = (
        f"line {match.group(2)} has {match.group(3)} fields where the header has {match.group(1)}"
        if match
        else "its rows do not all have the same number of fields"
    )
    label = DELIMITERS.get(delimiter, repr(delimiter))
    return (
        f"'{name}' could not be read as a {label}-separated table: {where}. "
        "Check the separator under Read options, fix that line, or tick 'Skip malformed rows'."
    )


def _drop_trailing_empty(frame: pd.DataFrame, report: ReadReport, unnamed: bool) -> pd.DataFrame:
    """Drop empty columns without a name at the end: a separator ending every line makes one.

    Args:
        unnamed: every column is unnamed (a file without a header row).
    """
    dropped = 0
    while frame.shape[1] > 1 and frame.iloc[:, -1].isna().all():
        last = str(frame.columns[-1]).strip()
        if not (unnamed or not last or last.startswith("Unnamed:")):
            break
        frame = frame.iloc[:, :-1]
        dropped += 1
    if dropped:
        report.warnings.append(
            f"The lines of '{report.name}' end with a separator, which made {dropped} empty "
            "column(s) without a name at the end; they were dropped."
        )
    return frame


def _tidy_columns(frame: pd.DataFrame, report: ReadReport) -> pd.DataFrame:
    """Strip names, name blank headers, and make repeated names unique (with a warning)."""
    names = []
    for position, raw in enumerate(frame.columns, start=1):
        text = str(raw).strip()
        names.append(f"column_{position}" if not text or text.startswith("Unnamed:") else text)
    repeated = [n for n, count in Counter(_base_name(n) for n in names).items() if count > 1]
    if repeated:
        report.warnings.append(
            f"Column name(s) {_names(repeated)} appear more than once; the repeats were renamed "
            "with a suffix (.1, .2). Rename them in the file if they mean different things."
        )
    frame.columns = names
    return frame


def _read_written_numbers(frame: pd.DataFrame, report: ReadReport) -> None:
    """Read columns of numbers written with signs or separators as numbers, in place."""
    for name in frame.columns:
        example = written.example(frame[name])
        numbers = written.as_numbers(frame[name], report.decimal or ".") if example else None
        if numbers is not None:
            frame[name] = numbers
            report.written[name] = example


def _read_long_integers(frame: pd.DataFrame, report: ReadReport) -> None:
    """Keep whole numbers too long for 64 bits (21-digit identifiers) as text, in place.

    pandas leaves them as Python ints in a column of objects, which no later step (nor the
    exported script) reads as numbers; as text they stay exact, as identifiers must.
    """
    long = [
        name
        for name in frame.columns
        if pd.api.types.is_object_dtype(frame[name])
        and pd.api.types.infer_dtype(frame[name], skipna=True) == "integer"
    ]
    for name in long:
        frame[name] = frame[name].map(lambda value: value if pd.isna(value) else str(value))
        frame[name] = frame[name].astype("str")
    if long:
        report.warnings.append(
            f"Column(s) {_names(long)} hold whole numbers too long to compute with (more "
            "than 19 digits), such as identifiers; they are kept as text."
        )


def _base_name(name: str) -> str:
    # pandas renames a repeated header 'x' to 'x.1'.
    return re.sub(r"\.\d+$", "", name)


def _check_shape(frame: pd.DataFrame, name: str, limits: HostLimits) -> None:
    rows, columns = frame.shape
    if rows == 0:
        raise DataError(
            f"'{name}' has a header but no data rows. Add rows of data below the header."
        )
    if rows == 1:
        raise DataError(
            f"'{name}' has a single data row. A network learns from many examples: "
            "use a table with at least a few dozen rows."
        )
    if columns < 2:
        raise DataError(
            f"'{name}' has a single column ('{frame.columns[0]}'). A model needs input columns and "
            "a column to predict. If the file has more, pick its separator under Read options."
        )
    if rows > limits.max_rows:
        raise DataError(
            f"'{name}' has {rows:,} rows; this server accepts up to {limits.max_rows:,} rows. "
            "Upload a sample of the rows."
        )
    if rows * columns > limits.max_cells:
        raise DataError(
            f"'{name}' has {rows:,} rows x {columns:,} columns, {rows * columns:,} values; this "
            f"server accepts up to {limits.max_cells:,}. Upload a sample of the rows or fewer "
            "columns."
        )
    if columns > limits.max_columns:
        raise DataError(
            f"'{name}' has {columns:,} columns; this server accepts up to {limits.max_columns:,} columns. "
            "Keep the columns you need."
        )


def stack_tables(
    tables: list[tuple[str, pd.DataFrame]],
    column: str = "source",
    labels: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Stack tables that share their columns, adding a column naming each row's origin.

    Args:
        tables: (name, table) pairs.
        column: the name of the new column.
        labels: the value to write for each name; the name itself when omitted.

    Raises:
        DataError: the tables do not have the same columns, or the new name is taken.
    """
    first_name, first = tables[0]
    for name, table in tables[1:]:
        if set(table.columns) != set(first.columns):
            missing = sorted(set(first.columns) - set(table.columns))
            extra = sorted(set(table.columns) - set(first.columns))
            details = "; ".join(
                part
                for part in (
                    f"missing {_names(missing)}" if missing else "",
                    f"extra {_names(extra)}" if extra else "",
                )
                if part
            )
            raise DataError(
                f"Only files with the same columns can be stacked: '{name}' differs from "
                f"'{first_name}' ({details}). Upload files with matching headers."
            )
    if column in first.columns:
        raise DataError(
            f"The files already have a column named '{column}', so the stacked table cannot add one."
        )
    parts = [
        table[list(first.columns)].assign(**{column: (labels or {}).get(name, name)})
        for name, table in tables
    ]
    return pd.concat(parts, ignore_index=True)


def load_files(
    files: list[tuple[str, bytes]],
    options: ReadOptions | None = None,
    stack_column: str = "source",
    stack_labels: dict[str, object] | None = None,
    limits: HostLimits | None = None,
) -> tuple[pd.DataFrame, list[ReadReport]]:
    """Read one or several files; several are stacked with a column naming each row's file.

    Args:
        files: (file name, bytes) pairs, in the order to stack them.
        options: read settings shared by every file.
        stack_column: the column that names each row's file when stacking.
        stack_labels: the value written for each file name; the name itself when omitted.
        limits: host caps, checked per file and on the stacked table.

    Raises:
        DataError: a file cannot be read, or the files do not share their columns.
    """
    if not files:
        raise DataError("No file was given. Upload a CSV, TSV, TXT or XLSX file.")
    limits = limits or load_limits()
    tables, reports = [], []
    for name, content in files:
        frame, report = read_table(content, name, options, limits)
        tables.append((name, frame))
        reports.append(report)
    if len(tables) == 1:
        return tables[0][1], reports
    stacked = stack_tables(tables, stack_column, stack_labels)
    _check_shape(stacked, "the stacked table", limits)
    return stacked, reports


def _names(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
