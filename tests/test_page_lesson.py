"""A lesson link in the app, driven by widget key: the note, locked controls drawn disabled
with the lesson's reason, hidden ones left out, editable ones still editing, a locked setting
that stays fixed even when forced, and the Export page's "Share with a class" panel."""

from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from builder.experiment import lesson, share
from builder.experiment.experiment_file import to_json
from builder.experiment.lesson import HIDDEN, LOCKED, Lesson
from builder.experiment.presets import preset_experiment
from tests.apptest_helpers import ROOT, texts

NOTE = "Try three learning rates; which one diverges?"
RULES = Lesson(note=NOTE, groups={"data": LOCKED, "network": LOCKED, "seed": HIDDEN})
FIXED = "Fixed by the lesson"


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def _lesson_app(page: str | None = None) -> AppTest:
    at = _open(lesson.to_query(preset_experiment("wine-type"), RULES))
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def _layer_keys(at: AppTest, prefix: str) -> list[str]:
    return [f"{prefix}{layer_id}" for layer_id in at.session_state.build_layer_ids]


def test_the_note_heads_every_page_and_the_lesson_stays_in_the_address_bar():
    at = _lesson_app()
    for page in ("data", "build", "train", "export"):
        at.switch_page(f"pages/{page}.py").run()
        assert NOTE in texts(at.info)[0].replace("\\", ""), page
    assert lesson.decode(at.query_params[lesson.PARAM]) == RULES
    assert share.decode(at.query_params[share.PARAM]) == preset_experiment("wine-type")


def test_locked_data_controls_are_disabled_with_the_lesson_s_reason():
    at = _lesson_app("pages/data.py")
    assert at.radio(key="data_source_kind").disabled
    for key in ("data_sample", "data_target", "data_task"):
        box = at.selectbox(key=key)
        assert box.disabled and box.help.startswith(f"{FIXED}: data"), key
    assert at.selectbox(key="data_sample").value == "wine"
    assert at.multiselect(key="data_excluded").disabled
    assert at.button(key="data_load_sample").disabled
    at.switch_page("pages/home.py").run()
    assert at.button(key="home_sample_iris").disabled
    assert at.button(key="home_preset_iris").disabled


def test_a_locked_network_is_disabled_and_editable_preprocessing_is_not():
    at = _lesson_app("pages/build.py")
    for key in _layer_keys(at, "build_units_"):
        assert at.select_slider(key=key).disabled
    for key in _layer_keys(at, "build_remove_"):
        assert at.button(key=key).disabled
    assert at.button(key="build_add_layer").disabled
    assert at.selectbox(key="build_loss").disabled
    assert at.multiselect(key="build_excluded").disabled  # the data's columns left out
    assert at.selectbox(key="build_preset_choice").disabled
    assert at.button(key="build_use_defaults").disabled
    assert at.button(key="build_use_defaults").help.startswith(f"{FIXED}: network")
    assert not at.selectbox(key="build_scaling").disabled
    at.selectbox(key="build_scaling").set_value("minmax").run()
    assert at.session_state.experiment.prep.scaling == "minmax"
    assert not at.exception and not at.warning


def test_editable_training_settings_edit_and_a_hidden_one_is_not_drawn():
    at = _lesson_app("pages/train.py")
    rate = at.select_slider(key="train_learning_rate")
    assert not rate.disabled and not rate.help.startswith(FIXED)
    rate.set_value(0.1).run()
    assert at.session_state.experiment.train.learning_rate == 0.1
    at.number_input(key="train_epochs").set_value(7).run()
    assert at.session_state.experiment.train.epochs == 7
    with pytest.raises(KeyError):
        at.number_input(key="train_seed")
    # The edits travel in the address bar beside the unchanged lesson.
    assert share.decode(at.query_params[share.PARAM]).train.learning_rate == 0.1
    assert lesson.decode(at.query_params[lesson.PARAM]) == RULES


def test_a_locked_setting_forced_through_its_widget_stays_fixed():
    at = _lesson_app("pages/build.py")
    wanted = preset_experiment("wine-type").network
    key = _layer_keys(at, "build_units_")[0]
    # A browser can send a value for a disabled widget (AppTest refuses to click one).
    at.session_state[key] = 3
    at.run()
    assert not at.exception
    assert at.session_state.experiment.network == wanted
    assert at.select_slider(key=key).value == wanted.hidden[0].units


