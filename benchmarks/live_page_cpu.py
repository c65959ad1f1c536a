"""What a Train page costs while a run is live: CPU of the browser and of the server.

Starts the real server with the test session's knob that slows each epoch end by a set
number of seconds (``NNB_TEST_SLOW_FILE``, see docs/TESTING.md), so a small network's run
lasts while it is measured and its pace is chosen. For each pace, a fresh browser
context opens a 1000-epoch run's link, presses Train, waits for the third epoch, and then
reads the CPU time of every Chromium process and of the server over ``--seconds``.
Reported as the share of one core each took, beside the same page with no run (idle).

At 0.1 s an epoch the page keeps its brisk timer (four redraws a second); at 1 s and
slower it turns calm (one a second, ``builder.training.playback.calm``).

    python benchmarks/live_page_cpu.py [--paces 0.1 1 2] [--seconds 20] [--preset digits]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_load import cpu_seconds

from builder.experiment import share
from builder.experiment.presets import preset_experiment
from builder.worker.serve import SLOW_FILE_VARIABLE


def cpu_of(marker: bytes) -> float:
    """User + system CPU seconds of every process whose command line holds ``marker``."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                total += cpu_seconds(int(pid))
        except OSError:  # the process ended meanwhile
            continue
    return total


def measure(browser, url: str, port: int, link: str | None, seconds: float) -> tuple[float, float]:
    """Shares of a core taken by Chromium and by the server while ``link``'s run is live
    (``None``: the Train page with no run)."""
    from playwright.sync_api import expect

    from tests.conftest import new_context

    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(url + (link or "/train?preset=iris"))
        expect(page.locator(".st-key-train_start button").first).to_be_enabled()
        if link is not None:
            page.locator(".st-key-train_start button").first.click()
            expect(page.get_by_text(re.compile(r"Epoch ([3-9]|\d\d+) of 1000"))).to_be_visible()
        server = f"--server.port={port}".encode()
        browser_before, server_before = cpu_of(b"chromium"), cpu_of(server)
        started = time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        spent = time.monotonic() - started
        shares = (
            (cpu_of(b"chromium") - browser_before) / spent,
            (cpu_of(server) - server_before) / spent,
        )
        if link is not None:
            page.locator(".st-key-train_stop button").first.click()
            expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch"))).to_be_visible()
        return shares
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paces", type=float, nargs="+", default=[0.1, 1.0, 2.0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--preset", default="digits")
    args = parser.parse_args()

    from playwright.sync_api import expect, sync_playwright

    from tests.conftest import (
        BROWSER_WAIT_MS,
        CHROMIUM,
        CHROMIUM_ARGS,
        free_port,
        start_server,
        stop_server,
    )

    expect.set_options(timeout=BROWSER_WAIT_MS)

    folder = Path(tempfile.mkdtemp(prefix="nnb-live-cpu-"))
    slow = folder / "slow-epochs"
    os.environ[SLOW_FILE_VARIABLE] = str(slow)
    port = free_port()
    server = start_server(port, {"NNB_DATA_DIR": str(folder / "data")})
    experiment = preset_experiment(args.preset)
    experiment.train.epochs = 1000
    experiment.train.early_stopping = False
    link = f"/train?{urlencode(share.to_query(experiment))}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            print(f"{'epoch pace':>12}  {'browser':>8}  {'server':>7}   (share of one core)")
            idle = measure(browser, f"http://127.0.0.1:{port}", port, None, args.seconds)
            print(f"{'no run':>12}  {idle[0]:8.2f}  {idle[1]:7.2f}")
            for pace in args.paces:
                slow.write_text(str(pace))
                shares = measure(browser, f"http://127.0.0.1:{port}", port, link, args.seconds)
                print(f"{pace:>10.1f} s  {shares[0]:8.2f}  {shares[1]:7.2f}")
            browser.close()
    finally:
        slow.unlink(missing_ok=True)
        stop_server(server)


if __name__ == "__main__":
    main()
