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


def _without_header(file_name: str) -> bytes:
    return (SAMPLE_DIR / file_name).read_bytes().split(b"\n", 1)[1]


@pytest.mark.parametrize("file_name", sorted(SAMPLE_SHAPES))
def test_header_is_detected_both_ways_on_every_sample(file_name):
    (rows, columns), _ = SAMPLE_SHAPES[file_name]
    _, report = read_table((SAMPLE_DIR / file_name).read_bytes(), file_name)
    assert report.header
    frame, report = read_table(_without_header(file_name), file_name)
    assert not report.header
    assert frame.shape == (rows, columns)  # no patient lost to the header
    assert list(frame.columns[:2]) == ["column_1", "column_2"]
    assert any("has no header row" in warning for warning in report.warnings)
    assert "no header row" in report.describe()


def test_pima_as_the_keras_tutorial_downloads_it_keeps_every_patient():
    frame, _ = read_table(_without_header("pima-indians-diabetes.csv"), "pima.data.csv")
    assert frame.iloc[0].tolist() == [6, 148, 72, 35, 0, 33.6, 0.627, 50, 1]
    assert pd.api.types.is_numeric_dtype(frame["column_2"])


def test_uci_iris_data_without_header_and_with_a_blank_last_line():
    body = _without_header("iris.csv").decode().replace(",setosa", ",Iris-setosa")
    frame, report = read_table((body + "\n").encode(), "iris.data")
    assert frame.shape == (150, 5) and not report.header
    assert frame.loc[0, "column_5"] == "Iris-setosa"


def test_header_override_reads_the_first_row_as_names_or_as_data():
    content = (SAMPLE_DIR / "iris.csv").read_bytes()
    frame, report = read_table(content, "iris.csv", ReadOptions(header=False))
    assert frame.shape == (151, 5) and frame.loc[0, "column_1"] == "sepal_length"
    frame, report = read_table(_without_header("iris.csv"), "iris.data", ReadOptions(header=True))
    assert frame.shape == (149, 5) and report.header and frame.columns[0] == "5.1"


@pytest.mark.parametrize(
    "content",
    [
        b"name,colour,size\n" + b"".join(b"n%d,red,big\n" % i for i in range(10)) + b"n,b,s\n",
        b"colour,size\nred,big\nblue,small\nred,small\nblue,big\n",
        b"id,score\n1,2\n2,NA\n3,4\n",
    ],
    ids=["all-text", "all-text-few-values", "numbers"],
)
def test_real_headers_are_kept(content):
    frame, report = read_table(content, "table.csv")
    assert report.header and not frame.columns[0].startswith("column_")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_excel_unicode_text_utf16_and_utf32_with_a_byte_order_mark(codec):
    text = "city\tpopulation\tnote\r\n" + "".join(
        f"São Paulo {i}\t{1000 + i}\tnúmero {i % 3}\r\n" for i in range(30)
    )
    frame, report = read_table(text.encode(codec), "unicode.txt")
    assert report.encoding == codec and report.delimiter == "\t"
    assert list(frame.columns) == ["city", "population", "note"]
    assert frame.loc[0, "city"] == "São Paulo 0" and frame["population"].sum() == 30 * 1000 + 435


def test_whitespace_aligned_columns_are_detected():
    lines = [
        f'{18 + i % 9:6.1f}{4 + i % 5:4d}{300.5 - i:9.1f}\t"car model {i % 7}"' for i in range(40)
    ]
    frame, report = read_table(("\n".join(lines) + "\n").encode(), "auto-mpg.data")
    assert report.delimiter == " " and "whitespace-separated" in report.describe()
    assert frame.shape == (40, 4) and frame.loc[0, "column_4"] == "car model 0"
    aligned = "  x      y  label\n" + "".join(
        f" {i:3d}  {i * 0.5:5.2f}  {'ab'[i % 2]}\n" for i in range(20)
    )
    frame, report = read_table(aligned.encode(), "aligned.txt")
    assert list(frame.columns) == ["x", "y", "label"] and frame["y"].iloc[-1] == 9.5


def test_tab_separated_text_with_spaces_stays_tab_separated():
    text = "city\tstate\n" + "".join(f"New York\tNew York {i}\n" for i in range(10))
    assert read_table(text.encode(), "cities.tsv")[1].delimiter == "\t"


@pytest.mark.parametrize("header", [b"a,b,c,\n", b""], ids=["with-header", "no-header"])
def test_a_separator_ending_every_line_makes_no_empty_last_column(header):
    content = header + b"".join(b"%d,%d,%d,\n" % (i, i * 2, i % 3) for i in range(30))
    frame, report = read_table(content, "trailing.csv")
    assert frame.shape == (30, 3) and frame.iloc[:, -1].notna().all()
    assert any("end with a separator" in warning for warning in report.warnings)


def test_rows_ending_with_a_separator_under_a_header_without_one_keep_their_columns():
    content = b"a,b,c\n" + b"".join(b"%d,%d,%d,\n" % (i, i * 2, i % 3) for i in range(30))
    frame, _ = read_table(content, "trailing.csv")
    assert list(frame.columns) == ["a", "b", "c"] and frame["a"].tolist() == list(range(30))


def test_a_megabyte_field_is_read_and_an_unclosed_quote_is_explained():
    frame, _ = read_table(b"a,b\n1," + b"x" * 1_000_000 + b"\n2,3\n3,4\n", "long.csv")
    assert frame.shape == (3, 2) and len(frame.loc[0, "b"]) == 1_000_000
    with pytest.raises(DataError, match="opens on line 2 and never closes"):
        read_table(b'a,b\n1,"' + b"x" * 1_000_000 + b"\n2,3\n3,4\n", "quote.csv")
    with pytest.raises(DataError, match="header but no data rows"):
        read_table(b"x" * 1_000_000, "one_line.csv")
