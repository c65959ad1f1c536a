"""The error boundary: an unexpected exception becomes a plain sentence with a reference and
a logged traceback; the app's own errors keep their message; Streamlit's control flow passes."""

import ast
import logging
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import with_sample

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"reference ([0-9a-f]{8})\b")


def _script(body) -> AppTest:
    return AppTest.from_function(body, default_timeout=30).run()


def _page_that_fails():
    import streamlit as st

    from ui import boundary

    st.title("Before")
    with boundary.guard():
        st.write("inside")
        {}["missing"]
        st.write("never")
    st.write("after")


def test_an_unexpected_error_is_a_sentence_with_a_reference_and_a_logged_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="nnb.errors"):
        at = _script(_page_that_fails)
    assert not at.exception
    (error,) = at.error
    assert "Reload the page" in error.value and "KeyError" not in error.value
    reference = REFERENCE.search(error.value).group(1)
    (record,) = [r for r in caplog.records if r.name == "nnb.errors"]
    assert record.levelno == logging.ERROR and reference in record.getMessage()
    assert record.exc_info[0] is KeyError
    assert [m.value for m in at.markdown] == ["inside", "after"]


def _page_with_own_error():
    import streamlit as st

    from builder.errors import DataError
    from ui import boundary

    with boundary.guard():
        raise DataError("The file is empty: choose a file with a header row and data.")
    st.write("after")


def test_the_apps_own_errors_keep_their_message(caplog):
    with caplog.at_level(logging.ERROR, logger="nnb.errors"):
        at = _script(_page_with_own_error)
    assert [e.value for e in at.error] == [
        "The file is empty: choose a file with a header row and data."
    ]
    assert not [r for r in caplog.records if r.name == "nnb.errors"]


def _page_with_control_flow():
    import streamlit as st

    from ui import boundary

    st.session_state.runs = st.session_state.get("runs", 0) + 1
    with boundary.guard():
        if st.session_state.runs == 1:
            st.rerun()
        st.write(f"run {st.session_state.runs}")
        st.stop()
    st.write("not after a stop")


def test_rerun_and_stop_pass_through_the_boundary():
    at = _script(_page_with_control_flow)
    assert not at.exception and not at.error
    assert at.session_state.runs == 2
    assert [m.value for m in at.markdown] == ["run 2"]


def _page_with_fragment_and_callback():
    import streamlit as st

    from ui import boundary

    def fail():
        raise RuntimeError("callback failed")

    @st.fragment
    @boundary.guarded
    def part():
        st.write("fragment")
        raise ValueError("fragment failed")

    with boundary.guard():
        st.button("Go", key="go", on_click=boundary.callback(fail))
        part()
        st.write("page goes on")


def test_fragments_and_callbacks_are_inside_the_boundary(caplog):
    with caplog.at_level(logging.ERROR, logger="nnb.errors"):
        at = _script(_page_with_fragment_and_callback)
        assert not at.exception
        assert len(at.error) == 1 and REFERENCE.search(at.error[0].value)
        assert "page goes on" in [m.value for m in at.markdown]
        at.button(key="go").click().run()
    assert not at.exception
    # The callback's message heads the page; the fragment's stays in its place.
    assert len(at.error) == 2 and all(REFERENCE.search(e.value) for e in at.error)
    kinds = [r.exc_info[0] for r in caplog.records if r.name == "nnb.errors"]
    assert kinds == [ValueError, RuntimeError, ValueError]


def test_a_page_that_fails_in_the_app_leaves_the_sidebar_and_navigation_usable(caplog):
    at = with_sample("iris")
    # A state no page expects (as a bug would leave it): the Data page cannot draw.
    at.session_state["reports"] = 42
    with caplog.at_level(logging.ERROR, logger="nnb.errors"):
        at.switch_page("pages/data.py").run()
    assert not at.exception
    assert any(REFERENCE.search(e.value) for e in at.error)
    assert [r for r in caplog.records if r.name == "nnb.errors"]
    assert "Where you are" in [s.value for s in at.sidebar.subheader]
    at.switch_page("pages/explore.py").run()
    assert not at.exception and not at.error


def _calls(path: Path):
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]


def _is(node, dotted: str) -> bool:
    return isinstance(node, ast.Call) and ast.unparse(node.func) == dotted


def test_every_widget_callback_and_fragment_runs_inside_the_boundary():
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    unguarded = []
    for path in files:
        for call in _calls(path):
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg in ("on_click", "on_change") and not (
                    isinstance(value, ast.Constant) or _is(value, "boundary.callback")
                ):
                    unguarded.append(f"{path.name}: {ast.unparse(value)}")
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in function.decorator_list]
            if not any(d.startswith("st.fragment") for d in decorators):
                continue
            body = function.body[1:] if ast.get_docstring(function) else function.body
            inner = len(body) == 1 and isinstance(body[0], ast.With)
            if "boundary.guarded" not in decorators and not (
                inner and ast.unparse(body[0].items[0].context_expr).startswith("boundary.guard")
            ):
                unguarded.append(f"{path.name}: fragment {function.name}")
    assert not unguarded
