"""The Start page's Start fresh and Delete my data, on the real store, through AppTest."""

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment
from builder.training.runs import Run
from builder.workspace.store import get_store
from tests.apptest_helpers import texts, with_sample


def _with_a_kept_run():
    at = with_sample("iris")
    wid = at.session_state["workspace_id"]
    store = get_store()
    number = store.new_run(wid, preset_experiment("iris"))
    store.finish_run(Run(number, preset_experiment("iris"), "stopped", [{"epoch": 1}]), wid)
    at.switch_page("pages/home.py").run()
    assert [run.name for run in at.session_state["runs"]] == ["Run 1"]
    assert any("kept on this server for this browser" in t for t in texts(at.caption))
    return at, wid


def test_start_fresh_forgets_the_table_and_runs_but_keeps_the_workspace():
    at, wid = _with_a_kept_run()
    at.button(key="home_start_fresh").click().run()
    assert not at.exception
    assert at.session_state["table"] is None and at.session_state["runs"] == []
    assert at.session_state["workspace_id"] == wid
    assert get_store().runs(wid) == [] and get_store().saved_experiment(wid) == Experiment()


def test_delete_my_data_removes_the_workspace_and_opens_an_empty_one():
    at, wid = _with_a_kept_run()
    at.button(key="home_delete_data").click().run()
    assert not at.exception
    assert at.session_state["workspace_id"] != wid and at.session_state["runs"] == []
    assert get_store().revision(wid) is None
    assert any("Dataset: none loaded yet" in t for t in texts(at.sidebar.caption))
