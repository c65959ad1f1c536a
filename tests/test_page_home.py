"""The Start page through AppTest: a sample's classic experiment trained from its card, and
Start fresh and Delete my data on the real store."""

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment
from builder.training.runs import Run
from builder.workspace import store as store_module
from builder.workspace.store import get_store
from tests.apptest_helpers import start_app, texts, with_sample
from tests.test_page_train import WAIT
from ui.workspace import NO_DATABASE


def _with_a_kept_run():
    at = with_sample("iris")
    wid = at.session_state["workspace_id"]
    store = get_store()
    number = store.new_run(wid, preset_experiment("iris"))
    store.finish_run(Run(number, preset_experiment("iris"), "stopped", [{"epoch": 1}]), wid)
    at.switch_page("pages/home.py").run()
    assert [run.name for run in at.session_state["runs"]] == ["iris · run 1"]
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


def test_a_samples_card_sets_up_its_tutorial_and_lands_on_train_ready_to_press_it():
    at = start_app()
    offered = {
        b.key.removeprefix("home_preset_") for b in at.button if b.key.startswith("home_preset_")
    }
    assert offered == {"wine", "pima", "iris", "titanic", "wages", "digits"}  # not wine-red
    at.button(key="home_preset_iris").click().run()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert any("hidden layers 8 relu" in t and "150 epochs" in t for t in texts(at.info))
    assert at.session_state["job"] is None  # nothing starts before the student presses Train
    assert at.number_input(key="train_epochs").value == 150
    assert at.number_input(key="train_batch_size").value == 15
    assert any("Target: **species** · task: **multiclass**" in t for t in texts(at.sidebar.caption))
    assert any("1 hidden layer(s), 8" in t for t in texts(at.sidebar.caption))
    at.number_input(key="train_epochs").set_value(3).run()
    at.toggle(key="train_instant_widget").set_value(True).run()  # AppTest runs no timer
    at.button(key="train_start").click().run()
    assert at.session_state["job"].wait(WAIT), "the training job did not end"
    at.run()
    assert not at.exception
    assert any("Finished 3 epochs" in t for t in texts(at.success))
    run = at.session_state["runs"][0]
    assert run.name == "iris · run 1" and run.result["metrics"]["test"]["accuracy"] > 0


def test_a_database_the_server_cannot_reach_is_said_in_words(monkeypatch):
    monkeypatch.setenv("NNB_DATABASE_URL", "postgresql://nnb@127.0.0.1:1/nnb")
    monkeypatch.setattr(store_module, "_STORE", None)  # opened again, from that URL
    at = start_app()
    assert not at.exception
    assert texts(at.error) == [NO_DATABASE]
