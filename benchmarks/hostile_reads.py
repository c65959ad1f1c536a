"""Does a hostile upload hold the server? Health-check latency while the worst files are read.

Starts the real app server (as the tests' ``serve_app`` does) and, from a thread, asks its
``/_stcore/health`` every 50 ms. Meanwhile headless Chromium uploads each hostile file on
the Data page, one fresh session per file, and waits for the page's answer (a message or
the table's row count). At the moment each file is handed over, another student's fresh
session opens the Start page, timed until its title is drawn (target: within 3 s).
Reports the health check's median, p95 and max during the uploads (target: p95 under
200 ms), each upload's time to its answer and the other page's, and, read again here
through the same bounded read the page uses, each reading process's CPU time and peak
memory. Last, what reading in a child costs a bundled sample against reading it
in-process.

    python benchmarks/hostile_reads.py [--spaces 32000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.errors import DataError  # noqa: E402
from builder.tables.bounded import read_with_usage  # noqa: E402
from builder.tables.data import load_files  # noqa: E402
from tests import hostile  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server  # noqa: E402

ANSWER = '[data-testid="stAlertContentError"], [data-testid="stMetricValue"]'


def hostile_files(spaces: int) -> dict[str, bytes]:
    """The worst files this module can build, by name."""
    many = b"".join(
        hostile.backtracking_csv(spaces).split(b"\n", 1)[1].rsplit(b"1,4\n", 1)[0]
        for _ in range(15)
    )
    return {
        "spaces-32k.csv": hostile.backtracking_csv(spaces),
        "spaces-45-cells.csv": b"price,n\n" + many + b"1,4\n",
        "claims-every-cell.xlsx": hostile.claims_whole_sheet(),
        "row-99999999999.xlsx": hostile.far_row(),
        "column-16384.xlsx": hostile.far_column(),
        "entity-bomb.xlsx": hostile.entity_bomb(),
        "malformed.xlsx": hostile.malformed_xml(),
        "corrupt-deflate.xlsx": hostile.corrupt_deflate(),
        "string-99-of-1.xlsx": hostile.string_out_of_range(),
        # Not hostile, only big: 45 MB of numbers, just under the upload cap.
        "numbers-45mb.csv": b"a,b,c,d\n" + b"1.25,2.5,3.75,4\n" * 2_800_000,
    }


class HealthPoller(threading.Thread):
    """Ask the health endpoint every 50 ms; keep (when, latency) pairs."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = f"{url}/_stcore/health"
        self.samples: list[tuple[float, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=10) as answer:
                    answer.read()
                latency = time.perf_counter() - started
            except OSError:
                latency = float("inf")  # no answer within 10 s
            self.samples.append((started, latency))
            self.stopping.wait(max(0.0, 0.05 - (time.perf_counter() - started)))

    def between(self, start: float, end: float) -> list[float]:
        return [latency for when, latency in self.samples if start <= when <= end]


def summary(latencies: list[float]) -> str:
    ms = sorted(value * 1000 for value in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (
        f"{len(ms)} checks: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms"
    )


@dataclass
class Upload:
    """One hostile upload, timed from the moment the file was handed to the page."""

    answered: float  # seconds to the uploading page's answer
    said: str  # the answer's first words
    other_drawn: float  # seconds until another student's fresh Start page drew its title


def upload_all(url: str, files: dict[str, bytes], folder: Path) -> dict[str, Upload]:
    """Upload each file on the Data page of a fresh session, and meanwhile open the Start
    page in another student's fresh session: seconds to each page's answer."""
    from playwright.sync_api import sync_playwright

    uploads = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content)
            context, other = browser.new_context(), browser.new_context()
            page, student = context.new_page(), other.new_page()
            for tab in (page, student):
                tab.set_default_timeout(300_000)
            page.goto(f"{url}/data")
            page.get_by_text("My own file(s)").click()
            started = time.perf_counter()
            page.locator(".st-key-data_upload input[type=file]").set_input_files(str(path))
            student.goto(url)
            student.get_by_role("heading", name="Neural Network Builder").wait_for()
            other_drawn = time.perf_counter() - started
            answer = page.locator(ANSWER).first
            answer.wait_for()
            uploads[name] = Upload(
                time.perf_counter() - started, answer.inner_text()[:110], other_drawn
            )
            print(f"  uploaded {name}: {uploads[name].answered:.2f} s", file=sys.stderr, flush=True)
            context.close()
            other.close()
        browser.close()
    return uploads


def read_costs(files: dict[str, bytes]) -> None:
    """Each file read here through the page's bounded read: its child's CPU and memory."""
    shared = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nReading process (a fork of a process of {shared:.0f} MB; its peak counts those")
    print("shared pages it touched):")
    for name, content in files.items():
        try:
            (frame, _), usage = read_with_usage([(name, content)])
            outcome = f"read {frame.shape[0]:,} x {frame.shape[1]}"
        except DataError as error:
            usage, outcome = error.usage, str(error)[:70]
        print(
            f"  {name:24s} {len(content) / 1024:9,.1f} KB  wall {usage.seconds:6.2f} s  "
            f"cpu {usage.cpu_seconds:6.2f} s  peak {usage.peak_mb:6.0f} MB  {outcome}"
        )


def sample_overhead(repeats: int) -> None:
    """Median time to read each bundled sample in-process and in a child process."""
    print(f"\nBundled samples, median of {repeats}: in-process vs in a forked child")
    for path in sorted((ROOT / "sample_data").glob("*.csv")):
        files = [(path.name, path.read_bytes())]
        inside, child = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            load_files(files)
            inside.append(time.perf_counter() - started)
            started = time.perf_counter()
            read_with_usage(files, measure=False)
            child.append(time.perf_counter() - started)
        print(
            f"  {path.name:28s} {statistics.median(inside) * 1000:6.0f} ms  "
            f"{statistics.median(child) * 1000:6.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=32_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    files = hostile_files(args.spaces)
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    poller = HealthPoller(url)
    poller.start()
    try:
        time.sleep(3)  # a quiet baseline before the first upload
        quiet_end = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            uploads = upload_all(url, files, Path(folder))
        uploads_end = time.perf_counter()
    finally:
        poller.stopping.set()
        poller.join()
        stop_server(server)
    print("Health check, quiet server:     ", summary(poller.between(0, quiet_end)))
    print(
        "Health check, during uploads:   ",
        summary(poller.between(quiet_end, uploads_end)),
        "(target: p95 under 200 ms)",
    )
    print("\nUpload to the page's answer, and another student's Start page opened at the")
    print("same moment (browser, fresh sessions each; target: that page within 3 s):")
    for name, upload in uploads.items():
        print(
            f"  {name:24s} answer {upload.answered:6.2f} s  other page {upload.other_drawn:5.2f} s"
            f"  {upload.said!r}"
        )
    read_costs(files)
    sample_overhead(args.repeats)


if __name__ == "__main__":
    main()
