"""Reading one sheet of an .xlsx workbook as a stream, with the host's caps checked per row.

A workbook says how big its sheets are, and a row may carry any number: a 1.6 KB file can
claim 16,384 columns x 1,048,576 rows, or a row numbered 99,999,999,999. Readers that trust
the claim (pandas pads every row to it) fill gigabytes before any cap is checked. Here the
sheet's XML is parsed row by row (openpyxl's own sheet parser, in read-only mode) and
only cells that hold a value count: a row or column past the caps, or more cells than
the cap, stops the read with a message at once.

Before openpyxl sees a part, the zip's declared sizes are checked (the zip reader never
inflates past them) and every XML part is refused if it declares a DOCTYPE: no part of
an .xlsx has one, and entity definitions are what XML bombs are made of.
"""

from __future__ import annotations

import io
import xml.parsers.expat
import zipfile
import zlib
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.worksheet._reader import WorkSheetParser  # the parser read-only sheets use

from builder.config import HostLimits
from builder.errors import DataError

CHUNK = 64 * 1024


class _Doctype(Exception):
    """An XML part declares a DOCTYPE."""


class _Prolog(Exception):
    """The first element started: the prolog, where a DOCTYPE could be, has ended."""


def read_sheet(
    content: bytes, name: str, sheet: str | None, limits: HostLimits
) -> tuple[list[list[object]], list[str], str]:
    """The rows of one sheet, as pandas' own Excel reader hands them to its parser.

    Args:
        content: the workbook's bytes.
        name: the file's name, for messages.
        sheet: the sheet to read; the first when ``None``.
        limits: the caps on rows, columns, cells and unpacked size.

    Returns:
        (rows, the workbook's sheet names, the sheet read). Empty cells are ``""``, error
        cells NaN, whole numbers ``int``; trailing empty rows and cells are dropped and the
        rows padded to one width.

    Raises:
        DataError: the file is no readable workbook, the sheet does not exist, or it breaks
            a cap.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        _check_parts(archive, name, limits)
        # A fresh file object: openpyxl closes what it is given.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except DataError:
        raise
    except MemoryError as error:
        raise _too_big(name, limits) from error
    except Exception as error:  # any flaw of zip, XML or workbook structure: one message
        raise _unreadable(name, error) from error
    try:
        sheets = list(book.sheetnames)
        if not sheets:
            raise DataError(f"'{name}' holds no sheets. Save it again with a sheet of data.")
        chosen = sheet or sheets[0]
        if chosen not in sheets:
            raise DataError(f"'{name}' has no sheet '{chosen}'. Its sheets: {_listed(sheets)}.")
        try:
            rows = _rows(book, book[chosen], name, limits)
        except DataError:
            raise
        except MemoryError as error:
            raise _too_big(name, limits) from error
        except Exception as error:
            raise _unreadable(name, error) from error
    finally:
        book.close()
    return rows, sheets, chosen


def _check_parts(archive: zipfile.ZipFile, name: str, limits: HostLimits) -> None:
    """Refuse a zip that unpacks past the cap, or an XML part with a DOCTYPE."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unzipped_mb * 1024 * 1024:
        raise DataError(
            f"'{name}' unpacks to {unpacked / 1024 / 1024:,.0f} MB; this server reads "
            f"workbooks of up to {limits.max_unzipped_mb} MB unpacked. Save the sheet you "
            "need as CSV, or a sample of its rows, and upload that."
        )
    for info in archive.infolist():
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) and _has_doctype(
            archive, info
        ):
            raise DataError(
                f"'{name}' is not a workbook Excel writes: its part '{info.filename}' declares "
                "XML entities, which can make it unpack without end. Open it in a "
                "spreadsheet program, save it again as .xlsx or CSV, and upload that."
            )


def _has_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the part's prolog declares a DOCTYPE (read only up to its first element)."""
    parser = xml.parsers.expat.ParserCreate()

    def doctype(*_args) -> None:
        raise _Doctype

    def element(*_args) -> None:
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    with archive.open(info) as part:
        try:
            while chunk := part.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Doctype:
            return True
        except (_Prolog, xml.parsers.expat.ExpatError):
            return False  # malformed XML is openpyxl's to refuse, with the plain message
    return False


def _rows(book, sheet, name: str, limits: HostLimits) -> list[list[object]]:
    """Parse the sheet row by row, checking each value's place against the caps."""
    parser = WorkSheetParser(
        sheet._get_source(),
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    last_row, last_column = limits.max_rows + 1, limits.max_columns  # + 1: the header row
    filled: dict[int, dict[int, object]] = {}
    cells = width = 0
    for number, parsed in parser.parse():
        values = {
            cell["column"]: _value(cell) for cell in parsed if cell["value"] not in (None, "")
        }
        if not values:
            continue  # a formatted empty row, wherever it claims to be
        if number > last_row:
            raise _past_cap(name, f"a value in row {number:,}", f"{limits.max_rows:,} rows")
        beyond = max(values)
        if beyond > last_column:
            raise _past_cap(
                name, f"a value in column {beyond:,}", f"{limits.max_columns:,} columns"
            )
        cells += len(values)
        if cells > limits.max_cells:
            raise _past_cap(name, f"more than {limits.max_cells:,} values", "that many")
        width = max(width, beyond)
        filled.setdefault(number, {}).update(values)
    if not filled:
        return []
    height = max(filled)
    if height * width > limits.max_cells:
        raise _past_cap(name, f"{height:,} rows x {width:,} columns", f"{limits.max_cells:,} cells")
    return [
        [filled.get(row, {}).get(column, "") for column in range(1, width + 1)]
        for row in range(1, height + 1)
    ]


def _value(cell: dict) -> object:
    """A cell's value as pandas' openpyxl reader gives it: whole numbers as ``int``."""
    value = cell["value"]
    if cell["data_type"] == "e":
        return float("nan")
    if cell["data_type"] == "n" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _past_cap(name: str, found: str, cap: str) -> DataError:
    return DataError(
        f"'{name}' holds {found}; this server reads up to {cap} of a sheet. "
        "Keep the rows and columns you need (or a sample of the rows) and upload that."
    )


def _too_big(name: str, limits: HostLimits) -> DataError:
    return DataError(
        f"'{name}' needs more than {limits.read_memory_mb:,} MB of memory to read, this "
        "server's limit. Upload a sample of its rows, or save it as CSV."
    )


def _unreadable(name: str, error: Exception) -> DataError:
    return DataError(
        f"'{name}' could not be opened as an Excel workbook: {_flaw(error)}. Open it in a "
        "spreadsheet program, save it again as .xlsx or CSV, and upload that."
    )


def _flaw(error: Exception) -> str:
    """What is wrong with the file, in words, from what the reader ran into."""
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return "its compressed data is damaged or cut short"
    if isinstance(error, ElementTree.ParseError | xml.parsers.expat.ExpatError):
        return "its XML is malformed (damaged, or not written by a spreadsheet program)"
    if isinstance(error, IndexError | KeyError):
        return "it points at parts or shared text that are not in the file"
    return "it is damaged or not written as a spreadsheet program writes one"


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
