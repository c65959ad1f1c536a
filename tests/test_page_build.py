"""The Build page driven by widget key: presets, layer stack edits, preprocessing, summary, code."""

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from builder.experiment.presets import PRESETS
from tests.apptest_helpers import texts, with_sample
from ui.layer_editor import GENERATIONS, units_keys

ROOT = Path(__file__).resolve().parent.parent


def _build_page(preset: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/build.py").run()
    if preset:
        at.selectbox(key="build_preset_choice").set_value(preset).run()
        at.button(key="build_preset_apply").click().run()
    assert not at.exception
    return at


def _summary(at: AppTest) -> list[tuple[str, str, int]]:
    """The summary table's rows as the user sees them."""
    frame = at.dataframe[0].value
    return list(frame.itertuples(index=False, name=None))


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _ids(at: AppTest) -> list[int]:
    return list(at.session_state.build_layer_ids)


def _units(at: AppTest, layer: int):
    """A layer's units slider and exact box, under the keys they have now."""
    generations = at.session_state.get(GENERATIONS, {})
    slider, box = units_keys(layer, generations)
    return at.select_slider(key=slider), at.number_input(key=box)


def test_without_data_the_page_offers_presets_and_points_to_data():
    at = _build_page()
    assert "No data yet" in texts(at.info)[0]
    options = at.selectbox(key="build_preset_choice").options
    assert options[0] == "Choose a preset…" and options[1].startswith("wine-type")
    assert at.button(key="build_preset_apply").disabled


def test_a_preset_loads_its_sample_and_shows_its_summary():
    at = _build_page("titanic")
    assert at.session_state.table.shape == (891, 12)
    assert at.session_state.experiment == PRESETS["titanic"].experiment
    assert "titanic" in texts(at.success)[0]
    assert _metric(at, "Inputs after preprocessing") == "12"
    assert _summary(at) == [
        ("dense (Dense)", "(None, 32)", 416),
        ("dense_1 (Dense)", "(None, 2)", 66),
    ]
    assert _metric(at, "Parameters") == "482"
    assert at.multiselect(key="build_excluded").value == ["PassengerId", "Name", "Ticket", "Cabin"]
    assert "layers.Dense(32" in at.code[0].value


def test_add_remove_duplicate_and_reorder_layers_by_key():
    at = _build_page("pima-small")
    assert [row[2] for row in _summary(at)] == [72, 54, 7]
    first, second = _ids(at)

    at.button(key="build_add_layer").click().run()
    assert [row[1] for row in _summary(at)] == ["(None, 8)", "(None, 6)", "(None, 6)", "(None, 1)"]
    third = _ids(at)[2]
    _units(at, third)[0].set_value(3).run()
    assert [row[2] for row in _summary(at)] == [72, 54, 21, 4]

    at.button(key=f"build_up_{third}").click().run()
    assert _ids(at) == [first, third, second]
    assert [row[1] for row in _summary(at)] == ["(None, 8)", "(None, 3)", "(None, 6)", "(None, 1)"]
    assert [widget.value for widget in _units(at, third)] == [3, 3]

    at.button(key=f"build_down_{first}").click().run()
    assert [row[1] for row in _summary(at)] == ["(None, 3)", "(None, 8)", "(None, 6)", "(None, 1)"]

    at.button(key=f"build_remove_{first}").click().run()
    assert _ids(at) == [third, second]
    assert _summary(at) == [
        ("dense (Dense)", "(None, 3)", 27),
        ("dense_1 (Dense)", "(None, 6)", 24),
        ("dense_2 (Dense)", "(None, 1)", 7),
    ]

    at.button(key=f"build_duplicate_{second}").click().run()
    assert [row[1] for row in _summary(at)][-2:] == ["(None, 6)", "(None, 1)"]
    assert len(_ids(at)) == 3
    assert not at.exception


def test_layer_settings_reach_the_summary_and_the_code():
    at = _build_page("iris")
    (layer,) = _ids(at)
    at.checkbox(key=f"build_bias_{layer}").uncheck().run()
    at.slider(key=f"build_dropout_{layer}").set_value(0.25).run()
    at.selectbox(key=f"build_activation_{layer}").set_value("tanh").run()
    assert _summary(at) == [
        ("dense (Dense)", "(None, 8)", 32),
        ("dropout (Dropout)", "(None, 8)", 0),
        ("dense_1 (Dense)", "(None, 3)", 27),
    ]
    code = at.code[0].value
    assert 'activation="tanh"' in code and "use_bias=False" in code
    assert "layers.Dropout(0.25)" in code


def test_preprocessing_controls_change_the_inputs():
    at = _build_page("titanic")
    at.checkbox(key="build_missing_indicator").uncheck().run()
    assert _metric(at, "Inputs after preprocessing") == "10"
    at.checkbox(key="build_one_hot").uncheck().run()
    assert _metric(at, "Inputs after preprocessing") == "7"
    at.multiselect(key="build_excluded").unselect("Cabin").run()
    assert _metric(at, "Inputs after preprocessing") == "8"
    at.selectbox(key="build_scaling").set_value("minmax").run()
    prep = at.session_state.experiment.prep
    assert (prep.scaling, prep.one_hot, prep.missing_indicator) == ("minmax", False, False)


def test_a_wrong_output_for_the_task_is_warned_about():
    at = _build_page("wages")
    assert not at.warning
    at.selectbox(key="build_output_activation").set_value("sigmoid").run()
    assert any("Use a linear output" in w.value for w in at.warning)
    at.selectbox(key="build_output_activation").set_value("softmax").run()
    assert any("Softmax on one output unit" in w.value for w in at.warning)
    at.selectbox(key="build_output_activation").set_value("auto").run()
    assert at.session_state.experiment.network.output_activation is None
    assert not at.warning


def test_the_units_slider_doubles_past_16_and_the_box_takes_any_number():
    at = _build_page("iris")
    first = _ids(at)[0]
    stops = _units(at, first)[0].options
    assert stops[:16] == [str(n) for n in range(1, 17)]
    assert stops[16:] == ["32", "64", "128", "256", "512"]
    _units(at, first)[0].set_value(16).run()
    assert _units(at, first)[1].value == 16
    _units(at, first)[1].set_value(100).run()
    assert _units(at, first)[0].value == 100
    assert at.session_state.experiment.network.hidden[0].units == 100


def test_edits_survive_a_visit_to_another_page():
    at = _build_page("wine-type")
    first = _ids(at)[0]
    _units(at, first)[1].set_value(40).run()
    assert _units(at, first)[0].value == 40
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/build.py").run()
    assert _units(at, first)[1].value == 40
    assert _summary(at)[0] == ("dense (Dense)", "(None, 40)", 480)


def test_a_second_preset_replaces_every_setting_shown():
    at = _build_page("titanic")
    at.checkbox(key="build_missing_indicator").uncheck().run()
    at.selectbox(key="build_preset_choice").set_value("titanic").run()
    at.button(key="build_preset_apply").click().run()
    assert at.checkbox(key="build_missing_indicator").value is True
    assert at.session_state.experiment == PRESETS["titanic"].experiment
    at.selectbox(key="build_preset_choice").set_value("wages").run()
    at.button(key="build_preset_apply").click().run()
    at.button(key="build_preset_confirm").click().run()
    assert at.session_state.experiment == PRESETS["wages"].experiment
    assert [row[1] for row in _summary(at)] == ["(None, 50)", "(None, 32)", "(None, 1)"]


def test_the_preset_offered_first_fits_the_loaded_sample():
    at = with_sample("iris").switch_page("pages/build.py").run()
    assert at.selectbox(key="build_preset_choice").value == "iris"


def test_replacing_the_students_data_asks_first_and_can_be_declined():
    at = with_sample("iris").switch_page("pages/build.py").run()
    at.selectbox(key="build_preset_choice").set_value("wine-type").run()
    at.button(key="build_preset_apply").click().run()
    assert "replaces your data (Iris flowers, 150 rows)" in texts(at.warning)[0]
    assert at.session_state.table.shape[0] == 150
    at.button(key="build_preset_cancel").click().run()
    assert at.session_state.table.shape[0] == 150
    assert "build_preset_pending" not in at.session_state
    at.button(key="build_preset_apply").click().run()
    at.button(key="build_preset_confirm").click().run()
    assert at.session_state.table.shape[0] == 6497
    assert at.session_state.experiment == PRESETS["wine-type"].experiment


def test_a_network_the_student_built_is_not_replaced_without_asking():
    at = _build_page("iris")
    at.button(key="build_add_layer").click().run()
    at.selectbox(key="build_preset_choice").set_value("iris").run()
    at.button(key="build_preset_apply").click().run()
    assert "replaces the network you built" in texts(at.warning)[0]
    assert (
        len(at.session_state.experiment.network.hidden)
        == len(PRESETS["iris"].experiment.network.hidden) + 1
    )


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_applies_cleanly(key):
    at = _build_page(key)
    assert at.session_state.experiment == PRESETS[key].experiment
    assert not at.error
    assert len(at.get("plotly_chart")) == 1


def test_host_caps_bound_the_controls(monkeypatch):
    monkeypatch.setenv("NNB_MAX_UNITS", "64")
    monkeypatch.setenv("NNB_MAX_LAYERS", "2")
    at = _build_page("pima-small")
    slider, box = _units(at, _ids(at)[0])
    assert slider.options[-1] == "64" and box.max == 64
    assert at.button(key="build_add_layer").disabled
    at.selectbox(key="build_preset_choice").set_value("wide-overfit").run()
    at.button(key="build_preset_apply").click().run()
    assert "at most 64 units" in texts(at.error)[0]
    assert at.session_state.experiment.name == "pima-small"


# Runs the Build page in a fresh interpreter: the server process must never import TensorFlow.
NO_TENSORFLOW_SCRIPT = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=60).run()
at.switch_page("pages/build.py").run()
at.selectbox(key="build_preset_choice").set_value("titanic").run()
at.button(key="build_preset_apply").click().run()
assert not at.exception and at.code, "the Build page did not render its code"
print(sorted(m for m in ("tensorflow", "keras") if m in sys.modules))
"""


def test_the_build_page_never_imports_tensorflow():
    done = subprocess.run(
        [sys.executable, "-c", NO_TENSORFLOW_SCRIPT, str(ROOT / "app.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_defaults_button_replaces_a_presets_settings_and_keeps_its_data():
    from builder.experiment.defaults import proposed_settings

    at = _build_page("wages")
    assert at.checkbox(key="build_scale_target").value is False  # the tutorial's setting
    at.button(key="build_use_defaults").click().run()
    assert not at.exception
    experiment = at.session_state.experiment
    assert experiment.data.target == "wage_per_hour"
    expected = proposed_settings(at.session_state.table, experiment)
    assert (experiment.prep, experiment.network, experiment.train) == (
        expected.prep,
        expected.network,
        expected.train,
    )
    assert at.checkbox(key="build_scale_target").value is True
    assert any("defaults for this table" in s.value for s in at.success)


def _shown_units(at: AppTest, layer: int) -> list[int]:
    """The layer's units as the slider, the box and the experiment have them."""
    index = _ids(at).index(layer)
    units = at.session_state.experiment.network.hidden[index].units
    return [int(widget.value) for widget in _units(at, layer)] + [units]


