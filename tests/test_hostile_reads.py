"""Uploads built to hurt: each is read quickly, within the caps, or refused with a sentence."""

import dataclasses
import re
import resource
import time

import pandas as pd
import pytest

from builder.config import load_limits
from builder.errors import DataError
from builder.experiment.spec import DataSpec, Experiment
from builder.export.codegen import training_script
from builder.tables import written
from builder.tables.bounded import load_files_bounded, read_with_usage
from builder.tables.columns import default_exclusions
from builder.tables.data import ReadOptions, load_files, read_table
from tests import hostile
from tests.apptest_helpers import texts
from tests.test_page_data import upload
from tests.test_script import ROOT, _run_blocks


def test_a_cell_of_a_sign_and_32000_spaces_reads_at_once():
    content = hostile.backtracking_csv()
    started = time.perf_counter()
    frame, _ = read_table(content, "spaces.csv")
    assert time.perf_counter() - started < 1.0  # the old pattern took about a minute
    assert frame.shape == (4, 2) and frame["price"].iloc[3] == "1"
    for decimal in ".,":
        for cell in (
            "+" + " " * 32_000 + "x",
            "$" + " " * 32_000 + "+x",
            "1" + " 000" * 8000 + "x",
        ):
            started = time.perf_counter()
            assert not re.fullmatch(written.written_pattern(decimal), cell)
            assert not written.ANY_WRITTEN.fullmatch(cell)
            assert time.perf_counter() - started < 0.5


def _peak_allowance_mb() -> float:
    """The child's peak counts the server's pages it shares: allow those plus 150 MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + 150


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (hostile.claims_whole_sheet, "holds a value in row 1,048,576; this server reads up to"),
        (hostile.far_row, "holds a value in row 99,999,999,999"),
        (hostile.far_column, "holds a value in column 16,384; this server reads up to 500"),
    ],
)
def test_a_sheet_past_the_caps_is_refused_while_reading_with_little_memory(build, says):
    content = build()
    assert len(content) < 2500
    with pytest.raises(DataError, match=re.escape(says)):
        load_files_bounded([("claims.xlsx", content)])
    # The same read, measured: the child's peak memory stays small.
    with pytest.raises(DataError) as raised:
        read_with_usage([("claims.xlsx", content)])
    assert raised.value.usage.peak_mb < _peak_allowance_mb()


def test_the_sheet_claiming_every_cell_is_read_within_the_caps_when_they_allow_it():
    # Caps raised to the sheet's claim: the read still holds only the values it found.
    limits = dataclasses.replace(load_limits(), max_rows=2_000_000, max_columns=20_000)
    with pytest.raises(DataError, match=r"1,048,576 rows x 16,384 columns; this server reads"):
        read_with_usage([("claims.xlsx", hostile.claims_whole_sheet())], limits=limits)
    (frame, _), usage = read_with_usage([("end.xlsx", hostile.formatted_last_row())])
    assert frame.shape == (3, 2) and frame["y"].tolist() == [4, 6, 8]
    assert usage.peak_mb < _peak_allowance_mb()


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (hostile.entity_bomb, "its part 'xl/sharedStrings.xml' declares XML entities"),
        (hostile.malformed_xml, "its XML is malformed"),
        (hostile.corrupt_deflate, "its compressed data is damaged or cut short"),
        (hostile.string_out_of_range, "it points at parts or shared text that are not in the file"),
    ],
)
def test_a_damaged_workbook_gives_a_sentence(build, says):
    with pytest.raises(DataError, match=re.escape(says)) as raised:
        read_table(build(), "book.xlsx")
    assert str(raised.value).endswith("save it again as .xlsx or CSV, and upload that.")
    with pytest.raises(DataError, match=re.escape(says)):
        load_files_bounded([("book.xlsx", build())])


def test_long_identifiers_stay_text_and_huge_values_are_numbers():
    rows = "".join(f"{123456789012345678901 + i},{i % 2},{1.5e21 * (i + 1)}\n" for i in range(30))
    frame, report = read_table(f"id,label,big\n{rows}".encode(), "ids.csv")
    assert frame["id"].iloc[0] == "123456789012345678901"
    assert frame["big"].dtype == "float64" and frame["big"].iloc[1] == 3e21
    assert any("more than 19 digits" in warning for warning in report.warnings)
    assert not report.written
    assert "identifier" in default_exclusions(frame, "label")["id"].reason


def test_utf16_chosen_for_an_ordinary_csv_says_to_choose_another_encoding():
    content = b"a,b,c\n" + b"".join(f"{i},{i % 2},{i * 3}\n".encode() for i in range(30))
    for size in (len(content), len(content) + 1):  # UTF-16 decodes an even length to nonsense
        with pytest.raises(DataError, match="is not utf-16 text: it does not start with"):
            read_table(
                content[:size] + b"\n" * (size - len(content)),
                "x.csv",
                ReadOptions(encoding="utf-16"),
            )


def test_a_number_with_a_line_break_in_its_quotes_keeps_the_script_valid(tmp_path, monkeypatch):
    rows = "".join(f'"{10 + i}\n%",{i % 2}\n' for i in range(30))
    content = f'"rate\nof ""tax""",y\n{rows}'.encode()
    frame, reports = load_files([("rates.csv", content)])
    assert frame.columns[0] == 'rate\nof "tax"'
    assert reports[0].written and frame.iloc[:, 0].tolist()[:2] == [10.0, 11.0]
    spec = DataSpec(source="upload", title="rates.csv", files=["rates.csv"], target="y")
    experiment = Experiment(name="rates", data=spec)
    compile(training_script(experiment, frame, reports), "train.py", "exec")
    (tmp_path / "rates.csv").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    pd.testing.assert_frame_equal(_run_blocks(experiment, frame, reports)["df"], frame)


def test_a_read_past_the_memory_or_time_cap_stops_with_the_cap_named():
    big = b"a,b,c\n" + b"1.5,2.25,3\n" * 4_000_000
    roomy = dataclasses.replace(load_limits(), max_upload_mb=100, max_rows=10_000_000)
    small = dataclasses.replace(roomy, read_memory_mb=100)
    with pytest.raises(DataError, match="needed more than 100 MB of memory, this server's limit"):
        load_files_bounded([("big.csv", big)], limits=small)
    quick = dataclasses.replace(roomy, read_seconds=1)
    # On a busy machine the wall-clock allowance (3 s) may run out before the CPU second.
    with pytest.raises(DataError, match=r"(computing|longer than 3 s), this server's limit"):
        load_files_bounded([("big.csv", big)], limits=quick)


def test_samples_read_alike_in_and_out_of_process():
    files = [("titanic.csv", (ROOT / "sample_data" / "titanic.csv").read_bytes())]
    (frame, reports), usage = read_with_usage(files)
    expected, expected_reports = load_files(files)
    pd.testing.assert_frame_equal(frame, expected)
    assert reports == expected_reports and usage.cpu_seconds > 0


def test_the_data_page_shows_a_hostile_workbook_as_a_message():
    at = upload("claims.xlsx", hostile.claims_whole_sheet())
    assert not at.exception
    assert any("holds a value in row 1,048,576" in text for text in texts(at.error))
    at = upload("spaces.csv", hostile.backtracking_csv())
    assert not at.exception
    assert [metric.value for metric in at.metric][:2] == ["4", "2"]
