"""Preprocessing: split, statistics from the training rows only, encodings, plain-data export."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from builder.errors import DataError
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec, Experiment, PrepSpec
from builder.experiment.summary import input_features
from builder.tables import prep
from builder.tables.samples import load_sample


def _experiment(target, excluded=(), **prep_settings) -> Experiment:
    return Experiment(
        data=DataSpec(source="upload", target=target, excluded=list(excluded)),
        prep=PrepSpec(**prep_settings),
    )


@pytest.fixture(scope="module")
def titanic():
    return load_sample("titanic")[0]


def test_random_split_is_seeded_stratified_and_disjoint(titanic):
    experiment = preset_experiment("titanic")
    train, test = prep.split(titanic, experiment)
    again_train, _ = prep.split(titanic, experiment)
    assert len(test) == 295 and len(train) + len(test) == 891  # ceil(891 * 0.33), as sklearn
    assert not set(train.index) & set(test.index)
    assert list(train.index) == list(again_train.index)
    share = titanic["Survived"].mean()
    assert abs(test["Survived"].mean() - share) < 0.005
    experiment.prep.seed = 7
    assert list(prep.split(titanic, experiment)[0].index) != list(train.index)


def test_random_split_is_the_tutorials_train_test_split(titanic):
    """The split PrepSpec documents: sklearn's train_test_split with the same seed, row for row."""
    experiment = preset_experiment("pima-small")
    frame = load_sample("pima")[0]
    train, test = prep.split(frame, experiment)
    want_train, want_test = train_test_split(frame, test_size=0.33, random_state=9)
    assert list(train.index) == list(want_train.index)
    assert list(test.index) == list(want_test.index)
    experiment = preset_experiment("titanic")
    train, _ = prep.split(titanic, experiment)
    want_train, _ = train_test_split(
        titanic, test_size=0.33, random_state=42, stratify=titanic["Survived"]
    )
    assert list(train.index) == list(want_train.index)


def test_ordered_split_keeps_first_rows_for_training():
    frame = load_sample("pima")[0]
    train, test = prep.split(frame, preset_experiment("pima-deep"))
    assert list(train.index) == list(range(568)) and list(test.index) == list(range(568, 768))
    digits = load_sample("digits")[0]
    train, test = prep.split(digits, preset_experiment("digits"))
    assert len(test) == 1797 - int(1797 * (1 - 0.3))  # the rows validation_split=0.3 holds out


def test_rows_without_target_are_left_out():
    frame = pd.DataFrame({"x": range(10), "y": [0, 1] * 4 + [None, None]})
    train, test = prep.split(frame, _experiment("y", test_size=0.25))
    assert len(train) + len(test) == 8 and len(test) == 2
    assert prep.prepare(frame, _experiment("y", test_size=0.25)).dropped == 2


def test_too_few_rows_to_split_is_a_data_error():
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 1]})
    with pytest.raises(DataError, match="too few"):
        prep.split(frame, _experiment("y", test_size=0.9))


def test_statistics_come_from_training_rows_only():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 100.0, 200.0], "y": [0, 1, 0, 1, 0, 1]})
    experiment = _experiment("y", split="ordered", test_size=2 / 6)
    done = prep.prepare(frame, experiment)
    assert done.prep.offsets == [2.5]
    assert done.prep.scales == [pytest.approx(np.std([1, 2, 3, 4]))]
    assert done.x_train.dtype == np.float32
    assert done.x_train[:, 0].mean() == pytest.approx(0.0, abs=1e-6)
    assert done.x_test[0, 0] == pytest.approx((100 - 2.5) / np.std([1, 2, 3, 4]), rel=1e-5)


def test_minmax_and_no_scaling():
    frame = pd.DataFrame({"x": [2.0, 4.0, 6.0, 10.0], "y": [1.0, 2.0, 3.0, 4.0]})
    train = frame.iloc[:3]
    minmax = prep.fit(train, _experiment("y", scaling="minmax"), "regression")
    assert minmax.transform(frame)[:, 0].tolist() == [0.0, 0.5, 1.0, 2.0]
    none = prep.fit(train, _experiment("y", scaling="none"), "regression")
    assert none.transform(frame)[:, 0].tolist() == [2.0, 4.0, 6.0, 10.0]


