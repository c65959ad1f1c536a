"""Every page, driven through AppTest, before and after data is loaded."""

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import PAGES, ROOT, start_app, texts, with_sample
from tests.corpus import BAD_FILES, workbook


def test_start_page_offers_every_sample_in_one_click():
    at = start_app()
    assert not at.exception
    assert at.title[0].value.endswith("Neural Network Builder")
    keys = {button.key for button in at.button}
    assert {"home_sample_wine", "home_sample_titanic", "home_sample_digits"} <= keys


@pytest.mark.parametrize("page", PAGES[2:])
def test_pages_that_need_data_say_what_to_do_first(page):
    at = start_app().switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert any("Load a sample or upload a file" in t for t in texts(at.info))


def test_one_click_sample_lands_on_the_data_page_with_target_and_preview():
    at = with_sample("titanic")
    assert not at.exception
    assert at.title[0].value == "Data"
    assert [m.value for m in at.metric][:2] == ["891", "12"]
    assert at.selectbox(key="data_target").value == "Survived"
    assert at.multiselect(key="data_excluded").value == ["PassengerId", "Name", "Ticket", "Cabin"]
    assert at.dataframe[-1].value.shape == (100, 12)
    assert "Titanic passengers" in sidebar_status(at)
    assert "Target: **Survived** · task: **binary**" in sidebar_status(at)


def sidebar_status(at) -> str:
    """The sidebar's status text for the session under test.

    AppTest drops the sidebar elements the entry script draws once a page has
    been switched (the real app shows them: the browser test checks that), so
    the lines are computed from the tested session's state.
    """
    script = "import streamlit as st\nfrom ui.sidebar import status_lines\nst.markdown(' | '.join(status_lines()))"
    probe = AppTest.from_string(script, default_timeout=30)
    for key in ("experiment", "table", "runs"):
        if key in at.session_state:
            probe.session_state[key] = at.session_state[key]
    return probe.run().markdown[0].value


def test_wine_sample_is_red_and_white_stacked_with_type_target():
    at = with_sample("wine")
    assert [m.value for m in at.metric][:2] == ["6,497", "13"]
    assert at.selectbox(key="data_target").value == "type"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_after_a_sample_is_loaded(page):
    at = with_sample("iris").switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert not at.error


def test_changing_target_and_task_updates_the_experiment_and_sidebar():
    at = with_sample("wine")
    at.selectbox(key="data_target").select("quality").run()
    assert at.session_state["experiment"].data.task is None
    assert "task: **regression**" in sidebar_status(at)
    at.selectbox(key="data_task").select("multiclass").run()
    assert not at.exception
    assert at.session_state["experiment"].data.task == "multiclass"
    assert at.session_state["experiment"].data.target == "quality"


def test_choices_survive_a_visit_to_another_page():
    at = with_sample("titanic")
    at.selectbox(key="data_target").select("Pclass").run()
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/data.py").run()
    assert at.selectbox(key="data_target").value == "Pclass"


def test_a_target_with_one_class_is_explained_on_the_page():
    at = start_app().switch_page("pages/data.py").run()
    at.radio(key="data_source_kind").set_value("upload").run()
    at.file_uploader(key="data_upload").set_value(
        ("one_class.csv", b"x,label\n1,a\n2,a\n3,a\n", "text/csv")
    ).run()
    assert not at.exception
    assert any("single value ('a')" in t for t in texts(at.error))


def upload(files) -> object:
    at = start_app().switch_page("pages/data.py").run()
    at.radio(key="data_source_kind").set_value("upload").run()
    return at.file_uploader(key="data_upload").set_value(files).run()


def test_uploading_two_files_stacks_them():
    red = (ROOT / "sample_data" / "winequality-red.csv").read_bytes()
    white = (ROOT / "sample_data" / "winequality-white.csv").read_bytes()
    at = upload([("red.csv", red, "text/csv"), ("white.csv", white, "text/csv")])
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["6,497", "13"]
    assert any("semicolon-separated" in t for t in texts(at.caption))


@pytest.mark.parametrize("case", BAD_FILES, ids=lambda c: c.name)
def test_bad_uploads_get_a_message_and_the_app_stays_usable(case):
    at = upload((case.name, case.content, "application/octet-stream"))
    assert not at.exception
    shown = texts(at.warning if case.usable else at.error)
    assert any(case.says in t for t in shown), shown
    # The app stays usable: a sample still loads afterwards.
    at.radio(key="data_source_kind").set_value("sample").run()
    at.button(key="data_load_sample").click().run()
    assert not at.exception and at.selectbox(key="data_target").value


def test_the_server_never_imports_tensorflow():
    """Run every page in a fresh interpreter (tests elsewhere may import TensorFlow here)."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from tests.apptest_helpers import PAGES, with_sample
at = with_sample("pima")
for page in PAGES:
    at.switch_page(f"pages/{{page}}.py").run()
    assert not at.exception, (page, at.exception)
print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=900, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_another_sheet_of_a_workbook_can_be_chosen():
    content = workbook(
        {"first": [["x", "y"], [1, 2], [3, 4]], "second": [["p", "q"], [5, 6], [7, 9]]}
    )
    at = upload(("book.xlsx", content, "application/octet-stream"))
    assert any("has 2 sheets" in t for t in texts(at.warning))
    at.selectbox(key="data_sheet").select("second").run()
    assert not at.exception
    assert list(at.session_state["table"].columns) == ["p", "q"]


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("data", "Next: Explore this data →"),
        ("explore", "Next: Build a network →"),
        ("build", "Next: Train it →"),
        ("train", "Next: Evaluate the model →"),
    ],
)
def test_each_page_ends_with_the_next_step(page, label):
    at = with_sample("iris").switch_page(f"pages/{page}.py").run()
    links = at.get("page_link")
    assert links, f"no link on the {page} page"
    assert links[-1].proto.label == label
