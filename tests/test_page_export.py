"""The Export page driven by widget key: JSON download and upload, the link, the script;
and the "Show the code" expanders of the Data and Build pages."""

import json
from urllib.parse import parse_qs

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from builder.experiment.experiment_file import to_json
from builder.experiment.presets import preset_experiment
from builder.experiment.share import PARAM, decode
from builder.experiment.spec import Experiment
from tests.apptest_helpers import start_app, texts, with_sample
from tests.trained import trained_run

EXPORT = "pages/export.py"


@pytest.fixture
def downloads(monkeypatch):
    """The name and bytes of every file the app offers for download, by the id in its URL.

    AppTest keeps offered files in a media store that is dropped after each run;
    this records them as they are stored (Streamlit's store, not our code, is wrapped).
    """
    files: dict[str, tuple[str, bytes]] = {}
    store = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        file_id = store(self, path_or_data, mimetype, kind, filename)
        files[file_id] = (filename, path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _offered(at, key: str, files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """The file name and bytes a download button offers."""
    url = at.download_button(key=key).proto.url
    return files[url.rsplit("/", 1)[-1].split(".")[0]]


def _downloaded(at, key: str, files: dict[str, tuple[str, bytes]]) -> bytes:
    return _offered(at, key, files)[1]


def _export_page(preset: str):
    at = start_app()
    at.switch_page("pages/build.py").run()
    at.selectbox(key="build_preset_choice").set_value(preset).run()
    at.button(key="build_preset_apply").click().run()
    at.switch_page(EXPORT).run()
    assert not at.exception
    return at


def _upload_json(at, content: bytes, name: str = "experiment.json"):
    at.file_uploader(key="export_upload_json").set_value((name, content, "application/json"))
    return at.run()


def test_the_downloaded_json_round_trips_to_the_same_experiment(downloads):
    at = _export_page("titanic")
    content = _downloaded(at, "export_download_json", downloads)
    assert Experiment.from_dict(json.loads(content)) == preset_experiment("titanic")
    assert at.download_button(key="export_download_json").proto.label.endswith("(.json)")


def test_the_script_download_is_the_generated_script(downloads):
    at = _export_page("iris")
    name, script = _offered(at, "export_download_script", downloads)
    script = script.decode()
    assert name == "iris.py" and '"""Train the experiment "iris" again' in script
    compile(script, "iris.py", "exec")
    assert 'TARGET = "species"' in script and "layers.Dense(8" in script


def test_the_link_restores_the_setup():
    at = _export_page("wages")
    link = at.code[0].value
    query = parse_qs(link.split("?", 1)[1])
    assert decode(query[PARAM][0]) == preset_experiment("wages")
    assert any("restores the setup" in t for t in texts(at.caption))


def test_before_training_the_page_says_where_the_model_comes_from():
    at = _export_page("iris")
    assert any("Train a model on the **Train** page" in t for t in texts(at.info))


def test_a_trained_run_offers_its_model_at_once_and_the_other_formats_on_request(downloads):
    run = trained_run("iris", epochs=5)
    at = with_sample("iris")
    at.session_state["runs"] = [run]
    at.switch_page(EXPORT).run()
    assert not at.exception
    assert at.selectbox(key="export_run").format_func(1) == "iris · run 1 · finished"
    name, model = _offered(at, "export_download_model", downloads)
    assert name == "iris-run-1.keras" and model == run.result["export"]["model.keras"]
    assert _offered(at, "export_download_weights", downloads)[0] == "iris-run-1.weights.h5"
    # Converting takes a worker: asked for with a button, never done on every visit.
    assert at.button(key="export_convert").proto.label.startswith("Prepare the other formats")
    with pytest.raises(KeyError):
        at.download_button(key="export_download_bundle")
    assert any("TensorFlow.js is not offered" in t for t in texts(at.caption))


def test_uploading_an_experiment_file_applies_it():
    at = with_sample("pima").switch_page(EXPORT).run()
    wanted = preset_experiment("iris")
    wanted.network.hidden[0].units = 5
    _upload_json(at, to_json(wanted).encode())
    assert not at.exception
    assert at.session_state.experiment == wanted
    assert list(at.session_state.table.columns)[-1] == "species"
    assert any("Opened" in t for t in texts(at.success))


def test_an_experiment_file_opens_without_data_loaded():
    at = start_app().switch_page(EXPORT).run()
    assert any("Load a sample or upload a file" in t for t in texts(at.info))
    _upload_json(at, to_json(preset_experiment("digits")).encode())
    assert not at.exception
    assert at.session_state.experiment == preset_experiment("digits")
    assert at.download_button(key="export_download_json")  # the page is whole now


BAD_FILES = {
    "not json": (b"\x89PNG\r\n\x1a\n not json at all", "does not hold readable JSON"),
    "half a character": (b'{"name": "\\ud800"}', "does not hold readable JSON"),
    "a list": (b"[1, 2, 3]", "must be a JSON object"),
    "a forged value": (
        json.dumps({"train": {"epochs": -3}}).encode(),
        "'train.epochs' must be a whole number",
    ),
    "an unknown setting": (json.dumps({"owner": "me"}).encode(), "Unknown setting"),
    "another version": (json.dumps({"version": 99}).encode(), "version"),
    "a missing column": (
        json.dumps(
            {**Experiment().to_dict(), "data": {"source": "upload", "target": "nope"}}
        ).encode(),
        "'nope'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_experiment_file_is_explained_and_changes_nothing(case):
    content, says = BAD_FILES[case]
    at = _export_page("iris")
    _upload_json(at, content, "bad.json")
    assert not at.exception
    shown = texts(at.error)
    assert any(says in t and "could not be opened" in t for t in shown), shown
    assert at.session_state.experiment == preset_experiment("iris")


def test_data_and_build_pages_show_their_slice_of_the_script():
    at = with_sample("titanic")
    code = at.code[0].value
    assert code.splitlines()[1].startswith("# Data page") and 'TARGET = "Survived"' in code
    at.selectbox(key="data_target").set_value("Pclass").run()
    assert 'TARGET = "Pclass"' in at.code[0].value
    at.switch_page("pages/build.py").run()
    code = at.code[0].value
    assert code.splitlines()[1].startswith("# Build page") and "ColumnTransformer" in code
    assert "# Data page" not in code and "# Train page" not in code