def test_imputation_from_training_rows_and_indicators_for_columns_with_gaps():
    train = pd.DataFrame({"a": [1.0, None, 3.0, 3.0], "b": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]})
    test = pd.DataFrame({"a": [None], "b": [None], "y": [0]})
    fills = (("mean", 7 / 3, 2.5), ("median", 3.0, 2.5), ("most_frequent", 3.0, 1.0))
    for impute, fill_a, fill_b in fills:
        experiment = _experiment("y", scaling="none", impute=impute, missing_indicator=True)
        fitted = prep.fit(train, experiment, "binary")
        assert fitted.indicators == ["a"]
        assert fitted.feature_names == ["a", "b", "a_was_missing"]
        assert fitted.transform(test)[0].tolist() == pytest.approx([fill_a, fill_b, 1.0])
    table = pd.concat([train, test])  # 'b' has a gap in the table, though not in training
    fitted = prep.fit(train, _experiment("y", missing_indicator=True), "binary", table=table)
    assert fitted.indicators == ["a", "b"]


def test_inputs_are_the_ones_the_build_page_counts(titanic):
    for key, frame in (("titanic", titanic), ("wine-quality", load_sample("wine")[0])):
        experiment = preset_experiment(key)
        experiment.prep.missing_indicator = True
        fitted = prep.prepare(frame, experiment).prep
        expected = input_features(frame, experiment.data, experiment.prep)
        assert fitted.feature_names == [feature.name for feature in expected]


def test_text_columns_one_hot_with_statistics_from_training(titanic):
    experiment = preset_experiment("titanic")
    train, _ = prep.split(titanic, experiment)
    fitted = prep.fit(train, experiment, "binary", table=titanic)
    assert fitted.vocab["Embarked"] == ["C", "Q", "S"]
    assert fitted.most_frequent["Embarked"] == "S"
    assert fitted.indicators == ["Age", "Embarked"]
    rows = pd.DataFrame(
        {c: [titanic[c].iloc[0]] * 3 for c in titanic.columns if c != "Embarked"}
    ).assign(Embarked=["Q", None, "Z"])
    names = fitted.feature_names
    block = fitted.transform(rows)[:, names.index("Embarked=C") : names.index("Embarked=S") + 1]
    assert block.tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]  # missing -> S; unseen -> none
    assert fitted.transform(rows)[:, names.index("Embarked_was_missing")].tolist() == [0, 1, 0]
    for left_out in ("PassengerId", "Name", "Ticket", "Cabin", "Survived"):
        assert not any(name.startswith(left_out) for name in fitted.feature_names)


def test_text_as_category_index_when_one_hot_is_off():
    frame = pd.DataFrame({"c": ["b", "a", "b", None], "y": [1.0, 2.0, 3.0, 4.0]})
    fitted = prep.fit(frame, _experiment("y", one_hot=False), "regression")
    assert fitted.feature_names == ["c"]
    assert fitted.transform(frame)[:, 0].tolist() == [1.0, 0.0, 1.0, 1.0]


def test_too_many_categories_asks_to_leave_the_column_out():
    frame = pd.DataFrame({"id": [f"row {i}" for i in range(1200)], "y": [0, 1] * 600})
    with pytest.raises(DataError, match=r"'id' holds 1200 different texts.*Leave it out"):
        prep.prepare(frame, _experiment("y"))


def test_target_encodings():
    iris = load_sample("iris")[0]
    done = prep.prepare(iris, preset_experiment("iris"))
    assert done.prep.task == "multiclass"
    assert done.prep.class_names == ["setosa", "versicolor", "virginica"]
    assert sorted(set(done.y_train.tolist())) == [0, 1, 2] and done.y_train.dtype == np.int32
    yes_no = pd.DataFrame({"x": range(8), "y": ["yes", "no"] * 4})
    binary = prep.prepare(yes_no, _experiment("y", test_size=0.25))
    assert binary.prep.classes == ["no", "yes"]
    assert binary.y_test.tolist() == [int(v == "yes") for v in yes_no.loc[binary.test_rows, "y"]]
    wages = prep.prepare(load_sample("wages")[0], preset_experiment("wages"))
    assert wages.prep.task == "regression" and wages.y_train.dtype == np.float32
    with pytest.raises(DataError, match="does not know"):
        binary.prep.encode_target(pd.Series(["maybe"]))


def test_fitted_prep_is_plain_json_data(titanic):
    fitted = prep.prepare(titanic, preset_experiment("titanic-scaled")).prep
    again = prep.FittedPrep.from_dict(json.loads(json.dumps(fitted.to_dict())))
    assert np.array_equal(again.transform(titanic), fitted.transform(titanic))
    assert len(fitted.offsets) == len(fitted.scales) == len(fitted.numeric)


def test_missing_feature_column_is_a_data_error(titanic):
    fitted = prep.prepare(titanic, preset_experiment("titanic")).prep
    with pytest.raises(DataError, match="'Age'"):
        fitted.transform(titanic.drop(columns=["Age"]))
