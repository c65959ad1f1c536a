"""A generated corpus of files a user might upload, with what the app must say about each."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from openpyxl import Workbook


@dataclass(frozen=True)
class Case:
    """One uploaded file and the words the user must see: an error, or a warning when usable."""

    name: str
    content: bytes
    says: str
    usable: bool


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx file holding the given sheets of rows."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _garbage(size: int = 4096) -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(size))


def _rows(count: int, columns: int = 3) -> bytes:
    header = ",".join(f"c{i}" for i in range(columns))
    body = "\n".join(",".join(str(r * columns + c) for c in range(columns)) for r in range(count))
    return f"{header}\n{body}\n".encode()


BAD_FILES = [
    Case("empty.csv", b"", "is empty (0 bytes)", False),
    Case("garbage.csv", _garbage(), "does not look like a text table", False),
    Case("blank.csv", b"\n\n  \n", "only blank lines", False),
    Case("header_only.csv", b"a,b,c\n", "header but no data rows", False),
    Case("one_row.csv", b"a,b,c\n1,2,3\n", "single data row", False),
    Case("one_column.csv", b"email\nann@x.org\nbob@y.org\ncy@z.org\n", "single column", False),
    Case(
        "ragged.csv",
        b"a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n",
        "has 5 fields where the header has 3",
        False,
    ),
    Case("duplicate_names.csv", b"a,b,a\n1,2,3\n4,5,6\n7,8,9\n", "appear more than once", True),
    Case("all_missing.csv", b"a,b,c\n1,,3\n4,,6\n7,NA,9\n", "have no values at all", True),
    Case("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel 97-2003", False),
    Case(
        "broken.xlsx",
        b"PK\x03\x04 not really a zip",
        "could not be opened as an Excel workbook",
        False,
    ),
    Case(
        "sheets.xlsx",
        workbook({"first": [["x", "y"], [1, 2], [3, 4]], "second": [["p", "q"], [5, 6], [7, 8]]}),
        "has 2 sheets",
        True,
    ),
]

TOO_BIG = Case(
    "big.csv", b"a,b\n" + b"1,2\n" * 300_000, "this server accepts files up to 1 MB", False
)
TOO_MANY_ROWS = Case("rows.csv", _rows(40), "this server accepts up to 20 rows", False)
TOO_MANY_COLUMNS = Case(
    "wide.csv", _rows(5, columns=30), "this server accepts up to 10 columns", False
)
