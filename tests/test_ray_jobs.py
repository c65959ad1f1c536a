"""Training jobs on a Ray cluster the test starts itself: a head on 127.0.0.1 and two
one-CPU worker nodes. Jobs run and stream, stop, pause and step, hit their time limit,
a killed actor fails only its own job, and the app trains on the cluster unchanged."""

import os
import re
import signal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from builder.training import jobs
from builder.training.ray_pool import RayPool
from tests.conftest import free_port, start_server, stop_server
from tests.processes import running
from tests.ray_cluster import local_cluster
from tests.test_browser import click_button
from tests.test_browser_train import set_number
from tests.test_jobs import _endless, _iris
from tests.waiting import wait_until

WAIT = 600  # generous: each actor imports TensorFlow on a busy two-core machine


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(workers=2) as started:
        yield started.address


@pytest.fixture(scope="module")
def pool(cluster):
    pool = RayPool(cluster, warm_workers=2)
    yield pool
    pool.shutdown()


def _wait_until(condition, what: str) -> None:
    wait_until(condition, what, WAIT)


def test_the_pool_has_one_worker_per_cpu_of_the_cluster(pool):
    assert pool.max_workers == 2  # the head has no CPUs; each worker node has one


def test_jobs_run_on_actors_and_stream_their_epochs(pool):
    streamed = jobs.submit_training(_endless(), pool=pool)
    short = [jobs.submit_training(_iris(3), pool=pool) for _ in range(2)]
    _wait_until(lambda: len(streamed.history) >= 3, "streamed three epochs")
    assert streamed.state == jobs.RUNNING and not streamed.done
    assert streamed.worker_pid not in (None, os.getpid())  # an actor's process, not this one
    for job in short:
        assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
        assert [record["epoch"] for record in job.history] == [1, 2, 3]
        assert job.result["epochs_run"] == 3 and job.result["model_bytes"]
        assert job.result["history"]["loss"] == [r["loss"] for r in job.history]
    # One actor was busy with the endless run, so the short jobs took turns on the other.
    assert {job.worker_pid for job in short} != {streamed.worker_pid}
    first, second = sorted(short, key=lambda job: job.started_at)
    assert first.ended_at <= second.started_at
    streamed.stop()
    assert streamed.wait(WAIT) and streamed.state == jobs.STOPPED
    assert streamed.result["ended"] == "stopped" and streamed.result["model_bytes"]
    assert streamed.result["epochs_run"] == len(streamed.history) < 100_000


def test_a_queued_job_shows_its_position_and_stopping_it_means_it_never_runs(pool):
    busy = [jobs.submit_training(_endless(), pool=pool) for _ in range(2)]
    waiting = jobs.submit_training(_iris(3), pool=pool)
    _wait_until(lambda: all(len(job.history) >= 1 for job in busy), "started both")
    assert waiting.state == jobs.QUEUED and waiting.position == 1
    waiting.stop()
    assert waiting.state == jobs.STOPPED and waiting.result is None and not waiting.history
    for job in busy:
        job.stop()
        assert job.wait(WAIT) and job.state == jobs.STOPPED


def test_pause_holds_the_run_on_its_actor_and_step_trains_one_epoch(pool):
    job = jobs.submit_training(_endless(), pool=pool)
    job.pause()  # pressed before the first epoch: the run waits after it
    _wait_until(lambda: job.paused, "paused")
    held = len(job.history)
    # Waiting for an epoch a paused run has not done times out.
    assert not job.wait_for_epochs(held + 1, 0.5)
    assert len(job.history) == held and job.state == jobs.RUNNING
    assert job.snapshots[-1][0] == held
    job.step()
    _wait_until(lambda: len(job.history) == held + 1 and job.paused, "stepped")
    job.resume()
    _wait_until(lambda: len(job.history) > held + 3, "resumed")
    job.stop()
    assert job.wait(WAIT) and job.state == jobs.STOPPED and not job.paused


def test_a_run_past_the_time_limit_is_stopped_keeping_its_model(pool, monkeypatch):
    monkeypatch.setattr(pool, "job_seconds", 4.0)
    # A generous grace, as in test_jobs.py: on a loaded machine the first epoch's compiling
    # alone outlasted the 15 s one (the run was killed and kept as failed).
    monkeypatch.setattr(pool, "grace_seconds", WAIT)
    job = jobs.submit_training(_endless(), pool=pool)
    assert job.wait(WAIT) and job.state == jobs.STOPPED, job.error
    assert "time limit of 4 s" in job.note
    assert job.result["model_bytes"] and 0 < job.result["epochs_run"] < 100_000
    assert 4.0 <= job.elapsed() < 4.0 + WAIT


def test_a_killed_actor_fails_only_its_job_and_is_replaced(pool):
    doomed = jobs.submit_training(_endless(), pool=pool)
    other = jobs.submit_training(_iris(40, batch_size=8), pool=pool)
    _wait_until(lambda: len(doomed.history) >= 2 and other.history, "both running")
    os.kill(doomed.worker_pid, signal.SIGKILL)
    assert doomed.wait(WAIT) and doomed.state == jobs.FAILED
    assert "stopped unexpectedly" in doomed.error and "exit code" not in doomed.error
    assert other.wait(WAIT) and other.state == jobs.FINISHED, other.error
    assert len(other.history) == 40 and other.worker_pid != doomed.worker_pid
    # A fresh actor takes the dead one's place and runs the next jobs.
    after = [jobs.submit_training(_iris(2), pool=pool) for _ in range(2)]
    for job in after:
        assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
    assert not running(doomed.worker_pid)
    assert doomed.worker_pid not in pool.worker_pids()
    assert len(pool.worker_pids()) == 2


def test_the_environment_chooses_the_ray_backend(cluster, monkeypatch):
    monkeypatch.setenv("NNB_JOB_BACKEND", "ray")
    monkeypatch.setenv("NNB_RAY_ADDRESS", cluster)
    monkeypatch.setattr(jobs, "_POOL", None)
    chosen = jobs.get_pool()
    try:
        assert isinstance(chosen, RayPool) and jobs.get_pool() is chosen
    finally:
        chosen.shutdown()


@pytest.mark.browser
def test_the_app_trains_on_the_cluster_and_its_server_never_loads_tensorflow(cluster, pool, page):
    pool.shutdown()  # the last test: the app's own pool needs the cluster's two CPUs
    port = free_port()
    server = start_server(port, {"NNB_JOB_BACKEND": "ray", "NNB_RAY_ADDRESS": cluster})
    try:
        page.goto(f"http://127.0.0.1:{port}")
        click_button(page, "home_sample_iris")
        # The sample's click ends on the Data page: going on before, Train found no table.
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Train", exact=True).click()
        expect(page.get_by_role("heading", name="Train")).to_be_visible()
        set_number(page, "train_epochs", 5)
        click_button(page, "train_start")
        finished = page.get_by_text(re.compile(r"^Finished \d+ epochs in"))
        expect(finished).to_be_visible(timeout=WAIT * 1000)
        expect(page.locator(".st-key-train_compare").first).to_contain_text("iris · run 1")
        maps = Path(f"/proc/{server.pid}/maps").read_text()
        assert "tensorflow" not in maps and "_pywrap" not in maps
    finally:
        stop_server(server)
