"""Fixtures shared by the test modules: a real app server and a real browser."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder.worker.serve import HOLD_FILE_VARIABLE, SLOW_FILE_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("NNB_CHROMIUM", "/usr/bin/chromium")
# How long a browser test waits for a state, a click or a page load by default.
BROWSER_WAIT_MS = 120_000
# Without these, Chromium tries to reach Google's services, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    port: int, env: dict[str, str] | None = None, own_group: bool = False
) -> subprocess.Popen:
    """Start `streamlit run app.py` on ``port``, with ``env`` added to the environment;
    with ``own_group``, in a process group of its own (as systemd or a shell job starts
    it), which ``stop_server(..., group=True)`` signals whole.

    Returns once the server answers; its output goes to test-artifacts/.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / f"streamlit-server-{port}.log").open("a") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    pytest.fail("the Streamlit server did not start within 60 s; see test-artifacts/")


def stop_server(
    server: subprocess.Popen, signum: int = signal.SIGTERM, group: bool = False
) -> None:
    """Stop a server as `docker stop` does: ``signum``, then SIGKILL after 10 s; with
    ``group``, as systemd (or Ctrl-C in a terminal) does: both to its whole process group,
    workers and fork server included (a server started with ``own_group``).

    On SIGTERM, Streamlit's web server waits without limit for open HTTP requests
    (uvicorn with no graceful-shutdown timeout), and a tab whose websocket closes asks
    at once whether the server is back: measured, 5 of 21 stops with a tab open hung.
    """
    send = (lambda sig: os.killpg(server.pid, sig)) if group else server.send_signal
    with contextlib.suppress(ProcessLookupError):  # a group whose processes have all ended
        send(signum)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            send(signal.SIGKILL)
        server.wait(timeout=10)


@contextmanager
def serve_app(env: dict[str, str] | None = None):
    """Run the app on a free local port (``env`` added to its environment); yield its URL."""
    port = free_port()
    server = start_server(port, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(server)


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory):
    """Workspaces of this test session live in a folder of their own (servers inherit it)."""
    folder = tmp_path_factory.mktemp("nnb-data")
    os.environ["NNB_DATA_DIR"] = str(folder)
    os.environ[HOLD_FILE_VARIABLE] = str(folder / "hold-jobs")
    os.environ[SLOW_FILE_VARIABLE] = str(folder / "slow-epochs")
    return folder


@contextmanager
def jobs_held():
    """Jobs that reach a worker inside this block wait there, before their first epoch,
    until it ends: a test sees their start-up for as long as it needs, whatever the
    machine's speed. Works for the servers and pools this test session starts."""
    hold = Path(os.environ[HOLD_FILE_VARIABLE])
    hold.touch()
    try:
        yield
    finally:
        hold.unlink(missing_ok=True)


@contextmanager
def epochs_slowed(seconds: float = 1.0):
    """Every epoch that ends inside this block waits ``seconds`` more in its worker (Stop
    ends the wait): a tiny network gives a run that goes on for as long as a test needs
    it, at the pace of the test's choosing, without taking the CPU from the other tests.
    Works for the servers and pools this test session starts."""
    slow = Path(os.environ[SLOW_FILE_VARIABLE])
    slow.write_text(str(seconds))
    try:
        yield
    finally:
        slow.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app_url():
    """The app served for the whole test session."""
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the test session, started by the first test that asks."""
    from tests.postgres_server import local_postgres

    with local_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Each store test runs twice: on SQLite in its data folder (no URL), then on a fresh
    PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import expect, sync_playwright

    # A shared CI machine can take far longer than Playwright's 5 s default to draw a page:
    # at a load average of 40 on 2 cores, a page run drew its heading, then its metrics
    # more than 30 s later, and a click waited 50 s for a link to be still. A wait costs
    # nothing when the state comes early.
    expect.set_options(timeout=BROWSER_WAIT_MS)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium`.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# Streamlit's spinners and transitions repaint a page many times a second even when nothing
# happens: an idle Train page kept 17% of a core busy in Chromium, 3% with them off. Tests
# assert states, not motion, and on 2 cores that CPU is taken from the server under test.
STILL_PAGE = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important; '
    + 'transition: none !important; }';
  document.head.appendChild(style);
});"""


def new_context(browser, **options):
    """A browser context whose pages wait ``BROWSER_WAIT_MS`` for clicks and page loads
    (Playwright's own 30 s is per page or context, not for the whole browser), and whose
    pages are still (``STILL_PAGE``)."""
    context = browser.new_context(reduced_motion="reduce", **options)
    context.add_init_script(STILL_PAGE)
    context.set_default_timeout(BROWSER_WAIT_MS)
    return context


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a screenshot is saved when the test fails."""
    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
