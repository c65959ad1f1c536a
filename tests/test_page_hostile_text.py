"""A table whose file name, column names and class values are Markdown, HTML and Plotly
template injections, and a crafted preset link: every page shows them as literal text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from ui.text import literal, unescaped

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "![x](http://127.0.0.9/x.png)"
LINK = "[Log in again here](http://127.0.0.9/)"
ANCHOR = "<a href=//127.0.0.9>x</a>"
IMG_TAG = "<img src=x onerror=alert(1)>"
FIELD = "%{x}"
FILE_NAME = f"{LINK} {IMAGE}.csv"
# Widgets whose options Streamlit shows as plain text; every other label, option, help,
# message and heading is Markdown.
PLAIN_OPTIONS = {"selectbox", "multiselect", "select_slider"}
PLAIN_ELEMENTS = {"code", "text", "arrow_data_frame", "plotly_chart", "json", "exception"}


def hostile_table(rows: int = 60) -> bytes:
    """Numeric columns named as injections; a text column and the target holding them."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            IMAGE: rng.normal(size=rows).round(3),
            ANCHOR: rng.normal(size=rows).round(3),
            FIELD: rng.normal(size=rows).round(3),
            LINK: [[IMG_TAG, "www.127.0.0.9.example", "plain"][i % 3] for i in range(rows)],
        }
    )
    frame[IMG_TAG] = np.where(frame[IMAGE] + frame[ANCHOR] > 0, LINK, IMAGE)
    return frame.to_csv(index=False).encode()


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every string Streamlit renders as Markdown on the page."""
    found = []
    for node in at._tree:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind in PLAIN_ELEMENTS or not isinstance(proto, Message):
            continue
        for field, value in proto.ListFields():
            names = {"body", "label", "help", "delta", "caption"}
            if kind not in PLAIN_OPTIONS:
                names |= {"options", "captions"}
            if field.name not in names:
                continue
            values = (
                value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]
            )
            found += [(kind, v) for v in values if isinstance(v, str)]
    return found


def unsafe(text: str) -> list[str]:
    """Markdown, HTML or autolink syntax in ``text`` that would not show as its characters."""
    patterns = [
        r"(?<!\\)!(?<!\\)\[",  # an image
        r"(?<!\\)\]\(",  # a link
        r"(?<!\\)<(?:a|img)\b",  # raw HTML
        r"(?i)https?://|www\.",  # an autolink
        r"(?<!\\)%(?<!\\)\{",  # left as is: fine in Markdown, but never from a template
    ]
    return [p for p in patterns if re.search(p, text)]


def assert_literal(at: AppTest) -> list[str]:
    """No exception, and every Markdown text holding users' text shows it literally;
    returns the texts as shown."""
    assert not at.exception, [e.value for e in at.exception]
    shown = []
    for kind, text in markdown_texts(at):
        if "127" in text or "onerror" in text or "{x}" in text:
            assert not unsafe(text), (kind, text, unsafe(text))
        shown.append(unescaped(text))
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        strings = list(_strings(figure))
        assert not [s for s in strings if re.search(r"(?i)<(a|img)\b", s)], chart.proto.spec
    return shown


def _strings(value):
    """Every string in a figure's JSON."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def upload_hostile() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.radio(key="data_source_kind").set_value("upload").run()
    return (
        at.file_uploader(key="data_upload")
        .set_value((FILE_NAME, hostile_table(), "text/csv"))
        .run()
    )


def test_the_data_explore_and_build_pages_show_hostile_names_literally():
    at = upload_hostile()
    shown = assert_literal(at)
    assert literal(FILE_NAME) in [s.value for s in at.subheader]
    assert FILE_NAME in shown
    assert at.selectbox(key="data_target").value == IMG_TAG
    assert any(LINK in text for text in shown)  # the text column, left out or not

    at.switch_page("pages/explore.py").run()
    for tab in ["Summary", "Distributions", "Relationships", "Checks"]:
        at.session_state["explore_tab"] = tab
        at.run()
        assert_literal(at)
    at.session_state["explore_tab"] = "Relationships"
    at.run()
    at.selectbox(key="explore_x").set_value(FIELD).run()
    at.selectbox(key="explore_color").set_value(IMG_TAG).run()
    assert_literal(at)
    scatter = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert scatter["data"][0]["hovertemplate"].startswith("&#37;{x}: %{x}<br>")
    legend = {trace.get("name") for trace in scatter["data"]}
    assert "[Log in again here](http://127.0.0.9/)" in legend  # Plotly shows Markdown as is
    assert "![x](http://127.0.0.9/x.png)" in legend

    at.switch_page("pages/build.py").run()
    assert_literal(at)
    diagram = json.loads(at.get("plotly_chart")[-1].proto.spec)
    labels = [a["text"] for a in diagram["layout"]["annotations"]]
    assert "&lt;a href=//127.0.0.9&gt;x&lt;/a&gt;" in labels


def test_a_crafted_preset_link_is_refused_in_literal_text():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["preset"] = f"{LINK}{IMAGE}"
    at.run()
    assert_literal(at)
    (error,) = [e.value for e in at.error]
    assert "could not be opened" in unescaped(error)
    assert f"{LINK}{IMAGE}"[:20] in unescaped(error)
