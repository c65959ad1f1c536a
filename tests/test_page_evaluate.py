"""The Evaluate page after a real (tiny) training, driven through AppTest."""

import base64
import dataclasses
import json

import numpy as np
import pytest

from builder.judging.evaluation import judge
from builder.judging.trace import percent
from builder.training.runs import Run
from builder.worker.tasks import sample_frame
from tests.apptest_helpers import texts, with_sample
from tests.trained import trained_run


@pytest.fixture(scope="module")
def titanic_run():
    return trained_run("titanic", epochs=3)


def evaluate_page(sample: str, run: Run):
    at = with_sample(sample)
    at.session_state["runs"] = [run]
    return at.switch_page("pages/evaluate.py").run()


def test_without_a_run_the_page_says_to_train_first():
    at = with_sample("iris").switch_page("pages/evaluate.py").run()
    assert not at.exception
    assert any("No trained model yet" in t for t in texts(at.info))


def test_classification_scores_baseline_and_threshold(titanic_run):
    at = evaluate_page("titanic", titanic_run)
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Accuracy", "Macro F1", "Cohen's kappa", "Training accuracy"]
    accuracy = titanic_run.result["metrics"]["test"]["accuracy"]
    assert at.metric[0].value == f"{accuracy:.1%}"
    frame = sample_frame(titanic_run.experiment.data.source)
    majority = judge(titanic_run.result, frame, titanic_run.experiment)["baseline"]["accuracy"]
    # The gain over the baseline is a difference of percentages: in points.
    assert at.metric[0].delta == f"{100 * (accuracy - majority):+.1f} points vs baseline"
    assert any("most frequent class ('0')" in t for t in texts(at.caption))
    assert len(at.success) + len(at.warning) >= 1
    assert at.get("page_link")[-1].proto.label == "Next: Export it →"
    at.slider(key="evaluate_threshold").set_value(0.8).run()
    assert not at.exception
    at.toggle(key="evaluate_normalised").set_value(True).run()
    assert not at.exception


def test_a_gain_the_verdict_calls_none_is_not_shown_green():
    run = trained_run("sigmoid-deep", epochs=30)  # the lesson: it stalls at the baseline
    at = evaluate_page("pima", run)
    assert not at.exception, at.exception
    assert any("no better" in t.lower() for t in texts(at.error)), texts(at.error)
    delta = at.metric[0].proto
    assert delta.color == delta.MetricColor.GRAY, delta


def test_prediction_form_and_trace(titanic_run):
    at = evaluate_page("titanic", titanic_run)
    form_button = [b for b in at.button if b.label == "Predict"]
    assert form_button, [b.label for b in at.button]
    form_button[0].click().run()
    assert not at.exception
    assert any(m.label == "Predicted Survived" for m in at.metric)
    charts_before = len(at.get("plotly_chart"))
    at.number_input(key="evaluate_trace_row").set_value(5).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == charts_before >= 3  # confusion, ROC, trace, boundary…
    passenger = titanic_run.result["test_rows"][4]
    assert any(df.value.index.tolist() == [passenger] for df in at.dataframe)
    died, survives = titanic_run.result["predictions"][4]
    classes = titanic_run.result["classes"]
    predicted = classes[int(survives >= 0.5)]
    truth = classes[titanic_run.result["y_test"][4]]
    sentence = f"The network predicts {predicted} ({percent(max(died, survives))})"
    stated = [t for t in texts(at.success) + texts(at.warning) if t.startswith(sentence)]
    assert stated == [f"{sentence}; the true class is {truth}."]


def test_regression_run_is_judged_against_the_mean():
    at = evaluate_page("wages", trained_run("wages", epochs=2))
    assert not at.exception, at.exception
    assert [m.label for m in at.metric][:4] == ["MSE", "RMSE", "MAE", "R²"]
    assert any("training mean" in t for t in texts(at.caption))
    # two epochs of an unscaled target leave it worse than the mean guess: red, never green
    assert not at.success
    assert any("Worse than always guessing" in t and "Next steps" in t for t in texts(at.error))


def test_a_bad_batch_file_gets_a_message(titanic_run):
    at = evaluate_page("titanic", titanic_run)
    at.file_uploader(key="evaluate_batch").set_value(
        ("x.csv", b"a,b\n1,2\n3,4\n", "text/csv")
    ).run()
    assert not at.exception
    assert any("lacks column(s) the model needs" in t for t in texts(at.error))


def test_a_confusion_cell_shows_as_many_test_rows_as_the_matrix_says(titanic_run):
    at = evaluate_page("titanic", titanic_run)
    assert not at.exception, at.exception
    # Plotly sends arrays to the browser as base64 bytes with a dtype and a shape.
    z = next(
        json.loads(chart.proto.spec)["data"][0]["z"]
        for chart in at.get("plotly_chart")
        if "Confusion matrix" in chart.proto.spec
    )
    shape = [int(n) for n in z["shape"].split(",")]
    matrix = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    choice = at.selectbox(key="evaluate_cell")
    assert choice.label == "Show the test rows that are"
    assert len(choice.options) >= 2
    for option in choice.options:
        cell_name, count = option.split(": ")
        true, predicted = cell_name.removeprefix("true ").split(", predicted ")
        classes = titanic_run.result["classes"]
        cell = matrix[classes.index(true), classes.index(predicted)]
        at.selectbox(key="evaluate_cell").select(option).run()
        assert not at.exception
        (shown,) = [df.value for df in at.dataframe if "test row" in df.value.columns]
        assert len(shown) == cell == int(count.split(" ")[0])
        assert (shown["predicted"] == predicted).all()


def test_the_network_is_shown_beside_both_references_and_the_naive_guess(titanic_run):
    at = evaluate_page("titanic", titanic_run)
    assert not at.exception, at.exception
    (table,) = [df.value for df in at.dataframe if "model" in df.value.columns]
    assert table["model"].tolist() == [
        "Network",
        "Linear model (logistic regression)",
        "Boosted trees (histogram gradient boosting)",
        "Most frequent class",
    ]
    assert {"Accuracy", "Macro F1", "Cohen's kappa", "training rows"} <= set(table.columns)
    accuracy = titanic_run.result["metrics"]["test"]["accuracy"]
    assert table["Accuracy"].iloc[0] == pytest.approx(accuracy)
    linear = titanic_run.result["references"][0]["scores"]["accuracy"]
    assert table["Accuracy"].iloc[1] == pytest.approx(linear)
    assert table["training rows"].iloc[1] == titanic_run.result["rows"]["train"]
    assert any("exactly the network's training rows" in t for t in texts(at.caption))
    verdict = " ".join(texts(at.success) + texts(at.warning) + texts(at.error))
    assert "within noise" in verdict and "test rows" in verdict


def test_a_run_saved_before_references_still_shows_and_says_so(titanic_run):
    result = {k: v for k, v in titanic_run.result.items() if k != "references"}
    old = dataclasses.replace(titanic_run, result=result)
    at = evaluate_page("titanic", old)
    assert not at.exception, at.exception
    assert any("not computed for this run" in t for t in texts(at.caption))
    assert not [df for df in at.dataframe if "model" in df.value.columns]
    assert at.metric[0].label == "Accuracy"
    verdict = " ".join(texts(at.success) + texts(at.warning) + texts(at.error))
    assert verdict and "within noise" not in verdict