def test_slider_and_box_changed_in_one_rerun_raise_nothing_and_the_box_set_last_wins():
    # Events faster than the reruns reach the server together: two slider moves, then a
    # number typed in the box. Each one's callback used to delete the other's state,
    # so the second callback raised KeyError and the user saw Streamlit's error page.
    at = _build_page("iris")
    (layer,) = _ids(at)
    slider, box = _units(at, layer)
    slider.set_value(5)
    slider.set_value(6)
    box.set_value(7)
    at.run()
    assert not at.exception and not at.error
    assert _shown_units(at, layer) == [7, 7, 7]
    assert _summary(at)[0] == ("dense (Dense)", "(None, 7)", 35)


@pytest.mark.parametrize(
    "edits",
    [
        [("slider", 5), ("slider", 6), ("box", 23)],
        [("box", 23), ("slider", 4), ("slider", 12)],
        [("slider", 3), ("box", 40), ("slider", 64), ("box", 9)],
        [("box", 2), ("box", 100), ("slider", 2)],
    ],
)
def test_the_units_value_set_last_wins_in_any_order(edits):
    at = _build_page("iris")
    (layer,) = _ids(at)
    for which, value in edits:
        slider, box = _units(at, layer)
        (slider if which == "slider" else box).set_value(value).run()
        assert not at.exception and not at.error
        assert _shown_units(at, layer) == [value] * 3


def test_units_of_several_layers_edited_together_each_keep_their_value():
    at = _build_page("pima-small")
    first, second = _ids(at)
    _units(at, first)[0].set_value(12)
    _units(at, second)[1].set_value(30)
    _units(at, first)[1].set_value(13)
    at.run()
    assert not at.exception
    assert _shown_units(at, first) == [13, 13, 13]
    assert _shown_units(at, second) == [30, 30, 30]


def test_layer_buttons_pressed_together_act_on_the_layers_they_belong_to():
    # Both clicks reach the server before a rerun: each button's arguments are those of
    # the run that drew it. Positions then were stale once the first click moved a layer.
    at = _build_page("pima-small")
    first, second = _ids(at)
    _units(at, second)[1].set_value(5).run()
    at.button(key=f"build_down_{first}").click()
    at.button(key=f"build_remove_{second}").click()
    at.run()
    assert not at.exception
    assert _ids(at) == [first]
    assert [row[1] for row in _summary(at)] == ["(None, 8)", "(None, 1)"]
