"""Run and download names from the data, the preset and the run number."""

from builder.experiment.naming import run_file_stem, run_name, stem
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec, Experiment


def _upload(*files: str, name: str = "untitled") -> Experiment:
    return Experiment(name=name, data=DataSpec(source="upload", title=files[0], files=list(files)))


def test_a_run_is_named_after_its_data_and_its_number():
    assert run_name(preset_experiment("iris"), 2) == "iris · run 2"
    assert run_file_stem(preset_experiment("iris"), 2) == "iris-run-2"
    sample = Experiment(data=DataSpec(source="titanic", title="Titanic passengers"))
    assert run_name(sample, 1) == "titanic · run 1"
    assert run_name(_upload("Tips (2024).csv", "more.csv"), 3) == "tips-2024 · run 3"


def test_a_preset_adds_its_name_when_the_data_does_not_say_it():
    assert stem(preset_experiment("pima-small")) == "pima-small"
    assert stem(preset_experiment("lr-too-high")) == "pima-lr-too-high"
    # A preset's name left over from before other data was loaded is not the run's.
    later = preset_experiment("iris")
    later.data = DataSpec(source="wages", title="Hourly wages")
    assert stem(later) == "wages"


def test_names_from_files_and_experiments_keep_only_safe_characters():
    assert stem(_upload("C:\\Users\\me\\tips.csv", name="tips")) == "tips"
    assert stem(_upload("shop.csv", name='"""\nimport os; #')) == "shop-import-os"
    assert stem(Experiment(name="../../etc/passwd")) == "etc-passwd"
    assert stem(Experiment(name="???")) == "experiment"
    assert stem(Experiment()) == "experiment"
    assert len(stem(_upload("x" * 300 + ".csv"))) == 40
