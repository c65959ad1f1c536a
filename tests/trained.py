"""Real, tiny trainings for page tests, kept as the session keeps them (a ``Run``)."""

from builder.experiment.presets import preset_experiment
from builder.tables.samples import load_sample
from builder.training.runs import Run
from builder.worker import tasks


def trained_run(preset: str, epochs: int) -> Run:
    """Train a preset in this process for a few epochs and record it as run 1."""
    experiment = preset_experiment(preset)
    experiment.train.epochs = epochs
    frame, _ = load_sample(experiment.data.source)
    result = tasks.train(frame, experiment)
    return Run(number=1, experiment=experiment, state="finished", history=[], result=result)
