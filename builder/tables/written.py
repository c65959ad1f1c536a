"""Numbers written as text: "$1,275.74", "12%", "3 500 €", "-£40".

A currency sign, a percent sign or thousands separators make pandas read a column of
numbers as text. Where every value is such a number written the file's way (its decimal
mark, thousands in groups of three), the column is read as numbers: the signs and
separators are dropped and "12%" is 12. Dates (12.03.2024), versions (1.2.3) and
addresses (192.168.1.1) never pass. Values that look like numbers but not the file's way
("1,5" in a file with decimal points) stay text, for the data checks to name.

The exported training script and ``predict.py`` read such columns the same way: the
script with ``cleaning_pattern``, ``predict.py`` with a copy of ``written_pattern`` (a test
keeps the two equal).
"""

from __future__ import annotations

import re

import pandas as pd

SIGNS = "$€£¥"
SAMPLE = 200  # values tried first, so a text column of words is ruled out at once
# No number written as text is longer: a column with a longer value is not tried at all.
LONGEST = 64
# Any decimal mark or grouping: what the data checks call a number written as text.
_ANY_DIGITS = r"\d{1,3}(?:[,.' \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
ANY_WRITTEN = re.compile(rf"[-+]?\s*(?:[{SIGNS}]\s*)?[-+]?(?:{_ANY_DIGITS})\s*[%{SIGNS}]?")


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


def _text_values(series: pd.Series) -> pd.Series | None:
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return None
    # Text only: a column of whole numbers too long for 64 bits is Python ints, not text.
    if pd.api.types.infer_dtype(series, skipna=True) != "string":
        return None
    values = series.dropna().astype(str).str.strip()
    return values if len(values) else None


def _all_match(values: pd.Series, pattern: str | re.Pattern) -> bool:
    if values.str.len().max() > LONGEST:
        return False
    return all(part.str.fullmatch(pattern).all() for part in (values.head(SAMPLE), values))


def as_numbers(series: pd.Series, decimal: str) -> pd.Series | None:
    """The column as numbers when every value is a number written the file's way, else None."""
    values = _text_values(series)
    if values is None or not _all_match(values, written_pattern(decimal)):
        return None
    # As the exported script does it, so both give the same numbers and types.
    cleaned = series.str.replace(cleaning_pattern(decimal), "", regex=True)
    numbers = pd.to_numeric(cleaned.str.replace(decimal, ".", regex=False), errors="coerce")
    # A sign on both sides of the currency sign ("-$-3") is no number: keep the text.
    return numbers if numbers.isna().sum() == series.isna().sum() else None


def example(series: pd.Series) -> str | None:
    """One value of a text column of numbers written as text, any way, else None; it shows
    what made them text (a plain "1,5" is a decimal comma in a file of decimal points)."""
    values = _text_values(series)
    if values is None or not _all_match(values, ANY_WRITTEN):
        return None
    if values.str.fullmatch(r"[-+]?\d+").all():
        return None  # whole numbers too long for 64 bits, kept as text on purpose
    decorated = values[~values.str.fullmatch(_ANY_DIGITS)]
    return str((decorated if len(decorated) else values).iloc[0])
