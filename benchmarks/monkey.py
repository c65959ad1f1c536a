"""The monkey walk at length: thousands of random actions against the real server.

Starts ``streamlit run app.py`` (its log in test-artifacts/), then for each seed opens a
teacher and a student in two browser contexts (the teacher creates a class, the student
joins it) and walks ``--actions`` actions split over the seeds (``tests/monkey.py``: clicks,
drags, arrow keys 50 ms apart, typing, uploads of good and bad files, reloads, the training
buttons). Meanwhile a thread polls ``/_stcore/health`` every 100 ms.

Reports actions per minute, the health endpoint's p50/p95/max latency, the resident memory
of the server and its children (workers) before and after, the error elements seen in the
browser and the unexpected exceptions in the server's log.

    python benchmarks/monkey.py [--actions 5000] [--seeds 1,2,3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.classroom_load import children, percentile  # noqa: E402
from builder.worker.serve import resident_mb  # noqa: E402
from tests.conftest import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_server,
    stop_server,
)
from tests.monkey import Walk, sample_files, server_problems  # noqa: E402


class HealthPoller(threading.Thread):
    """Times ``/_stcore/health`` every ``every`` seconds until halted."""

    def __init__(self, url: str, every: float = 0.1):
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.latencies_ms: list[float] = []
        self.failures = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as reply:
                    reply.read()
                self.latencies_ms.append(1000 * (time.perf_counter() - start))
            except OSError:
                self.failures += 1
            self.halt.wait(self.every)


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory of the server and of all its descendants, in MB."""
    return resident_mb(pid), sum(resident_mb(child) for child in children(pid))


def walk_seed(browser, url: str, seed: int, actions: int, files: list[Path]) -> Walk:
    """One seed's walk: a teacher with a class and a student in it, ``actions`` steps."""
    from playwright.sync_api import expect

    from tests.test_browser_class import create_class

    walk = Walk(seed, files)
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        teacher, student = (context.new_page() for context in contexts)
        for name, page in (("teacher", teacher), ("student", student)):
            page.set_default_timeout(60_000)
            walk.watch(page, name)
        code, _ = create_class(teacher, url)
        student.goto(f"{url}/class_room")
        student.locator(".st-key-class_join_code input").fill(code)
        student.locator(".st-key-class_join_name input").fill(f"Monkey {seed}")
        student.locator(".st-key-class_join button").first.click()
        expect(student.get_by_test_id("stAlert").first).to_contain_text("as Monkey")
        for _ in range(actions):
            walk.step()
    finally:
        for context in contexts:
            context.close()
    return walk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=5000, help="actions over all seeds")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated walk seeds")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    os.environ.setdefault("NNB_DATA_DIR", tempfile.mkdtemp(prefix="nnb-monkey-"))
    files = sample_files(Path(tempfile.mkdtemp(prefix="nnb-monkey-files-")))
    port = free_port()
    log = ARTIFACTS / f"streamlit-server-{port}.log"
    offset = log.stat().st_size if log.exists() else 0
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    poller = HealthPoller(url)
    walks: list[Walk] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            # Memory "before": after one page view has started the worker pool.
            page = browser.new_page()
            page.goto(url)
            page.locator("[data-test-script-state=notRunning]").wait_for(state="attached")
            page.close()
            before = memory_mb(server.pid)
            poller.start()
            started = time.monotonic()
            for index, seed in enumerate(seeds):
                share = args.actions // len(seeds) + (index < args.actions % len(seeds))
                walks.append(walk_seed(browser, url, seed, share, files))
                print(f"seed {seed}: {share} actions, {len(walks[-1].errors)} error elements")
            minutes = (time.monotonic() - started) / 60
            poller.halt.set()
            after = memory_mb(server.pid)
            browser.close()
    finally:
        poller.halt.set()
        stop_server(server)
    problems = server_problems(log.read_bytes()[offset:].decode(errors="replace"))
    done = sum(len(walk.actions) for walk in walks)
    skipped = sum("skipped" in action for walk in walks for action in walk.actions)
    latencies = poller.latencies_ms
    print(f"actions: {done} over seeds {seeds} ({skipped} skipped: element gone meanwhile)")
    print(f"actions per minute: {done / minutes:.0f} ({minutes:.1f} min)")
    print(
        f"health: {len(latencies)} polls, p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies, default=0):.0f} ms, "
        f"{poller.failures} failed"
    )
    print(
        f"memory MB (server / children): before {before[0]:.0f} / {before[1]:.0f}, "
        f"after {after[0]:.0f} / {after[1]:.0f}"
    )
    print(f"error elements seen: {sum(len(walk.errors) for walk in walks)}")
    for walk in walks:
        for error in walk.errors:
            print(f"  seed {walk.seed}: {error}")
    print(f"unexpected exceptions in the server log ({log.name}): {len(problems)}")
    for problem in problems:
        print("  " + problem.replace("\n", "\n  "))


if __name__ == "__main__":
    main()
