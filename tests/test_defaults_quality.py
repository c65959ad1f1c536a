"""The defaults a new table gets learn: at least a linear model's score, and an honest verdict.

Each table is trained exactly as the app proposes it for an upload (real TensorFlow),
beside scikit-learn's linear and gradient-boosting models fitted on the same training
rows, prepared the same way (tests/reference.py); benchmarks/defaults.py prints the
same comparison with timings.
"""

import pytest

from builder.experiment.spec import LayerSpec
from builder.judging.evaluation import judge
from builder.worker import tasks
from tests.reference import TABLES, default_experiment, network_score, reference_scores

pytestmark = pytest.mark.slow
QUALITY_TABLES = ["diabetes", "wine", "winequality-red", "hourly_wages"]


@pytest.fixture(scope="module", params=QUALITY_TABLES)
def default_run(request):
    table = TABLES[request.param]
    frame = table.load()
    experiment = default_experiment(frame, table)
    return table.name, frame, experiment, tasks.train(frame, experiment)


def test_the_defaults_score_at_least_what_a_linear_model_scores(default_run):
    name, frame, experiment, result = default_run
    references = reference_scores(frame, experiment)
    score = network_score(result)
    assert score >= references["linear"], (name, score, references)
    assert result["ended"] == "early_stopped" or result["epochs_run"] == experiment.train.epochs


def test_the_verdict_on_the_defaults_is_fine(default_run):
    name, frame, experiment, result = default_run
    verdict = judge(result, frame, experiment)["verdict"]
    assert verdict.kind == "fine", (name, verdict)


def test_an_untrained_model_is_judged_worse_with_steps_to_learn():
    table = TABLES["diabetes"]
    frame = table.load()
    experiment = default_experiment(frame, table)
    experiment.prep.scale_target = False  # the old default: outputs stay near zero
    experiment.train.epochs = 3
    result = tasks.train(frame, experiment)
    verdict = judge(result, frame, experiment)["verdict"]
    assert verdict.kind == "worse" and verdict.level == "error"
    steps = " ".join(verdict.next_steps)
    assert "Standardise the target" in steps and "Epochs" in steps


def test_an_overfitted_model_is_judged_overfitting():
    table = TABLES["diabetes"]
    frame = table.load()
    experiment = default_experiment(frame, table)
    experiment.network.hidden = [LayerSpec(units=256), LayerSpec(units=256)]
    train = experiment.train
    train.epochs, train.learning_rate, train.early_stopping = 300, 0.01, False
    result = tasks.train(frame, experiment)
    verdict = judge(result, frame, experiment)["verdict"]
    assert result["metrics"]["train"]["r2"] > result["metrics"]["test"]["r2"] + 0.3
    # A ridge regression beats it too: that leads the verdict, with overfitting beside it.
    found = [verdict.kind, *verdict.also]
    assert verdict.kind in ("overfitting", "linear_better", "worse", "no_better"), verdict
    assert verdict.level != "success"
    assert "overfitting" in found or verdict.kind in ("worse", "no_better"), verdict
    assert any("overfitting" in reason or "by heart" in reason for reason in verdict.reasons)
    assert any("Early stopping" in step for step in verdict.next_steps)
