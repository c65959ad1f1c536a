"""Text from users stays text: the Markdown and Plotly escapes, and CSV cells that a
spreadsheet would run as formulas."""

import csv
import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec
from builder.export import cells
from builder.export.bundle import example_rows, readme
from builder.export.standalone import predict
from builder.plots import charts
from builder.plots.charts_training import comparison_figure
from builder.plots.text import in_template, plain
from builder.tables.profile import class_balance
from ui.text import literal, unescaped

HOSTILE = [
    "![x](http://127.0.0.9/x.png)",
    "[Log in again here](http://127.0.0.9/)",
    "<a href=//127.0.0.9>x</a>",
    "<img src=x onerror=alert(1)>",
    "%{x}",
    "www.example.com and a@b.co",
    ":red[alarm] :material/home: :smile: $x^2$",
    "**bold** _it_ `code` ~~gone~~ # heading\n---\n> quote\n1. list",
    "&lt; &amp; \\*",
    "C:\\temp\\file.csv",
]
FORMULAS = ['=HYPERLINK("http://127.0.0.9","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_shows_the_characters_themselves(text):
    shown = literal(text)
    assert unescaped(shown) == text
    # Every ASCII punctuation mark is escaped: none is left to start Markdown or HTML.
    bare = re.sub(r"\\.", "", shown, flags=re.S)
    assert not re.search(r"[!-/:-@\[-`{-~]", bare), bare
    # GitHub-flavoured autolinks and Streamlit's emoji need these right after ':', '@', 'www'.
    assert not re.search(r"(?i)https?\\:\\/|www\\\.|\\@[a-z]|\\:[a-z]", shown)


def test_literal_leaves_plain_words_alone():
    assert literal("Survived") == "Survived"
    assert literal(3.5) == "3\\.5"


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_leaves_plotly_no_tag_and_no_template_field(text):
    assert "<" not in plain(text) and ">" not in plain(text)
    assert "%{" not in in_template(text)
    # Plotly draws the entities back as the characters.
    drawn = in_template(text).replace("&#37;", "%").replace("&lt;", "<").replace("&gt;", ">")
    assert drawn.replace("&amp;", "&") == text


def test_chart_titles_axes_categories_and_legends_are_plain():
    hostile = "<a href=//127.0.0.9>x</a>"
    balance = class_balance(pd.Series([hostile] * 5 + ["<b>b</b>"] * 3))
    fig = charts.class_balance_bar(balance, hostile)
    shown = [fig.layout.title.text, fig.layout.xaxis.title.text, *fig.data[0].x]
    assert all("<" not in text for text in shown), shown
    assert fig.data[0].x[0] == "&lt;a href=//127.0.0.9&gt;x&lt;/a&gt;"


def test_neutral_prefixes_formulas_and_restore_undoes_it():
    for value in [*FORMULAS, " =1+1", "'=1", '"@x', "'abc", "plain", "", "-"]:
        written = cells.neutral(value)
        assert cells.restore(written) == value
        if re.match(r"[\s\"']*[=+\-@\t\r]", value):
            assert written == "'" + value
        else:
            assert written == value
    assert cells.neutral(-1.5) == -1.5 and cells.neutral(None) is None


def test_csv_bytes_changes_text_cells_and_names_only():
    frame = pd.DataFrame(
        {
            "=cmd|' /C calc'!A0": FORMULAS,
            "amount": [-1.5, 2.0, -3.0, 4.0, 5.0, -6.0],
            "class": pd.Categorical(["@a", "b", "+c", "d", "e", "f"]),
        }
    )
    rows = list(csv.reader(io.StringIO(cells.csv_bytes(frame).decode(), newline="")))
    assert rows[0] == ["'=cmd|' /C calc'!A0", "amount", "class"]
    assert [row[0] for row in rows[1:]] == ["'" + value for value in FORMULAS]
    assert [row[1] for row in rows[1:]] == ["-1.5", "2.0", "-3.0", "4.0", "5.0", "-6.0"]
    assert [row[2] for row in rows[1:]] == ["'@a", "b", "'+c", "d", "e", "f"]
    read = pd.read_csv(io.BytesIO(cells.csv_bytes(frame)))
    assert read["amount"].dtype.kind == "f"  # numbers stay numbers
    assert [cells.restore(v) for v in read.iloc[:, 0]] == FORMULAS


def test_predict_py_has_the_apps_rule():
    assert predict.FORMULA.pattern == cells.FORMULA.pattern
    frame = pd.DataFrame({"@name": [*FORMULAS, "ok"], "x": [-1, 2, 3, 4, 5, 6, 7]})
    assert predict.neutralised(frame).equals(cells.neutralised(frame))


def test_the_bundles_example_rows_are_neutralised():
    frame = pd.DataFrame({"city": ['=HYPERLINK("http://127.0.0.9")', "Oslo"], "t": [-4, 3]})
    result = {"test_rows": [0, 1], "prep": {"columns": ["city", "t"]}}
    rows = list(csv.reader(io.StringIO(example_rows(frame, result).decode(), newline="")))
    assert rows == [["city", "t"], ['\'=HYPERLINK("http://127.0.0.9")', "-4"], ["Oslo", "3"]]


def test_the_bundles_readme_writes_users_names_as_text():
    hostile = "![x](http://127.0.0.9/x.png) `code` [Log in again here](http://127.0.0.9/)"
    experiment = preset_experiment("iris")
    experiment.data = DataSpec(source="upload", title=hostile, files=[f"{hostile}.csv"])
    experiment.data.target = hostile
    result = {
        "metrics": {"test": {"accuracy": 0.9}},
        "prep": {"columns": [hostile, "<img src=x onerror=alert(1)>"]},
        "task": "binary",
        "classes": [hostile, "b"],
        "epochs_run": 3,
        "ended": "finished",
    }
    text = readme("run-1", experiment, result, {"predict.py": b""}, with_data=False)
    for markup in (r"(?<!\\)\]\(", r"(?<!\\)<img", r"https?://", r"(?<!\\)`code"):
        assert not re.search(markup, text), markup
    assert hostile in unescaped(text)


def test_tables_offer_no_csv_export_of_their_own():
    """Streamlit's table toolbar writes cells raw; the app's own downloads neutralise them."""
    config = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text())["client"]["disableDataExport"] is True


def test_a_students_name_is_plain_text_in_the_board_legend():
    history = [{"epoch": 1, "val_loss": 0.9}, {"epoch": 2, "val_loss": 0.7}]
    name = '<a href="http://127.0.0.9/">Log in again here</a> · run 1'
    fig = comparison_figure([(name, history), ("Ada · run 2", history)], "val_loss")
    assert [trace.name for trace in fig.data] == [
        '&lt;a href="http://127.0.0.9/"&gt;Log in again here&lt;/a&gt; · run 1',
        "Ada · run 2",
    ]
