"""Runs kept in a session: the table, what differs between runs, and the Train page's figures."""

import math

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import LayerSpec
from builder.numbers import shown, signed
from builder.plots.charts_training import (
    comparison_figure,
    grown_history_figure,
    history_figure,
    metric_label,
)
from builder.training.runs import (
    CONTINUED,
    RESTARTED,
    Run,
    curve_keys,
    differences,
    layers_text,
    runs_table,
)


def _history(epochs: int, start: float = 1.0) -> list[dict]:
    return [
        {"epoch": e, "seconds": 0.1 * e, "loss": start / e, "val_loss": start / e + 0.1}
        | {"accuracy": 0.5 + e / 100, "val_accuracy": 0.5 + e / 200}
        for e in range(1, epochs + 1)
    ]


def _run(number: int, rate: float, units=(12, 8), epochs: int = 5) -> Run:
    experiment = preset_experiment("pima-small")
    experiment.train.learning_rate = rate
    experiment.network.hidden = [LayerSpec(units=u) for u in units]
    result = {"metrics": {"test": {"loss": 0.5, "accuracy": 0.7}}}
    return Run(number, experiment, "finished", _history(epochs), result=result, seconds=2.0)


def test_runs_table_has_one_row_per_run_with_settings_and_results():
    table = runs_table([_run(1, 0.001), _run(2, 0.01, epochs=3)])
    assert list(table["run"]) == ["pima-small · run 1", "pima-small · run 2"]
    assert list(table["learning rate"]) == [0.001, 0.01]
    assert list(table["epochs"]) == ["5/200", "3/200"]
    assert list(table["layers"]) == ["12 relu → 8 relu"] * 2
    assert list(table["test accuracy"]) == [0.7, 0.7]
    assert table["best val loss"][0] == 0.3  # min(1 / e + 0.1), to four significant digits
    assert list(table["from"]) == ["", ""]  # both trained from fresh weights


def test_the_table_says_which_run_a_run_started_from():
    continued, restarted = _run(4, 0.001), _run(5, 0.01)
    continued.parent, continued.origin = 3, CONTINUED
    restarted.parent, restarted.origin = 3, RESTARTED
    table = runs_table([_run(3, 0.001), continued, restarted])
    assert list(table["from"]) == ["", "run 3, continued", "run 3, same start"]


def test_the_table_says_which_epoch_the_model_kept():
    run = _run(1, 0.001)
    run.result["kept_epoch"] = 4
    assert list(runs_table([run, _run(2, 0.01)])["kept epoch"].fillna(0)) == [4, 0]


def test_numbers_are_written_with_four_significant_digits_as_the_table_writes_them():
    assert [shown(v) for v in (1.520361, 39.9712, 12345.6, 0.000123456, 2.0)] == [
        "1.52",
        "39.97",
        "12350",
        "0.0001235",
        "2",
    ]
    assert shown(math.nan) == "nan"
    assert [signed(v) for v in (0.031, -1234.5, 0.0)] == ["+0.031", "-1234", "+0"]
    run = _run(1, 0.001)
    run.result["metrics"]["test"]["loss"] = 1.520361
    assert runs_table([run])["test loss"][0] == 1.52  # the table holds what it shows


def test_a_failed_run_without_a_model_still_has_a_row():
    failed = Run(3, preset_experiment("iris"), "failed", [], error="the loss became NaN")
    table = runs_table([failed])
    assert table["state"][0] == "failed" and table["best val loss"][0] is None


def test_differences_name_each_setting_that_changed():
    lines = differences([_run(1, 1e-06), _run(2, 0.01), _run(3, 1.0)])
    assert lines == [
        "train.learning_rate: pima-small · run 1 = 1e-06, pima-small · run 2 = 0.01, "
        "pima-small · run 3 = 1.0"
    ]
    narrow_wide = differences([_run(1, 0.001, units=(8,)), _run(2, 0.001, units=(512, 512))])
    assert narrow_wide == [
        "network.hidden: pima-small · run 1 = 8 relu, pima-small · run 2 = 512 relu → 512 relu"
    ]
    assert differences([_run(1, 0.001), _run(2, 0.001)]) == []
    assert differences([_run(1, 0.001)]) == []
    assert layers_text([]) == "none"


