"""The worker pool that app.py starts while Streamlit runs it as ``__main__``."""

from builder import jobs
from builder.presets import preset_experiment
from tests.apptest_helpers import start_app


def test_workers_started_by_the_app_script_train_instead_of_rerunning_the_app():
    """Spawned workers must not import app.py (Streamlit's ``__main__``) and start a pool."""
    at = start_app()
    assert not at.exception
    pool = jobs.get_pool()
    experiment = preset_experiment("iris")
    experiment.train.epochs = 3
    job = jobs.submit_training(experiment, pool=pool)
    assert job.wait(timeout=120), job.state
    assert job.state == jobs.FINISHED, job.error
    assert len(job.history) == 3
