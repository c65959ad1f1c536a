"""The verdict as a pure function of a run's history and scores, with made-up numbers."""

import pytest

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment
from builder.judging.verdict import Scores, skill, still_falling, verdict

FLAT = [1.0, 0.6, 0.5, 0.45, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44]
FALLING = [1.0 - 0.05 * i for i in range(12)]


def _classes(train: float, test: float, base: float = 0.6) -> tuple[Scores, Scores]:
    return Scores({"accuracy": train}, {"accuracy": base}), Scores(
        {"accuracy": test}, {"accuracy": base}
    )


def _numbers(train_mse: float, test_mse: float, base: float = 100.0) -> tuple[Scores, Scores]:
    return Scores({"mse": train_mse}, {"mse": base}), Scores({"mse": test_mse}, {"mse": base})


def _judge(task, scores, curve=FLAT, ended="early_stopped", experiment=None):
    history = {"loss": curve, "val_loss": curve}
    train, test = scores
    return verdict(task, history, ended, train, test, experiment or Experiment())


def test_skill_is_the_share_of_the_baselines_error_removed():
    assert skill("regression", {"mse": 25.0}, {"mse": 100.0}) == pytest.approx(0.75)
    assert skill("binary", {"accuracy": 0.8}, {"accuracy": 0.6}) == pytest.approx(0.5)
    assert skill("binary", {"accuracy": 0.5}, {"accuracy": 0.6}) < 0
    assert skill("binary", {"accuracy": 1.0}, {"accuracy": 1.0}) == 1.0


def test_a_model_worse_than_the_mean_guess_is_never_green():
    found = _judge("regression", _numbers(400.0, 415.0))
    assert found.kind == "worse" and found.level == "error"
    assert "415" in found.reasons[0] and "100" in found.reasons[0]
    assert any("not learned" in reason for reason in found.reasons)


def test_no_better_than_the_majority_class_is_an_error_too():
    found = _judge("binary", _classes(0.61, 0.61))
    assert found.kind == "no_better" and found.level == "error"
    assert "61.0%" in found.reasons[0] and "60.0%" in found.reasons[0]


def test_an_untuned_regression_is_told_to_scale_the_target_and_train_longer():
    experiment = preset_experiment("wages")  # 10 epochs, the target not scaled
    found = _judge("regression", _numbers(120.0, 130.0), FALLING, "finished", experiment)
    assert found.kind == "worse"
    steps = " ".join(found.next_steps)
    assert "Standardise the target" in steps and "Epochs" in steps
    assert "learning rate" in steps  # 0.001 is low enough to suggest a higher one


def test_a_worse_model_that_learned_its_training_rows_is_overfitting():
    found = _judge("binary", _classes(1.0, 0.55))
    assert found.kind == "worse"
    assert any("overfitting" in reason for reason in found.reasons)
    assert any("Columns left out" in step for step in found.next_steps)


def test_a_big_gap_between_training_and_test_rows_is_overfitting():
    found = _judge("multiclass", _classes(0.99, 0.80))
    assert found.kind == "overfitting" and found.level == "warning"
    assert any("dropout or L2" in step for step in found.next_steps)


def test_a_rising_validation_loss_without_restored_weights_is_overfitting():
    curve = [1.0, 0.7, 0.5, 0.45, 0.5, 0.6, 0.7, 0.8]
    history = {"loss": FALLING[:8], "val_loss": curve}
    train, test = _numbers(30.0, 33.0)
    found = verdict("regression", history, "finished", train, test, preset_experiment("wages"))
    assert found.kind == "overfitting"
    assert any("lowest at epoch 4" in reason for reason in found.reasons)
    assert any("Early stopping" in step for step in found.next_steps)


def test_a_loss_still_falling_when_the_epochs_ran_out_is_underfitting():
    found = _judge("regression", _numbers(40.0, 42.0), FALLING, "finished")
    assert found.kind == "underfitting" and found.level == "warning"
    assert any("still falling" in reason for reason in found.reasons)
    assert any("raise Epochs" in step for step in found.next_steps)


def test_a_good_model_that_stopped_learning_is_fine():
    found = _judge("regression", _numbers(40.0, 42.0))
    assert found.kind == "fine" and found.level == "success" and not found.next_steps
    assert found.to_dict()["level"] == "success"


def test_still_falling_reads_the_last_tenth_of_the_curve():
    assert still_falling({"loss": FALLING})
    assert not still_falling({"loss": FLAT})
    assert still_falling({"loss": [3.0, 2.0]})
    assert not still_falling({"loss": [1.0]})
    assert not still_falling({"loss": FALLING, "val_loss": FLAT})  # validation is watched


def test_large_errors_are_written_out_as_the_train_page_writes_them():
    found = _judge("regression", _numbers(9000.0, 12345.6))
    assert "the MSE is 12350;" in found.reasons[0] and "e+" not in " ".join(found.reasons)


def test_a_verdict_on_a_handful_of_test_rows_says_how_thin_its_evidence_is():
    train, test = _classes(0.9, 0.75)
    few = _judge("binary", (train, Scores(test.model, test.baseline, rows=4)))
    caveat = [reason for reason in few.reasons if "only 4 row(s)" in reason]
    assert caveat and "by 25%" in caveat[0]
    many = _judge("binary", (train, Scores(test.model, test.baseline, rows=300)))
    assert not any("test split holds only" in reason for reason in many.reasons)
    assert few.kind == many.kind  # a caveat, not another verdict
    train, test = _numbers(40.0, 60.0)
    rough = _judge("regression", (train, Scores(test.model, test.baseline, rows=4)))
    assert any("only 4 row(s)" in reason and "R²" in reason for reason in rough.reasons)
