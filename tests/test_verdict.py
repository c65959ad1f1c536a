"""The verdict as a pure function of a run's history and scores, with made-up numbers."""

import math

import pytest

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import Experiment
from builder.judging.references import LINEAR, TREES, Reference, noise_margin
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


def _refs(task: str, linear: float, trees: float, **extra) -> list[Reference]:
    key = "r2" if task == "regression" else "accuracy"
    return [
        Reference(LINEAR, "Linear model (x)", {key: linear}, 0.1, 500, **extra),
        Reference(TREES, "Boosted trees (y)", {key: trees}, 0.2, 500, **extra),
    ]


def _on_rows(scores: tuple[Scores, Scores], rows: int) -> tuple[Scores, Scores]:
    train, test = scores
    return train, Scores(test.model, test.baseline, rows=rows)


def _judge_with(task, scores, references, curve=FLAT, ended="early_stopped", experiment=None):
    train, test = scores
    history = {"loss": curve, "val_loss": curve}
    return verdict(task, history, ended, train, test, experiment or Experiment(), references)


def test_the_noise_margin_is_two_standard_errors_of_the_test_score():
    assert noise_margin("binary", 0.8, 0.8, 400) == pytest.approx(2 * (0.16 / 400) ** 0.5)
    assert noise_margin("binary", 1.0, 1.0, 10) == pytest.approx(0.1)  # one row's worth
    assert noise_margin("regression", 0.5, 0.5, 200) == pytest.approx(2 * 0.5 * 0.1)
    assert noise_margin("binary", 0.8, 0.8, None) == math.inf


def test_a_linear_model_better_beyond_noise_is_never_green():
    scores = _on_rows(_classes(0.80, 0.78), 400)  # a fine run against the baseline alone
    found = _judge_with("binary", scores, _refs("binary", 0.86, 0.84))
    assert found.kind == "linear_better" and found.level == "warning"
    reasons = " ".join(found.reasons)
    assert "Differences under 3.8 points are within noise" in reasons and "400 test rows" in reasons
    assert "beats the network by 8.0 points" in reasons
    steps = " ".join(found.next_steps)
    assert "Remove this layer" in steps and "logistic regression" in steps
    assert "L2" in steps and "Learning rate on the Train page (now 0.001" in steps


def test_a_reference_within_noise_keeps_todays_verdict():
    scores = _on_rows(_classes(0.80, 0.78), 400)
    found = _judge_with("binary", scores, _refs("binary", 0.80, 0.79))
    assert found.kind == "fine" and found.level == "success" and not found.next_steps
    assert any("does about as well" in reason for reason in found.reasons)
    assert _judge_with("binary", scores, _refs("binary", 0.6, 0.6)).kind == "fine"


def test_boosted_trees_far_ahead_name_what_trees_see():
    scores = _on_rows(_numbers(40.0, 42.0), 300)  # R² is read from the reports
    train, test = scores
    test = Scores({**test.model, "r2": 0.58}, test.baseline, rows=300)
    found = _judge_with("regression", (train, test), _refs("regression", 0.60, 0.85))
    assert found.kind == "trees_better"
    assert any("Differences in R² under 0.047" in reason for reason in found.reasons)
    steps = " ".join(found.next_steps)
    assert "codes" in steps and "date" in steps and "logarithm" in steps


def test_when_both_references_win_the_trees_lead_only_beyond_the_linear_model():
    scores = _on_rows(_classes(0.80, 0.70), 1000)
    assert _judge_with("binary", scores, _refs("binary", 0.80, 0.81)).kind == "linear_better"
    assert _judge_with("binary", scores, _refs("binary", 0.76, 0.90)).kind == "trees_better"


def test_a_run_cut_short_is_told_to_train_longer_before_going_linear():
    scores = _on_rows(_classes(0.80, 0.78), 400)
    found = _judge_with("binary", scores, _refs("binary", 0.9, 0.85), FALLING, "finished")
    assert found.kind == "linear_better" and "underfitting" in found.also
    assert found.next_steps[0].startswith("Train for more epochs")


def test_a_worse_model_stays_red_and_hears_of_the_references():
    scores = _on_rows(_classes(0.61, 0.55), 400)
    found = _judge_with("binary", scores, _refs("binary", 0.75, 0.8))
    assert found.kind == "worse" and found.level == "error"
    assert any("Boosted trees beat the network" in reason for reason in found.reasons)


def test_a_class_never_predicted_is_named_and_balancing_suggested():
    train, test = _on_rows(_classes(0.75, 0.70, base=0.49), 200)
    report = {
        "accuracy": 0.685,
        "f1_macro": 0.46,
        "per_class": [
            {"class": "sun", "recall": 0.9, "support": 98},
            {"class": "fog", "recall": 0.0, "support": 18},
            {"class": "hail", "recall": 0.0, "support": 2},  # too few rows to tell
        ],
    }
    test = Scores(report, test.baseline, rows=200)
    found = _judge_with("multiclass", (train, test), None)
    assert found.kind == "unpredicted" and found.level == "warning"
    (named,) = [reason for reason in found.reasons if "never predicts" in reason]
    assert "'fog' (recall 0%: 0 of its 18 test rows found)" in named and "hail" not in named
    assert "Macro F1, which weighs every class the same, is 0.46" in named
    assert "accuracy of 68.5%" in named
    assert found.next_steps == [
        "Turn on 'Balance the classes' on the Train page, so a rare class weighs as much in "
        "the loss as a common one."
    ]
    balanced = Experiment()
    balanced.train.class_weights = True
    again = _judge_with("multiclass", (train, test), None, experiment=balanced)
    assert "already on" in again.next_steps[0]


def test_a_sampled_or_failed_reference_is_said():
    scores = _on_rows(_classes(0.80, 0.78), 400)
    sampled = _refs("binary", 0.79, 0.79, sampled=True)
    found = _judge_with("binary", scores, sampled)
    assert any("random 500 of the training rows" in reason for reason in found.reasons)
    broken = [Reference(LINEAR, "Linear model (x)", {}, 0.0, 500, error="one class only")]
    found = _judge_with("binary", scores, broken)
    assert found.kind == "fine"
    assert any("could not be fitted: one class only" in reason for reason in found.reasons)