def test_curve_keys_offer_validation_loss_first_and_only_shared_keys():
    regression = _run(2, 0.01)
    regression.history = [{"epoch": 1, "seconds": 0.1, "loss": 3.0, "mae": 1.0}]
    assert curve_keys([_run(1, 0.01)])[0] == "val_loss"
    assert curve_keys([_run(1, 0.01), regression]) == ["loss"]
    assert metric_label("val_accuracy") == "validation accuracy"
    assert metric_label("mae") == "training mean absolute error"


def test_live_figure_has_training_and_validation_lines_on_a_fixed_axis():
    fig = history_figure(_history(4), "loss", planned_epochs=50)
    assert [trace.name for trace in fig.data] == ["training", "validation"]
    assert list(fig.data[0].x) == [1, 2, 3, 4]
    assert tuple(fig.layout.xaxis.range) == (0.5, 50.5)
    train_only = history_figure([{"epoch": 1, "loss": 0.3}], "loss")
    assert [trace.name for trace in train_only.data] == ["training"]


def test_an_exploding_loss_is_drawn_on_a_log_axis_with_gaps_for_nan():
    history = [{"epoch": 1, "loss": 1e8}, {"epoch": 2, "loss": 0.7}, {"epoch": 3, "loss": math.nan}]
    fig = history_figure(history, "loss")
    assert fig.layout.yaxis.type == "log"
    # One labelled tick a decade, written as a power of ten.
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.exponentformat == "power"
    assert list(fig.data[0].y) == [1e8, 0.7, None]
    assert history_figure(_history(3), "loss").layout.yaxis.type is None


def test_a_grown_figure_equals_a_new_one_at_every_epoch():
    # a loss that explodes at epoch 35 switches the axis to log; validation starts at epoch 3
    history = [
        {"epoch": e, "loss": 1e9 if e == 35 else 1 / e} | ({"val_loss": 2 / e} if e > 2 else {})
        for e in range(1, 41)
    ]
    fig = None
    for epochs in range(1, len(history) + 1):
        before = fig
        fig = grown_history_figure(fig, history[:epochs], "loss", planned_epochs=30)
        assert fig.to_dict() == history_figure(history[:epochs], "loss", 30).to_dict(), epochs
        if epochs not in (1, 3, 35):  # a new line or axis type starts a new figure
            assert fig is before, epochs


def test_comparison_figure_draws_one_line_per_run():
    runs = [("iris · run 1", _history(3)), ("iris · run 2", _history(5, 2.0))]
    fig = comparison_figure(runs, "val_loss")
    assert [trace.name for trace in fig.data] == ["iris · run 1", "iris · run 2"]
    assert len(fig.data[1].x) == 5
    assert "validation loss" in fig.layout.title.text


def test_the_table_shows_the_reference_models_beside_each_run():
    run = _run(1, 0.001)
    run.result["task"] = "binary"
    run.result["references"] = [
        {"name": "linear", "label": "Linear model", "scores": {"accuracy": 0.812345},
         "fit_seconds": 0.1, "rows": 90},
        {"name": "boosted_trees", "label": "Boosted trees", "scores": {"accuracy": 0.75},
         "fit_seconds": 0.2, "rows": 90},
    ]  # fmt: skip
    old = _run(2, 0.01)
    old.result["task"] = "binary"  # saved before references were computed
    table = runs_table([run, old])
    assert table["linear model accuracy"][0] == 0.8123
    assert table["boosted trees accuracy"][0] == 0.75
    assert table["linear model accuracy"].isna()[1] and table["boosted trees accuracy"].isna()[1]