def test_start_fresh_keeps_what_the_lesson_fixes():
    at = _lesson_app("pages/build.py")
    at.switch_page("pages/home.py").run()
    at.button(key="home_start_fresh").click().run()
    assert not at.exception
    experiment = at.session_state.experiment
    assert experiment.network == preset_experiment("wine-type").network
    assert experiment.data == preset_experiment("wine-type").data
    assert at.session_state.table is not None  # the lesson's sample is loaded again
    assert any("set back" in t and "network" in t for t in texts(at.warning))
    assert NOTE in texts(at.info)[0].replace("\\", "")


def test_an_experiment_file_cannot_replace_a_locked_lesson():
    at = _lesson_app("pages/export.py")
    uploader = at.file_uploader(key="export_upload_json")
    assert uploader.disabled and uploader.help.startswith(f"{FIXED}: data")
    other = preset_experiment("wine-type")
    other.network.hidden[0].units = 3
    # A forged browser message can still send a file; AppTest refuses to, so its guard is lifted.
    uploader.proto.disabled = False
    uploader.set_value(("other.json", to_json(other).encode(), "application/json"))
    at.run()
    assert not at.exception and not at.success
    assert at.session_state.experiment == preset_experiment("wine-type")


def _apply_under_a_lesson():
    """Open a lesson, then ask to replace its experiment by one with another network."""
    import streamlit as st

    from builder.errors import SpecError
    from builder.experiment.lesson import LOCKED, Lesson
    from builder.experiment.presets import preset_experiment
    from ui import lesson, state

    state.init_state()
    state.apply_experiment(preset_experiment("wine-type"))
    lesson.begin(Lesson(groups={"network": LOCKED}), state.experiment())
    other = preset_experiment("wine-type")
    other.train.epochs = 5
    state.apply_experiment(other)  # an editable group may change
    forged = preset_experiment("wine-type")
    forged.network.hidden[0].units = 3
    try:
        state.apply_experiment(forged)
    except SpecError as error:
        st.error(str(error))


def test_the_server_refuses_an_experiment_that_changes_a_locked_group():
    at = AppTest.from_function(_apply_under_a_lesson, default_timeout=60).run()
    assert not at.exception
    assert "The lesson fixes these settings" in texts(at.error)[0]
    assert "network" in texts(at.error)[0]
    experiment = at.session_state.experiment
    assert experiment.train.epochs == 5
    assert experiment.network == preset_experiment("wine-type").network


def test_a_damaged_lesson_link_is_refused_with_a_message_and_the_app_works():
    query = lesson.to_query(preset_experiment("wine-type"), RULES)
    query[lesson.PARAM] = query[lesson.PARAM][:-8]
    at = _open(query)
    assert any("lesson in this link could not be opened" in t for t in texts(at.error))
    assert at.session_state.experiment == preset_experiment("wine-type")
    at.switch_page("pages/build.py").run()
    assert not at.button(key="build_add_layer").disabled
    assert lesson.PARAM not in at.query_params  # a reload no longer repeats the message


def test_a_lesson_whose_experiment_is_damaged_is_not_applied():
    query = lesson.to_query(preset_experiment("wine-type"), RULES)
    query[share.PARAM] = "1.damaged"
    at = _open(query)
    shown = texts(at.error)
    assert any("experiment in this link could not be opened" in t for t in shown)
    assert any("lesson in this link was not applied" in t for t in shown)
    assert NOTE not in " ".join(texts(at.info))


def test_the_share_panel_builds_the_lesson_link_from_the_experiment():
    at = _open({"preset": "iris"})
    at.switch_page("pages/export.py").run()
    at.selectbox(key="lesson_group_data").set_value(LOCKED).run()
    at.selectbox(key="lesson_group_network").set_value(HIDDEN).run()
    at.text_area(key="lesson_note").input("Which rate diverges?").run()
    assert not at.exception
    link = next(code.value for code in at.code if f"{lesson.PARAM}=" in code.value)
    query = {k: v[0] for k, v in parse_qs(link.split("?", 1)[1]).items()}
    assert share.from_query(query) == preset_experiment("iris")
    assert lesson.from_query(query) == Lesson(
        note="Which rate diverges?", groups={"data": LOCKED, "network": HIDDEN}
    )
    summary = " ".join(texts(at.caption))
    assert "Students will be able to change: preprocessing" in summary
    assert (
        "They will see but not change: data" in summary and "Hidden from them: network" in summary
    )
