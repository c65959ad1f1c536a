"""builder/tables/data.py on every sample file and on a generated corpus of bad files."""

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from builder.config import HostLimits
from builder.errors import DataError
from builder.tables.data import ReadOptions, load_files, read_table, sniff_decimal, sniff_delimiter
from tests.corpus import BAD_FILES, TOO_BIG, TOO_MANY_COLUMNS, TOO_MANY_ROWS, workbook

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

# Shapes and separators as recorded in sample_data/SOURCES.md.
SAMPLE_SHAPES = {
    "winequality-red.csv": ((1599, 12), ";"),
    "winequality-white.csv": ((4898, 12), ";"),
    "pima-indians-diabetes.csv": ((768, 9), ","),
    "iris.csv": ((150, 5), ","),
    "titanic.csv": ((891, 12), ","),
    "hourly_wages.csv": ((534, 10), ","),
    "digits.csv": ((1797, 65), ","),
}


@pytest.mark.parametrize("file_name", sorted(SAMPLE_SHAPES))
def test_every_sample_file_reads_with_its_documented_shape(file_name):
    frame, report = read_table((SAMPLE_DIR / file_name).read_bytes(), file_name)
    shape, separator = SAMPLE_SHAPES[file_name]
    assert frame.shape == shape
    assert report.delimiter == separator
    assert report.encoding == "utf-8"
    assert report.decimal == "."


def test_sample_files_match_the_checksums_in_sources():
    sources = (SAMPLE_DIR / "SOURCES.md").read_text()
    recorded = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})\s+(\S+)$", sources, re.M)
    )
    assert set(recorded) == set(SAMPLE_SHAPES)
    for name, digest in recorded.items():
        assert hashlib.sha256((SAMPLE_DIR / name).read_bytes()).hexdigest() == digest


def test_wine_header_quotes_are_removed_and_values_are_numbers():
    frame, _ = read_table((SAMPLE_DIR / "winequality-red.csv").read_bytes(), "red.csv")
    assert frame.columns[0] == "fixed acidity"
    assert pd.api.types.is_float_dtype(frame["alcohol"])


def test_titanic_missing_ages_are_missing_not_text():
    frame, report = read_table((SAMPLE_DIR / "titanic.csv").read_bytes(), "titanic.csv")
    assert frame["Age"].isna().sum() == 177
    assert frame["Cabin"].isna().sum() == 687
    assert "" in report.na_found
    assert frame.loc[0, "Name"] == "Braund, Mr. Owen Harris"


def test_stacking_two_files_adds_a_column_naming_the_source():
    red = (SAMPLE_DIR / "winequality-red.csv").read_bytes()
    white = (SAMPLE_DIR / "winequality-white.csv").read_bytes()
    frame, reports = load_files([("red.csv", red), ("white.csv", white)], stack_column="colour")
    assert frame.shape == (1599 + 4898, 13)
    assert frame["colour"].value_counts().to_dict() == {"white.csv": 4898, "red.csv": 1599}
    assert len(reports) == 2


def test_stacking_files_with_different_columns_names_the_difference():
    with pytest.raises(DataError, match=r"differs from 'a.csv' \(missing 'y'; extra 'z'\)"):
        load_files([("a.csv", b"x,y\n1,2\n3,4\n"), ("b.csv", b"x,z\n1,2\n3,4\n")])


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("a;b;c\n1;2;3\n4;5;6", ";"),
        ("a\tb\n1\t2\n3\t4", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name,note\n"Smith; J",x\n"Doe; A",y', ","),
        ("email\nann@x.org\nbob@y.org", ","),
    ],
)
def test_separator_is_chosen_by_consistent_field_counts(text, separator):
    assert sniff_delimiter(text.splitlines()) == separator


def test_decimal_comma_is_detected_and_read_as_numbers():
    content = "länge;breite\n1,5;2,25\n3,0;4,75\n5,5;6,0\n".encode()
    frame, report = read_table(content, "komma.csv")
    assert report.delimiter == ";"
    assert report.decimal == ","
    assert frame["breite"].tolist() == [2.25, 4.75, 6.0]
    assert sniff_decimal(["1.5;2"], ";") == "."


def test_latin1_and_bom_files_are_decoded():
    latin = "ville;température\nMontréal;-3,5\nSète;18,0\n".encode("latin-1")
    frame, report = read_table(latin, "latin.csv")
    assert report.encoding == "latin-1"
    assert list(frame.columns) == ["ville", "température"]
    assert frame["ville"].tolist() == ["Montréal", "Sète"]
    bom = "\ufeffid,value\n1,2\n3,4\n".encode()
    frame, report = read_table(bom, "bom.csv")
    assert report.encoding == "utf-8"
    assert list(frame.columns) == ["id", "value"]


@pytest.mark.parametrize("marker", ["", "NA", "N/A", "?"])
def test_missing_value_markers_keep_a_column_numeric(marker):
    content = f"a,b\n1,{marker}\n2,3.5\n4,5\n".encode()
    frame, report = read_table(content, "markers.csv")
    assert pd.api.types.is_float_dtype(frame["b"])
    assert frame["b"].isna().sum() == 1
    assert report.na_found == [marker]


def test_user_markers_and_overrides_are_honoured():
    content = b"a;b\n1;-999\n2;3\n4;5\n"
    frame, _ = read_table(content, "codes.txt", ReadOptions(na_values=("-999",)))
    assert frame["b"].isna().sum() == 1
    frame, _ = read_table(b"a,b;c\n1,2;3\n4,5;6\n", "x.csv", ReadOptions(delimiter=";"))
    assert list(frame.columns) == ["a,b", "c"]


def test_excel_workbook_reads_the_chosen_sheet():
    content = workbook({"one": [["x", "y"], [1, 2], [3, 4]], "two": [["p", "q"], [5, 6], [7, 8]]})
    frame, report = read_table(content, "book.xlsx")
    assert list(frame.columns) == ["x", "y"] and report.sheets == ["one", "two"]
    frame, report = read_table(content, "book.xlsx", ReadOptions(sheet="two"))
    assert list(frame.columns) == ["p", "q"] and report.sheet == "two"
    with pytest.raises(DataError, match="has no sheet 'three'"):
        read_table(content, "book.xlsx", ReadOptions(sheet="three"))


def test_skip_bad_lines_drops_ragged_rows():
    content = b"a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n"
    frame, _ = read_table(content, "ragged.csv", ReadOptions(skip_bad_lines=True))
    assert frame["a"].tolist() == [1, 9]


@pytest.mark.parametrize("case", BAD_FILES, ids=lambda c: c.name)
def test_bad_files_get_a_specific_message(case):
    if case.usable:
        _, report = read_table(case.content, case.name)
        assert any(case.says in warning for warning in report.warnings), report.warnings
    else:
        with pytest.raises(DataError, match=re.escape(case.says)):
            read_table(case.content, case.name)


@pytest.mark.parametrize(
    ("case", "limits"),
    [
        (TOO_BIG, HostLimits(max_upload_mb=1)),
        (TOO_MANY_ROWS, HostLimits(max_rows=20)),
        (TOO_MANY_COLUMNS, HostLimits(max_columns=10)),
    ],
    ids=["bytes", "rows", "columns"],
)
def test_files_over_the_host_caps_are_refused(case, limits):
    with pytest.raises(DataError, match=re.escape(case.says)):
        read_table(case.content, case.name, limits=limits)
