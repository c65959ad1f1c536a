"""CSV cells a spreadsheet would run as formulas, neutralised as OWASP recommends.

A text cell (or column name) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, also after leading spaces or quotes, gets one apostrophe in front:
spreadsheets then show it as text. Numbers stay numbers (``-1.5`` in a numeric column is
not touched). The raw value is recoverable: ``restore`` drops that one apostrophe, and
only from cells that still look like a formula after it, so ``'abc`` stays ``'abc``.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA = re.compile(r"[\s\"']*[=+\-@\t\r]")


def neutral(value: object) -> object:
    """A text ``value`` a spreadsheet would run, with an apostrophe in front; else as is."""
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def restore(value: object) -> object:
    """The raw value of a cell ``neutral`` wrote: its one added apostrophe removed."""
    if isinstance(value, str) and value.startswith("'") and FORMULA.match(value[1:]):
        return value[1:]
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are ``neutral``."""
    table = frame.rename(columns=lambda name: neutral(str(name)))
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            table.isetitem(position, column.map(neutral))
    return table


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV without its index, formulas neutralised.

    Lines end with CRLF (RFC 4180): the writer then quotes a cell holding a carriage
    return too, which would otherwise end the row in a spreadsheet.
    """
    return neutralised(frame).to_csv(index=False, lineterminator="\r\n").encode()
